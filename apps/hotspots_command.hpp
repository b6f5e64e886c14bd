#pragma once

#include "cli.hpp"
#include "density.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"
#include "hotspot/io/basemap.hpp"
#include "hotspot/io/places.hpp"
#include "hotspot/io/vector.hpp"
#include "style_options.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hotspot::app
{

/// How hot cells are chosen and joined: --method by name, and the rule's parameters as given.
struct HotspotMethodSpec
{
    std::string method = "mean-multiple";
    engine::HotspotRule rule; ///< its method is set from `method` by hotspot_rule
};

void add_hotspot_method_options(CLI::App& command, HotspotMethodSpec& spec);
void check_hotspot_method(const HotspotMethodSpec& spec);

/// The rule `spec` names, for engine::find_hotspot_cells (Usage error for an unknown method).
engine::HotspotRule hotspot_rule(const HotspotMethodSpec& spec);

struct HotspotsRequest
{
    OffenceInput input;
    DensitySpec density;
    HotspotMethodSpec method;
    std::string surface_path; ///< a surface to use instead of computing one
    std::string street_field; ///< the street of each record (police.uk: Location; detected)
    std::string places_path;
    double place_radius_m = 1000; ///< a hotspot takes a place's name only within this distance
    std::string out_dir;
    std::string table_out; ///< a PostGIS database (PG:...) to write the hotspots to, as `table`
    std::string table;
    std::size_t show = 10; ///< hotspots printed
    std::string map_path;  ///< also draw the briefing map here (.png, .pdf, .svg)
    std::string html_path; ///< also write the web map here (.html)
    io::Basemap basemap;   ///< under the density on both maps
    std::string title;     ///< of the map
    int map_width_px = 1600;
    StyleOptions style; ///< the density legend's top; SLD copies of the styles
    RunOptions run;
};

/// The hotspots as rows, ranked: what hotspots.gpkg and patrol_list.csv hold (the Python module's
/// hotspots).
struct HotspotRows
{
    std::vector<io::VectorField> fields;
    std::vector<std::vector<io::FieldValue>> rows;
    std::vector<engine::MultiPolygon> outlines;
    io::Crs crs;
};

CLI::App* add_hotspots_command(CLI::App& app, HotspotsRequest& request);
/// With `in_memory` the rows are also handed back there, and no output need be named.
nlohmann::json run_hotspots(const HotspotsRequest& request, Reporter& reporter,
                            HotspotRows* in_memory = nullptr);

/// `hotspot map`: the same analysis as `hotspots`, drawn as a briefing map only.
CLI::App* add_map_command(CLI::App& app, HotspotsRequest& request);
nlohmann::json run_map(const HotspotsRequest& request, Reporter& reporter);

} // namespace hotspot::app
