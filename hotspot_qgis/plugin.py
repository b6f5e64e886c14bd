"""Registers the provider: with a QGIS window (initGui) and without one (initProcessing, which
qgis_process calls)."""

from qgis.core import QgsApplication

from .provider import HotspotProvider


class HotspotPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802
        if self.provider is None:
            self.provider = HotspotProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
