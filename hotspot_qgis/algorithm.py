"""One hotspot command as a Processing algorithm. Its parameters are made from the command's
options as `hotspot help --json` describes them, and a run is the command line as a process."""

import html
import os
import subprocess
import threading

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
)

from . import registry

# Formats hotspot reads itself; a layer in any other form (a delimited-text layer, selected
# features only, a memory layer) is written to a GeoPackage first.
READABLE_FORMATS = ["gpkg", "shp", "geojson", "json", "fgb", "csv", "sqlite", "gml", "kml"]
VECTOR_OUTPUTS = {"gpkg", "geojson", "fgb", "shp"}
# Options a form shows under "Advanced parameters": how to run, and which columns to read where
# hotspot's own detection is wrong.
ADVANCED_GROUPS = {"Run", "Input"}


def _is_number(text):
    try:
        float(text)
        return True
    except (TypeError, ValueError):
        return False


def make_parameter(option, options_by_name):
    """The Processing parameter of one option, of QGIS's own type for its kind."""
    name, kind = option["parameter"], option["kind"]
    description = registry.label(option)
    optional = not option["required"]
    default = option.get("default")
    exts = registry.extensions(option)
    if kind == "points":
        # Tables too: a CSV of coordinate columns is a layer without geometry until read.
        param = QgsProcessingParameterFeatureSource(
            name, description, [QgsProcessing.TypeVector], optional=optional
        )
    elif kind == "layer":
        types = (
            [QgsProcessing.TypeVectorPolygon]
            if option.get("geometry") == "polygon"
            else [QgsProcessing.TypeVectorAnyGeometry]
        )
        param = QgsProcessingParameterFeatureSource(name, description, types, optional=optional)
    elif kind == "raster":
        param = QgsProcessingParameterRasterLayer(name, description, optional=optional)
    elif kind == "file":
        param = QgsProcessingParameterFile(
            name,
            description,
            QgsProcessingParameterFile.File,
            fileFilter=";;".join(f"{e.upper()} files (*.{e})" for e in exts),
            optional=optional,
        )
    elif kind == "field":
        parent = options_by_name[option["layer"]]["parameter"]
        param = QgsProcessingParameterField(
            name, description, parentLayerParameterName=parent, optional=optional
        )
    elif kind == "extent":
        param = QgsProcessingParameterExtent(name, description, optional=optional)
    elif kind == "crs":
        param = QgsProcessingParameterCrs(name, description, optional=optional)
    elif kind == "choice":
        choices = option["choices"]
        param = QgsProcessingParameterEnum(
            name,
            description,
            choices,
            defaultValue=choices.index(default) if default in choices else None,
            optional=optional,
        )
    elif kind == "flag":
        param = QgsProcessingParameterBoolean(name, description, defaultValue=False, optional=True)
    elif kind in ("integer", "number", "length", "area") and "TEXT" not in option["type"]:
        integer = kind == "integer"
        param = QgsProcessingParameterNumber(
            name,
            description + (" (metres)" if kind == "length" else ""),
            QgsProcessingParameterNumber.Integer if integer else QgsProcessingParameterNumber.Double,
            defaultValue=float(default) if _is_number(default) else None,
            optional=optional,
        )
    elif kind == "output-file":
        create = option["name"] == "--out"
        if exts == ["tif"]:
            param = QgsProcessingParameterRasterDestination(
                name, description, optional=optional, createByDefault=create
            )
        elif exts and set(exts) <= VECTOR_OUTPUTS:
            param = QgsProcessingParameterVectorDestination(
                name, description, optional=optional, createByDefault=create
            )
        else:
            param = QgsProcessingParameterFileDestination(
                name,
                description,
                fileFilter=";;".join(f"{e.upper()} files (*.{e})" for e in exts),
                optional=optional,
                createByDefault=create,
            )
    elif kind == "output-folder":
        param = QgsProcessingParameterFolderDestination(
            name, description, optional=optional, createByDefault=option["name"] != "--tiles-dir"
        )
    else:  # text, date, and lengths that take words too (--bandwidth auto)
        if option["repeatable"]:
            description += " (several: separate with ;)"
        param = QgsProcessingParameterString(
            name, description, defaultValue=default, optional=optional
        )
    param.setHelp(f"{option['name']}: {option['help']}")
    if optional and option["group"] in ADVANCED_GROUPS and kind not in ("points", "layer"):
        param.setFlags(param.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    return param


class HotspotAlgorithm(QgsProcessingAlgorithm):
    def __init__(self, executable, command):
        super().__init__()
        self._executable = executable
        self._command = command
        self._options = registry.asked_options(command)
        self._by_name = {o["name"]: o for o in command["options"]}

    def createInstance(self):  # noqa: N802
        return HotspotAlgorithm(self._executable, self._command)

    def name(self):
        return self._command["algorithm"]

    def displayName(self):  # noqa: N802
        return self._command["name"]

    def shortDescription(self):  # noqa: N802
        return self._command["summary"]

    def shortHelpString(self):  # noqa: N802
        paragraphs = [self._command["summary"]] + self._command["footer"].split("\n")
        return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p.strip())

    def initAlgorithm(self, config=None):  # noqa: N802
        for option in self._options:
            self.addParameter(make_parameter(option, self._by_name))

    def _given(self, parameters, option):
        value = parameters.get(option["parameter"])
        return value is not None and value != ""

    def _value(self, option, parameters, context, feedback, values):
        """The command-line value of one option, from the parameter QGIS filled."""
        name, kind = option["parameter"], option["kind"]
        if kind == "flag":
            return self.parameterAsBoolean(parameters, name, context)
        if not self._given(parameters, option):
            return None
        if kind in ("points", "layer"):
            path, layer_name = self.parameterAsCompatibleSourceLayerPathAndLayerName(
                parameters, name, context, READABLE_FORMATS, "gpkg", feedback
            )
            # The layer of a multi-layer file goes to the option that names it.
            companion = option["name"] + "-layer"
            if option["kind"] == "points":
                companion = "--layer"
            if (
                layer_name
                and path.lower().endswith((".gpkg", ".sqlite"))
                and companion in self._by_name
                and not values.get(companion)
            ):
                values[companion] = layer_name
            return path
        if kind == "raster":
            return self.parameterAsRasterLayer(parameters, name, context).source()
        if kind == "file":
            return self.parameterAsFile(parameters, name, context)
        if kind == "field":
            fields = self.parameterAsFields(parameters, name, context)
            return fields[0] if fields else None
        if kind == "crs":
            crs = self.parameterAsCrs(parameters, name, context)
            return (crs.authid() or crs.toWkt()) if crs.isValid() else None
        if kind == "extent":
            target = values.get("--target-crs")
            crs = self.parameterAsExtentCrs(parameters, name, context)
            if target:
                crs = QgsCoordinateReferenceSystem(target)
            elif crs.isValid() and "--target-crs" in self._by_name:
                if crs.isGeographic():
                    raise QgsProcessingException(
                        "The extent is in degrees: give TARGET_CRS, the projected CRS to "
                        "compute in, and the extent is taken into it"
                    )
                values["--target-crs"] = crs.authid() or crs.toWkt()
            box = self.parameterAsExtent(parameters, name, context, crs)
            return registry.extent_text(
                box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()
            )
        if kind == "choice":
            return option["choices"][self.parameterAsEnum(parameters, name, context)]
        if kind in ("integer", "number", "length", "area") and "TEXT" not in option["type"]:
            return self.parameterAsDouble(parameters, name, context)
        if kind == "output-file" and isinstance(
            self.parameterDefinition(name),
            (QgsProcessingParameterRasterDestination, QgsProcessingParameterVectorDestination),
        ):
            return self.parameterAsOutputLayer(parameters, name, context)
        if kind in registry.OUTPUT_KINDS:
            return self.parameterAsFileOutput(parameters, name, context)
        text = self.parameterAsString(parameters, name, context)
        return registry.split_values(text) if option["repeatable"] else text

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        values = {}
        # CRSs first: an extent is taken into the CRS the run computes in.
        ordered = sorted(self._options, key=lambda o: o["kind"] != "crs")
        for option in ordered:
            value = self._value(option, parameters, context, feedback, values)
            if value is not None and option["name"] not in values:
                values[option["name"]] = value
        arguments = [self._executable] + registry.build_arguments(self._command, values)
        feedback.pushCommandInfo(" ".join(arguments))
        self._run(arguments, feedback)

        results = {}
        for option in self._options:
            path = values.get(option["name"])
            if option["kind"] in registry.OUTPUT_KINDS and path:
                results[option["parameter"]] = path
                if option["kind"] == "output-folder":
                    self._load_folder(path, context)
        return results

    def _run(self, arguments, feedback):
        environment = dict(os.environ, HOTSPOT_PROGRESS="lines")
        process = subprocess.Popen(
            arguments,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            env=environment,
        )
        stop = threading.Event()

        def cancel_when_asked():
            while not stop.wait(0.2):
                if feedback.isCanceled():
                    process.terminate()
                    return

        watcher = threading.Thread(target=cancel_when_asked, daemon=True)
        watcher.start()
        last_lines = []
        shown_stage = None
        for line in process.stdout:
            line = line.rstrip("\n")
            percent = registry.progress_of(line) if line.startswith("progress ") else None
            if percent is not None:
                # Each stage counts to 100 on its own: say which stage the bar is for.
                stage = line.split()[1]
                if stage != shown_stage:
                    feedback.setProgressText(stage)
                    shown_stage = stage
                feedback.setProgress(percent)
                continue
            last_lines = (last_lines + [line])[-5:]
            if line.startswith("warning:"):
                feedback.pushWarning(line)
            else:
                feedback.pushInfo(line)
        code = process.wait()
        stop.set()
        watcher.join()
        if feedback.isCanceled():
            raise QgsProcessingException("hotspot was cancelled")
        if code != 0:
            raise QgsProcessingException(
                f"hotspot {self._command['name']} failed (exit {code}): " + " / ".join(last_lines)
            )

    def _load_folder(self, folder, context):
        """Adds a folder's surfaces and layers to the project, with the styles beside them."""
        if context.project() is None or not os.path.isdir(folder):
            return
        for entry in sorted(os.listdir(folder)):
            if entry.endswith((".tif", ".gpkg")):
                path = os.path.join(folder, entry)
                context.addLayerToLoadOnCompletion(
                    path,
                    QgsProcessingContext.LayerDetails(
                        os.path.splitext(entry)[0], context.project(), entry
                    ),
                )
