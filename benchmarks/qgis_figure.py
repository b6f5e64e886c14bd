#!/usr/bin/env python3
"""README's QGIS figure: Maidstone's hotspots and density as QGIS 3.22 draws them when it opens
hotspot's outputs, with no styling by hand (the .qml beside density.tif, the layer_styles table in
hotspots.gpkg). Usage: /usr/bin/python3 benchmarks/qgis_figure.py build/bin/hotspot OUT.png"""

import os
import subprocess
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings,  # noqa: E402
                       QgsRasterLayer, QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

hotspot, out = sys.argv[1], sys.argv[2]
source = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
work = tempfile.mkdtemp()
subprocess.run([hotspot, "hotspots", "--offences",
                f"{source}/data/police_uk/2019-09-kent-street.csv", "--boundaries",
                f"{source}/data/boundaries/kent_districts_2013.geojson", "--area", "Maidstone",
                "--places", f"{source}/data/places/maidstone_places.csv", "--bandwidth", "300",
                "--cell", "25", "--out-dir", work, "--quiet"], check=True)

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
density = QgsRasterLayer(f"{work}/density.tif", "density")
spots = QgsVectorLayer(f"{work}/hotspots.gpkg|layername=hotspots", "hotspots", "ogr")
settings = QgsMapSettings()
settings.setLayers([spots, density])
settings.setDestinationCrs(density.crs())
settings.setBackgroundColor(QColor("white"))
settings.setExtent(QgsRectangle(573000, 152500, 579000, 158000))  # Maidstone town
settings.setOutputSize(QSize(1200, 1100))
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
job.renderedImage().save(out)
print(f"wrote {out}")
del job, settings, spots, density
app.exitQgis()
