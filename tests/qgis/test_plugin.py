"""The plugin inside QGIS, headless: qgis_process loads it from a throwaway profile, lists every
command, and runs kde and hotspots to the command line's own outputs; PyQGIS checks that every
algorithm asks for exactly its command's options, and that a surface opens styled."""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

try:
    from qgis.core import QgsApplication
except ImportError:
    QgsApplication = None
QGIS_PROCESS = shutil.which("qgis_process.bin") or shutil.which("qgis_process")
if QgsApplication is None or QGIS_PROCESS is None:
    pytest.skip("HOTSPOT-SKIP: QGIS is not installed (Debian qgis, python3-qgis; make deps "
                "installs them)", allow_module_level=True)

HOTSPOT = os.environ["HOTSPOT_BINARY"]
SOURCE = os.environ["HOTSPOT_SOURCE_DIR"]
SEPTEMBER = f"{SOURCE}/data/police_uk/2019-09-kent-street.csv"
PLACES = f"{SOURCE}/data/places/maidstone_places.csv"
EXTENT = "570000,580000,150000,160000 [EPSG:27700]"  # QGIS's order: xmin,xmax,ymin,ymax

sys.path.insert(0, SOURCE)
from hotspot_qgis import registry  # noqa: E402


@pytest.fixture(scope="module")
def qgis_env(tmp_path_factory):
    """A throwaway profile (HOME) whose plugin folder holds the plugin, enabled."""
    root = tmp_path_factory.mktemp("qgis")
    # Installed from the zip `make qgis-plugin` builds, as an analyst installs it.
    made = subprocess.run(["make", "-s", "-C", SOURCE, "qgis-plugin", f"BUILD_DIR={root}"],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    plugins = root / "plugins"
    with zipfile.ZipFile(root / "hotspot_qgis.zip") as plugin:
        assert "hotspot_qgis/metadata.txt" in plugin.namelist()
        plugin.extractall(plugins)
    runtime = root / "runtime"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, HOME=str(root / "home"), QGIS_PLUGINPATH=str(plugins),
               QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime),
               HOTSPOT_EXECUTABLE=HOTSPOT)
    env.pop("QGIS_OPTS", None)
    enabled = qgis_process(env, "plugins", "enable", "hotspot_qgis")
    assert enabled.returncode == 0, enabled.stdout + enabled.stderr
    return env


def qgis_process(env, *arguments):
    return subprocess.run([QGIS_PROCESS, *arguments], capture_output=True, text=True, env=env,
                          timeout=600)


@pytest.fixture(scope="module")
def commands():
    return registry.load_registry(HOTSPOT)["commands"]


@pytest.fixture(scope="module")
def qgis_app(tmp_path_factory):
    """PyQGIS, headless, once for the module (QGIS allows one application a process)."""
    runtime = tmp_path_factory.mktemp("runtime")
    runtime.chmod(0o700)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    yield app
    app.exitQgis()  # after each test's layers are gone with its frame


def test_qgis_process_lists_every_command(qgis_env, commands):
    listed = qgis_process(qgis_env, "list")
    assert listed.returncode == 0, listed.stderr
    for command in commands:
        assert f"hotspot:{command['algorithm']}\t{command['name']}" in listed.stdout


def test_each_algorithm_asks_for_its_commands_options(qgis_app, commands):
    # An option added to a command appears here without editing the plugin. The provider is
    # loaded in this process, as QGIS loads it (qgis_process list above shows the same).
    from qgis.core import QgsProcessingParameterDefinition

    from hotspot_qgis.provider import HotspotProvider

    os.environ["HOTSPOT_EXECUTABLE"] = HOTSPOT
    provider = HotspotProvider()
    assert QgsApplication.processingRegistry().addProvider(provider)
    kinds = {"points": "source", "layer": "source", "raster": "raster", "file": "file",
             "field": "field", "extent": "extent", "crs": "crs", "choice": "enum",
             "flag": "boolean", "output-folder": "folderDestination"}
    algorithms = {a.name(): a for a in provider.algorithms()}
    assert set(algorithms) == {c["algorithm"] for c in commands}
    for command in commands:
        definitions = {p.name(): p for p in algorithms[command["algorithm"]].parameterDefinitions()}
        asked = registry.asked_options(command)
        assert set(definitions) == {o["parameter"] for o in asked}, command["name"]
        for option in asked:
            parameter = definitions[option["parameter"]]
            optional = bool(parameter.flags() & QgsProcessingParameterDefinition.FlagOptional)
            assert optional == (not option["required"]), option["name"]
            if option["kind"] in kinds:
                assert parameter.type() == kinds[option["kind"]], option["name"]
            if option["kind"] == "choice":
                assert parameter.options() == option["choices"]
            if option["kind"] == "field":
                parent = next(o for o in asked if o["name"] == option["layer"])
                assert parameter.parentLayerParameterName() == parent["parameter"]
            assert parameter.help().startswith(option["name"] + ": ")
    QgsApplication.processingRegistry().removeProvider(provider)


