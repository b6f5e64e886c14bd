#pragma once

#include <string>

namespace hotspot::io
{

/// A QGIS layer style (.qml) for a density surface: single-band pseudocolour along the maps'
/// viridis ramp from `legend_min` to `legend_max` (the PNG and web maps' colours), the minimum
/// transparent so that what lies under the surface shows where there is nothing, and the unit in
/// the first and last labels. QGIS loads a .qml beside a raster of the same name when it opens it.
std::string raster_style_qml(double legend_min, double legend_max, const std::string& unit);

/// The style's path for a raster: "density.tif" gives "density.qml".
std::string style_path_for(const std::string& raster_path);

} // namespace hotspot::io
