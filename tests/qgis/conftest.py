"""The plugin's folder is imported as the package QGIS imports it: hotspot_qgis."""

import os
import sys

sys.path.insert(0, os.path.join(os.environ.get("HOTSPOT_SOURCE_DIR", "../.."), ""))
