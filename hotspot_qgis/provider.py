"""The hotspot provider: one algorithm per command of `hotspot help --json`."""

from qgis.core import Qgis, QgsMessageLog, QgsProcessingProvider

from . import registry
from .algorithm import HotspotAlgorithm

try:  # the Processing plugin's settings, where it is loaded (QGIS and qgis_process both load it)
    from processing.core.ProcessingConfig import ProcessingConfig, Setting
except ImportError:  # pragma: no cover
    ProcessingConfig = None

EXECUTABLE_SETTING = "HOTSPOT_EXECUTABLE"


class HotspotProvider(QgsProcessingProvider):
    def id(self):
        return "hotspot"

    def name(self):
        return "hotspot"

    def longName(self):  # noqa: N802
        return "hotspot: crime hotspot analysis"

    def load(self):
        if ProcessingConfig is not None:
            ProcessingConfig.settingIcons[self.name()] = self.icon()
            ProcessingConfig.addSetting(
                Setting(
                    self.name(),
                    EXECUTABLE_SETTING,
                    "hotspot program (empty: $HOTSPOT_EXECUTABLE, else hotspot on PATH)",
                    "",
                    valuetype=Setting.FILE,
                )
            )
            ProcessingConfig.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self):
        if ProcessingConfig is not None:
            ProcessingConfig.removeSetting(EXECUTABLE_SETTING)

    def supportsNonFileBasedOutput(self):  # noqa: N802
        return False  # hotspot writes files

    def supportedOutputRasterLayerExtensions(self):  # noqa: N802
        return ["tif"]

    def supportedOutputVectorLayerExtensions(self):  # noqa: N802
        return ["gpkg", "geojson", "fgb", "csv"]

    def loadAlgorithms(self):  # noqa: N802
        setting = ProcessingConfig.getSetting(EXECUTABLE_SETTING) if ProcessingConfig else None
        executable = registry.find_executable(setting)
        if executable is None:
            QgsMessageLog.logMessage(
                "hotspot: the hotspot program was not found: put it on PATH, or name it in "
                "$HOTSPOT_EXECUTABLE or in Processing > Options > Providers > hotspot",
                "hotspot",
                Qgis.Warning,
            )
            return
        try:
            commands = registry.load_registry(executable)["commands"]
        except (OSError, RuntimeError, ValueError) as error:
            QgsMessageLog.logMessage(f"hotspot: {error}", "hotspot", Qgis.Critical)
            return
        for command in commands:
            self.addAlgorithm(HotspotAlgorithm(executable, command))
