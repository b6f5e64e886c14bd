"""The Python package against the command line: the same engine, so the same numbers to the last
bit, and the same files byte for byte."""

import csv
import filecmp
import json
import os
import subprocess
import threading
import time

import numpy as np
import pytest

import hotspot

SOURCE = os.environ["HOTSPOT_SOURCE_DIR"]
BINARY = os.environ["HOTSPOT_BINARY"]
SEPTEMBER = os.path.join(SOURCE, "data/police_uk/2019-09-kent-street.csv")
DISTRICTS = os.path.join(SOURCE, "data/boundaries/kent_districts_2013.geojson")
WARDS = os.path.join(SOURCE, "data/boundaries/maidstone_wards_2013.geojson")
PLACES = os.path.join(SOURCE, "data/places/maidstone_places.csv")
MAIDSTONE = dict(boundaries=DISTRICTS, area="Maidstone", bandwidth=300, cell=25)


def cli(*args):
    done = subprocess.run([BINARY, *map(str, args), "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_kde_equals_the_command_line_to_the_last_bit(tmp_path):
    cli("kde", "--offences", SEPTEMBER, "--boundaries", DISTRICTS, "--area", "Maidstone",
        "--bandwidth", 300, "--cell", 25, "--float64", "--out", tmp_path / "cli64.tif")
    cli("kde", "--offences", SEPTEMBER, "--boundaries", DISTRICTS, "--area", "Maidstone",
        "--bandwidth", 300, "--cell", 25, "--out", tmp_path / "cli.tif")
    surface = hotspot.kde(SEPTEMBER, out=tmp_path / "python.tif", quiet=True, **MAIDSTONE)
    values = surface["values"]
    assert values.dtype == np.float64 and values.ndim == 2
    assert not values.flags.owndata  # handed over, not copied
    written = hotspot.read_surface(tmp_path / "cli64.tif")
    assert written["data_type"] == "Float64"
    assert np.array_equal(values, written["values"])
    assert surface["geotransform"] == written["geotransform"]
    assert surface["nodata"] == written["nodata"] == -9999.0
    assert surface["tags"]["HOTSPOT_BANDWIDTH_M"] == written["tags"]["HOTSPOT_BANDWIDTH_M"]
    assert "27700" in surface["crs"]
    assert surface["summary"]["peak"] == values.max()
    # The GeoTIFF written from Python is the command line's, byte for byte.
    assert filecmp.cmp(tmp_path / "python.tif", tmp_path / "cli.tif", shallow=False)


def test_hotspots_as_a_geodataframe_match_the_patrol_list(tmp_path):
    geopandas = pytest.importorskip("geopandas")
    cli("hotspots", "--offences", SEPTEMBER, "--boundaries", DISTRICTS, "--area", "Maidstone",
        "--boundaries", WARDS, "--places", PLACES, "--bandwidth", 300, "--cell", 25,
        "--out-dir", tmp_path / "cli")
    result = hotspot.hotspots(SEPTEMBER, boundaries=[DISTRICTS, WARDS], places=PLACES,
                              area="Maidstone", bandwidth=300, cell=25, quiet=True,
                              out_dir=tmp_path / "python")
    # The example of the README: one line to a GeoDataFrame.
    gdf = geopandas.GeoDataFrame(result["attributes"],
                                 geometry=geopandas.GeoSeries.from_wkb(result["wkb"]),
                                 crs=result["crs"])
    with open(tmp_path / "cli" / "patrol_list.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(gdf) == len(rows) > 10
    assert gdf.crs.to_epsg() == 27700
    assert list(gdf["name"]) == [r["name"] for r in rows]
    assert list(gdf["offences"]) == [int(r["offences"]) for r in rows]
    assert [f"{p:.3f}" for p in gdf["pai"]] == [r["pai"] for r in rows]
    assert list(gdf["top_streets"]) == [r["top_streets"] for r in rows]
    # Shapely's own area of each polygon equals the hotspot's area (cells x cell area).
    assert np.allclose(gdf.geometry.area, gdf["area_m2"], rtol=0, atol=1e-6)
    assert gdf.geometry.is_valid.all()
    assert hotspot.geodataframe(result).equals(gdf)
    assert filecmp.cmp(tmp_path / "python" / "patrol_list.csv",
                       tmp_path / "cli" / "patrol_list.csv", shallow=False)


def test_offences_in_memory_give_the_same_surface_as_the_file():
    pandas = pytest.importorskip("pandas")
    from_file = hotspot.kde(SEPTEMBER, quiet=True, **MAIDSTONE)
    # The whole file as a DataFrame: read by the same reader, through GDAL's memory files.
    frame = pandas.read_csv(SEPTEMBER, dtype=str, keep_default_na=False)
    from_frame = hotspot.kde(frame, quiet=True, **MAIDSTONE)
    assert np.array_equal(from_frame["values"], from_file["values"])
    # Projected coordinates as numpy columns, with their CRS.
    offences = hotspot.read_offences(SEPTEMBER, quiet=True)
    assert len(offences["x"]) == offences["summary"]["used"] == 18131
    assert offences["month"][0] == "2019-09"
    from_columns = hotspot.kde({"x": offences["x"], "y": offences["y"]}, crs="EPSG:27700",
                               quiet=True, **MAIDSTONE)
    assert np.array_equal(from_columns["values"], from_file["values"])
    # Filters apply as to a file: one crime type.
    burglary = hotspot.read_offences(SEPTEMBER, crime_type="Burglary", quiet=True)
    assert set(burglary["crime_type"]) == {"Burglary"}
    assert len(burglary["x"]) == int(np.sum(offences["crime_type"] == "Burglary"))


def test_every_command_runs_with_its_options(tmp_path):
    summary = hotspot.reconcile(SEPTEMBER, code_field="LSOA code",
                                areas=os.path.join(SOURCE, "data/boundaries/kent_lsoa_2011.geojson"),
                                area_code_field="LSOA11CD", out=tmp_path / "r.gpkg", quiet=True)
    assert summary["command"] == "reconcile"
    assert (tmp_path / "r.gpkg").exists()
    tables = hotspot.tables(SEPTEMBER, areas=WARDS, area_code_field="WD13CD",
                            area_name_field="WD13NM", out=tmp_path / "t.csv", quiet=True)
    assert tables["command"] == "tables"
    cli("tables", "--offences", SEPTEMBER, "--areas", WARDS, "--area-code-field", "WD13CD",
        "--area-name-field", "WD13NM", "--out", tmp_path / "cli.csv")
    assert filecmp.cmp(tmp_path / "t.csv", tmp_path / "cli.csv", shallow=False)


def test_bad_arguments_raise_the_command_lines_message():
    with pytest.raises(hotspot.HotspotError, match="nothere.csv: no such file") as error:
        hotspot.kde("nothere.csv", quiet=True)
    assert error.value.exit_code == 4
    with pytest.raises(hotspot.HotspotError, match="bandwith") as error:
        hotspot.kde(SEPTEMBER, bandwith=300, quiet=True)
    assert error.value.exit_code == 2
    with pytest.raises(hotspot.HotspotError, match="--bandwidth must be a positive") as error:
        hotspot.kde(SEPTEMBER, bandwidth=-1, quiet=True)
    assert error.value.exit_code == 2
    with pytest.raises(ValueError, match="differ in length"):
        hotspot.kde({"x": [1.0, 2.0], "y": [1.0]}, crs="EPSG:27700", quiet=True)
    with pytest.raises(TypeError, match="give a path"):
        hotspot.kde(42, quiet=True)


def test_the_gil_is_released_while_computing():
    ticks = 0
    stop = threading.Event()

    def tick():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    before = ticks
    hotspot.kde(SEPTEMBER, boundaries=DISTRICTS, area="Maidstone", bandwidth=300, cell=10,
                quiet=True)
    during = ticks - before
    stop.set()
    ticker.join()
    assert during > 5  # Python ran beside the computation


def test_sequences_paths_and_dates_are_taken_as_python_gives_them(tmp_path):
    import datetime
    import pathlib
    extent = (566000, 145800, 586000, 165800)
    as_tuple = hotspot.kde(pathlib.Path(SEPTEMBER), extent=extent, bandwidth=250, cell=50,
                           quiet=True)
    as_text = hotspot.kde(SEPTEMBER, extent="566000,145800,586000,165800", bandwidth=250,
                          cell=50, quiet=True)
    assert np.array_equal(as_tuple["values"], as_text["values"])
    # Days as datetime.date: September whole, so every September record stays.
    whole = hotspot.kde(SEPTEMBER, extent=list(extent), bandwidth=250, cell=50, quiet=True,
                        from_=datetime.date(2019, 9, 1), to=datetime.date(2019, 9, 30))
    assert np.array_equal(whole["values"], as_text["values"])
