#pragma once
// Briefing maps: a density surface with its legend, boundaries and their names, hotspot outlines
// with their ranks, named places, scale bar, north arrow, title and attribution, drawn with cairo.

#include "hotspot/engine/core/grid.hpp"
#include "hotspot/io/basemap.hpp"
#include "hotspot/io/crs.hpp"

#include <limits>
#include <string>
#include <vector>

namespace hotspot::io
{

struct MapLabelledShape
{
    engine::MultiPolygon shape;
    std::string label;
    engine::Point2 label_at; ///< where the label is centred, in map coordinates
};

/// A class of a categorical map: its legend entry and colour (components 0..1).
struct MapCategory
{
    std::string label;
    double r = 0, g = 0, b = 0;
    double opacity = 1;
};

struct MapContent
{
    /// Values <= 0 and `nodata` are left clear. With `categories`, each value is instead the index
    /// of a category (anything else is left clear), and the legend lists them.
    engine::Raster<double> surface;
    std::vector<MapCategory> categories;
    double nodata = -9999.0;
    std::string units; ///< e.g. "offences per km²"
    /// The legend's top instead of the surface's peak (higher values take the top colour), so that
    /// maps drawn alike compare; NaN: the peak.
    double legend_max = std::numeric_limits<double>::quiet_NaN();
    std::vector<MapLabelledShape> boundaries;
    std::vector<MapLabelledShape> hotspots; ///< label: the rank
    std::vector<std::pair<std::string, engine::Point2>> places;
    std::string title;
    std::string subtitle;
    std::string attribution;
    Crs crs;         ///< of the surface and shapes; needed for a base map
    Basemap basemap; ///< drawn under the density, muted, and credited, when given
};

struct MapOptions
{
    int width_px = 1600; ///< of the whole image; the height follows the map's shape
    bool overwrite = false;
};

/// Where things landed, for checking a map without looking at it.
struct MapLayout
{
    int width_px = 0;
    int height_px = 0;
    double map_left = 0, map_top = 0,
           scale = 1; ///< pixel = (map_left + (x - xmin) scale, map_top + (ymax - y) scale)
    double xmin = 0, ymax = 0;
    double legend_min = 0, legend_max = 0;
    struct Box
    {
        std::string text;
        double x0, y0, x1, y1;
    };
    std::vector<Box> labels; ///< every piece of text drawn
    std::pair<double, double> pixel_of(engine::Point2 p) const
    {
        return {map_left + (p.x - xmin) * scale, map_top + (ymax - p.y) * scale};
    }
};

/// Draws the map to `path`: PNG, PDF or SVG by extension, written atomically. Throws Error(Usage)
/// for another extension and Error(Io) when the file cannot be written.
MapLayout render_map(const MapContent& content, const std::string& path, const MapOptions& options);

/// Throws Error(Usage) unless `path` ends in .png, .pdf or .svg.
void check_map_path(const std::string& path);

/// The colour the ramp gives a fraction 0..1 of the legend range (viridis, from ten anchor
/// colours).
void ramp_colour(double fraction, double& r, double& g, double& b);
/// A colour component 0..1 (clamped) as 0..255.
int colour_byte(double component);
/// "#rrggbb" of components 0..1 (clamped), for styles, legends and web pages.
std::string hex_colour(double r, double g, double b);
/// "#rrggbb" of the ramp's colour at `fraction`.
std::string ramp_hex(double fraction);

} // namespace hotspot::io