def run_cli(*arguments):
    done = subprocess.run([HOTSPOT, *arguments], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


def test_kde_from_qgis_is_the_command_lines_surface(qgis_env, tmp_path):
    ran = qgis_process(qgis_env, "run", "hotspot:kde", "--", f"OFFENCES={SEPTEMBER}", "CELL=50",
                       "BANDWIDTH=400", f"EXTENT={EXTENT}", f"OUT={tmp_path / 'qgis.tif'}")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    run_cli("kde", "--offences", SEPTEMBER, "--cell", "50", "--bandwidth", "400", "--extent",
            "570000,150000,580000,160000", "--target-crs", "EPSG:27700", "--out",
            str(tmp_path / "cli.tif"))
    assert (tmp_path / "qgis.tif").read_bytes() == (tmp_path / "cli.tif").read_bytes()
    assert (tmp_path / "qgis.qml").read_bytes() == (tmp_path / "cli.qml").read_bytes()


def test_hotspots_from_qgis_are_the_command_lines(qgis_env, tmp_path):
    ran = qgis_process(qgis_env, "run", "hotspot:hotspots", "--", f"OFFENCES={SEPTEMBER}",
                       f"PLACES={PLACES}", "CELL=25", "BANDWIDTH=300", f"EXTENT={EXTENT}",
                       f"OUT_DIR={tmp_path / 'qgis'}", "CRIME_TYPE=Burglary;Vehicle crime")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    run_cli("hotspots", "--offences", SEPTEMBER, "--places", PLACES, "--cell", "25",
            "--bandwidth", "300", "--extent", "570000,150000,580000,160000", "--target-crs",
            "EPSG:27700", "--crime-type", "Burglary", "--crime-type", "Vehicle crime",
            "--out-dir", str(tmp_path / "cli"))
    for name in ("density.tif", "patrol_list.csv", "hotspots.geojson"):
        assert (tmp_path / "qgis" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    from osgeo import ogr

    def features(folder):
        source = ogr.Open(str(folder / "hotspots.gpkg"))  # held: its layer dies with it
        return [(f.items(), f.GetGeometryRef().ExportToWkt()) for f in source.GetLayer(0)]

    assert features(tmp_path / "qgis") == features(tmp_path / "cli")
    assert len(features(tmp_path / "cli")) > 0


def test_a_surface_opens_styled_and_renders_its_legend_colours(qgis_app, tmp_path):
    from qgis.core import (QgsMapRendererParallelJob, QgsMapSettings, QgsRasterLayer,
                           QgsRectangle)
    from qgis.PyQt.QtCore import QSize
    from osgeo import gdal

    surface = tmp_path / "density.tif"
    run_cli("kde", "--offences", SEPTEMBER, "--cell", "100", "--bandwidth", "400", "--extent",
            "570000,150000,580000,160000", "--out", str(surface))
    layer = QgsRasterLayer(str(surface), "density")
    assert layer.isValid()
    renderer = layer.renderer()
    assert renderer.type() == "singlebandpseudocolor"
    shader = renderer.shader().rasterShaderFunction()
    items = shader.colorRampItemList()
    assert items[0].color.alpha() == 0  # nothing: clear
    assert items[-1].color.name() == "#fde725"  # viridis' last colour, at the legend's top
    assert "per km²" in items[-1].label

    # Rendered at one pixel a cell: each pixel is the ramp's colour of its cell's value.
    values = gdal.Open(str(surface)).ReadAsArray()
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(QgsRectangle(570000, 150000, 580000, 160000))
    settings.setOutputSize(QSize(100, 100))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    peak_row, peak_col = divmod(int(values.argmax()), values.shape[1])
    checked = 0
    for row, col in [(peak_row, peak_col), (50, 50), (10, 90), (90, 10)]:
        ok, r, g, b, a = shader.shade(float(values[row, col]))
        pixel = image.pixelColor(col, row)
        if a == 255:
            assert abs(pixel.red() - r) <= 2 and abs(pixel.green() - g) <= 2 and \
                abs(pixel.blue() - b) <= 2, (row, col, values[row, col])
            checked += 1
    assert checked >= 2


def test_vector_outputs_open_styled_and_slds_sit_beside_them(qgis_app, tmp_path):
    from qgis.core import QgsRasterLayer, QgsVectorLayer
    from qgis.PyQt.QtCore import Qt

    run_cli("hotspots", "--offences", SEPTEMBER, "--places", PLACES, "--cell", "25",
            "--bandwidth", "300", "--extent", "570000,150000,580000,160000", "--legend-max",
            "1500", "--sld", "--out-dir", str(tmp_path / "spots"))
    spots = QgsVectorLayer(str(tmp_path / "spots" / "hotspots.gpkg") + "|layername=hotspots",
                           "hotspots", "ogr")
    assert spots.isValid() and spots.featureCount() > 0
    outline = spots.renderer().symbol().symbolLayer(0)
    assert spots.renderer().type() == "singleSymbol"
    assert outline.strokeColor().name() == "#d7191c"
    assert outline.brushStyle() == Qt.NoBrush  # the density shows through
    assert spots.labelsEnabled() and spots.labeling().settings().fieldName == "rank"
    assert spots.displayExpression() == '"name"'
    density = QgsRasterLayer(str(tmp_path / "spots" / "density.tif"), "density")
    assert density.renderer().shader().rasterShaderFunction().maximumValue() == 1500
    for name in ("hotspots.sld", "density.sld"):
        assert (tmp_path / "spots" / name).read_text().startswith("<?xml")

    run_cli("reconcile", "--offences", SEPTEMBER, "--code-field", "LSOA code", "--areas",
            f"{SOURCE}/data/boundaries/kent_lsoa_2011.geojson", "--area-code-field", "LSOA11CD",
            "--out", str(tmp_path / "reconciled.gpkg"))
    records = QgsVectorLayer(str(tmp_path / "reconciled.gpkg") + "|layername=reconciled",
                             "reconciled", "ogr")
    renderer = records.renderer()
    assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "status"
    colours = {c.value(): c.symbol().symbolLayer(0).color().name() for c in renderer.categories()}
    assert colours["match"] == "#1a9641" and colours["corrected"] == "#fdae61"
    # Every status a record has is drawn: none falls outside the categories.
    statuses = {f["status"] for f in records.getFeatures()}
    assert statuses <= set(colours)
