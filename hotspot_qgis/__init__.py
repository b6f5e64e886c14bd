"""hotspot's QGIS plugin: the hotspot commands as a Processing provider."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    # iface is None under qgis_process: the provider needs no window.
    from .plugin import HotspotPlugin

    return HotspotPlugin(iface)
