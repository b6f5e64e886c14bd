"""hotspot from Python: the command line's engine and options, with numpy in and out.

Every function takes the options of the command of the same name as keyword arguments
(``crime_type="Burglary"`` is ``--crime-type Burglary``; ``from_`` is ``--from``; a list repeats
an option; ``True`` sets a flag). The work is done by the same code as the command line, with the
GIL released; a refusal raises HotspotError with the command line's message and exit code.

    import hotspot
    surface = hotspot.kde(offences="data/police_uk/2019-09-kent-street.csv",
                          boundaries="data/boundaries/kent_districts_2013.geojson",
                          area="Maidstone", bandwidth=300, cell=25)
    surface["values"]          # numpy array, rows x cols, in surface["unit"]
    spots = hotspot.hotspots(offences="data/police_uk/2019-09-kent-street.csv",
                             boundaries="data/boundaries/kent_districts_2013.geojson",
                             area="Maidstone", bandwidth=300, cell=25)
    gdf = geopandas.GeoDataFrame(spots["attributes"],
                                 geometry=geopandas.GeoSeries.from_wkb(spots["wkb"]),
                                 crs=spots["crs"])

``offences`` may also be data in memory: a pandas DataFrame or a dict of columns (numpy arrays or
lists), with the columns a file would have (x/y or longitude/latitude, and optionally a month, a
crime type...). It is handed to the same reader as a file, through GDAL's memory file system.
"""

import csv
import datetime
import io
import json
import numbers
import os
import uuid

from . import _hotspot
from ._hotspot import HotspotError

__version__ = _hotspot.version
__all__ = ["HotspotError", "run", "read_offences", "kde", "hotspots", "read_surface", "reconcile",
           "tables", "evaluate", "geodataframe"]


def _text(value):
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.strftime("%Y-%m-%d")  # --from, --to and --at take days
    return str(value)


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _arguments(options):
    """Keyword arguments as command-line words. A sequence of numbers is one value
    (``extent=(x0, y0, x1, y1)`` is ``--extent x0,y0,x1,y1``); any other sequence repeats the
    option (``crime_type=["Burglary", "Robbery"]``)."""
    args = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.rstrip("_").replace("_", "-")
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple)) and value and all(_is_number(v) for v in value):
            args += [flag, ",".join(_text(v) for v in value)]
        elif isinstance(value, (list, tuple)):
            for item in value:
                args += [flag, _text(item)]
        else:
            args += [flag, _text(value)]
    return args


def _is_path(value):
    return isinstance(value, (str, os.PathLike))


def _csv_bytes(data):
    """A DataFrame or a dict of equal-length columns as CSV text."""
    if hasattr(data, "to_csv"):
        return data.to_csv(index=False).encode("utf-8")
    if not isinstance(data, dict):
        raise TypeError("offences: give a path, a list of paths, a pandas DataFrame or a dict of "
                        "columns (got %s)" % type(data).__name__)
    names = list(data)
    columns = [list(data[name]) for name in names]
    lengths = {len(c) for c in columns}
    if len(lengths) > 1:
        raise ValueError("offences: the columns differ in length: %s" %
                         ", ".join("%s %d" % (n, len(c)) for n, c in zip(names, columns)))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(zip(*columns))
    return text.getvalue().encode("utf-8")


class _Inputs:
    """Puts in-memory offences where the reader finds them, for the length of one call."""

    def __init__(self, options):
        self.options = dict(options)
        self.memory = []

    def __enter__(self):
        offences = self.options.get("offences")
        if offences is not None and not _is_path(offences) and not (
                isinstance(offences, (list, tuple)) and all(_is_path(o) for o in offences)):
            path = "/vsimem/hotspot/%s.csv" % uuid.uuid4().hex
            _hotspot.put_memory_file(path, _csv_bytes(offences))
            self.memory.append(path)
            self.options["offences"] = path
        return _arguments(self.options)

    def __exit__(self, *exc):
        for path in self.memory:
            _hotspot.remove_memory_file(path)
        return False


def run(command, **options):
    """Runs any command (kde, reconcile, tables, hotspots, map, evaluate, displacement, compare,
    trends, near-repeat, predict, snap-points, when, patrol-plan, batch) with its options; returns
    its summary."""
    with _Inputs(options) as args:
        return _hotspot.run(command, args)


def read_offences(offences, **options):
    """Reads offences as every command does (same detection, filters, CRS choice and rejects);
    returns a dict of numpy columns: x, y (metres in ``crs``), weight (or None), month
    ('YYYY-MM'), crime_type, source_row, and the reading ``summary``."""
    with _Inputs(dict(options, offences=offences)) as args:
        return _hotspot.read_offences(args)


def kde(offences, **options):
    """`hotspot kde`: returns the surface as ``values`` (numpy, rows x cols, north up), with
    ``geotransform`` (GDAL's six numbers), ``crs`` (WKT), ``nodata``, ``unit``, ``tags`` (the
    GeoTIFF's metadata) and ``summary``. With ``out=`` the GeoTIFF is written too, as the command
    line writes it."""
    with _Inputs(dict(options, offences=offences)) as args:
        return _hotspot.kde(args)


def hotspots(offences, **options):
    """`hotspot hotspots`: returns ``wkb`` (one polygon per hotspot, ranked), ``attributes`` (the
    patrol list's columns as lists), ``crs`` and ``summary``; with ``out_dir=`` (or ``out=`` a
    PostGIS database and ``table=``) the files and tables are written too."""
    with _Inputs(dict(options, offences=offences)) as args:
        return _hotspot.hotspots(args)


def read_surface(path):
    """A surface GeoTIFF (from kde, hotspots, predict...) read back: ``values`` (numpy, rows x
    cols), ``geotransform``, ``crs``, ``nodata``, ``tags`` and ``data_type``."""
    return _hotspot.read_surface(os.fspath(path))


def reconcile(offences, **options):
    """`hotspot reconcile` (``out=`` the reconciled records); returns its summary."""
    return run("reconcile", offences=offences, **options)


def tables(offences, **options):
    """`hotspot tables` (``out=`` the table); returns its summary."""
    return run("tables", offences=offences, **options)


def evaluate(offences, **options):
    """`hotspot evaluate` (``out_dir=`` its outputs); returns its summary."""
    return run("evaluate", offences=offences, **options)


def geodataframe(result):
    """The hotspots of ``hotspots()`` as a geopandas GeoDataFrame (geopandas needed)."""
    import geopandas
    return geopandas.GeoDataFrame(result["attributes"],
                                  geometry=geopandas.GeoSeries.from_wkb(result["wkb"]),
                                  crs=result["crs"])
