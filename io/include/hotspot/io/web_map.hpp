#pragma once
// A web map in one self-contained HTML file: Leaflet inlined, the density as an image in Web
// Mercator, hotspots with their popups, boundaries, places, a legend and the patrol list beside the
// map. It opens offline in any browser; a tile URL adds an online base map.

#include "hotspot/io/map.hpp"

#include <string>
#include <vector>

namespace hotspot::io
{

/// One hotspot's row: its fields' values as text, in the order of WebMapContent::fields.
struct WebMapHotspot
{
    std::vector<std::string> values;
    /// When offences have times: the hour-of-week chart's cells, Monday 00:00 first, as colours
    /// ("#440154"), drawn under the popup's table; empty without times.
    std::vector<std::string> hour_colours;
};

struct WebMapContent
{
    MapContent map; ///< surface, units, boundaries, hotspots (label: rank), places, titles, crs
    std::vector<std::string> fields;    ///< of each hotspot's popup, e.g. "Offences", "PAI"
    std::size_t table_fields = 0;       ///< the first this many are the patrol list's columns
    std::vector<WebMapHotspot> details; ///< one per map.hotspots, in the same order
};

struct WebMapOptions
{
    int max_image_px = 4096; ///< the density image's longer side at most (coarser beyond)
    bool overwrite = false;
};

/// What the page holds, for checking it without a browser.
struct WebMapSummary
{
    double legend_min = 0, legend_max = 0;
    int image_width = 0, image_height = 0;
    std::size_t hotspots = 0;
    std::size_t bytes = 0;
};

/// Writes the page atomically. Throws Error(Usage) when `path` is not .html/.htm or hotspot was
/// built without Leaflet, Error(Io) when it cannot be written.
WebMapSummary write_web_map(const WebMapContent& content, const std::string& path,
                            const WebMapOptions& options);

/// Throws Error(Usage) unless `path` ends in .html or .htm and Leaflet is compiled in.
void check_web_map_path(const std::string& path);

} // namespace hotspot::io
