#pragma once
// How outputs open in a GIS: QGIS styles (.qml, and a GeoPackage's layer_styles table, which QGIS
// loads as the layer's default) and the same styles as OGC SLD 1.1 for GeoServer and MapServer.

#include "hotspot/io/map.hpp"
#include "hotspot/io/vector.hpp"

#include <string>
#include <vector>

namespace hotspot::io
{

/// A QGIS layer style (.qml) for a density surface: single-band pseudocolour along the maps'
/// viridis ramp from `legend_min` to `legend_max` (the PNG and web maps' colours), the minimum
/// transparent so that what lies under the surface shows where there is nothing, and the unit in
/// the first and last labels. Values above the maximum take its colour. QGIS loads a .qml beside a
/// raster of the same name when it opens it.
std::string raster_style_qml(double legend_min, double legend_max, const std::string& unit);

/// The same style as SLD 1.1 (a RasterSymbolizer's ColorMap).
std::string raster_style_sld(double legend_min, double legend_max, const std::string& unit,
                             const std::string& layer_name);

/// The style's path for a raster: "density.tif" gives "density.qml".
std::string style_path_for(const std::string& raster_path);

/// The SLD's path for an output: "density.tif" gives "density.sld".
std::string sld_path_for(const std::string& path);

/// How a vector layer is drawn.
struct VectorStyle
{
    /// With categories: each feature is drawn in the colour of its `category_field` value (the
    /// category's label); values in no category are not drawn.
    std::string category_field;
    std::vector<MapCategory> categories;
    /// Without: one symbol, this outline and no fill (hotspot outlines over a density surface).
    MapCategory outline{"", 215 / 255.0, 25 / 255.0, 28 / 255.0, 1};
    double outline_mm = 0.6;
    /// Labels each feature by this field (empty: no labels), in the outline's colour.
    std::string label_field;
    /// QGIS's display name of a feature, in the identify results and map tips (empty: QGIS's).
    std::string display_field;
};

/// The QGIS style of a layer of `kind`.
std::string vector_style_qml(const VectorStyle& style, GeometryKind kind);

/// The same style as SLD 1.1.
std::string vector_style_sld(const VectorStyle& style, GeometryKind kind,
                             const std::string& layer_name);

/// Red outlines over a clear fill, labelled by rank: hotspots and patrol cells over a surface.
VectorStyle ranked_outlines(const std::string& display_field);

/// Gives the writer's layer its default style; with `sld`, also writes the SLD beside `path`.
void apply_style(VectorWriter& writer, const VectorStyle& style, GeometryKind kind,
                 const std::string& path, const std::string& layer_name, bool sld, bool overwrite);

/// Refuses, before any work, an SLD that could not be written beside `path`.
void check_sld_output(const std::string& path, bool sld, bool overwrite);

} // namespace hotspot::io
