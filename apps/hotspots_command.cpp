#include "hotspots_command.hpp"
#include "option_kinds.hpp"

#include "hotspot/engine/core/ranking.hpp"
#include "hotspot/engine/hotspots/characterise.hpp"
#include "hotspot/engine/spacetime/aoristic.hpp"

#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/spacetime/aoristic.hpp"
#include "hotspot/io/chart.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/geotiff.hpp"
#include "hotspot/io/layer_style.hpp"
#include "hotspot/io/map.hpp"
#include "hotspot/io/postgis.hpp"
#include "hotspot/io/streets.hpp"
#include "hotspot/io/vector.hpp"
#include "hotspot/io/web_map.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

namespace hotspot::app
{

namespace
{
namespace fs = std::filesystem;

engine::ThresholdMethod method_of(const HotspotMethodSpec& spec)
{
    return named_value(engine::threshold_method_names, spec.method, "--method", "a method");
}

// A hotspot's figures (engine::characterise_regions) and what patrols call it.
struct Hotspot : engine::RegionFigures
{
    std::vector<std::string> overlaps; ///< per boundary layer: "High Street 78%; Bridge 22%"
    std::string main_area;             ///< the area of the last boundary layer holding most of it
    std::string name;                  ///< what patrols call it: a place nearby, else its main area
    std::string place;
    std::string streets; ///< the streets with most offences in it: "High Street 34; Week Street 20"
    engine::Signature when; ///< its offences by hour of the week, where they carry times
    std::string top_hours;  ///< its busiest 4 hours: "Fri 22:00 to Sat 02:00 (41%)"
    double place_distance_m = std::numeric_limits<double>::quiet_NaN();
    engine::MultiPolygon outline;
};

// Everything the hotspot outputs and the map are made from.
struct HotspotAnalysis
{
    io::OffenceTable table;
    Density density;
    bool given_surface = false;
    engine::HotspotCells cells;
    std::vector<Hotspot> spots; ///< ranked
    std::size_t withheld = 0;   ///< hotspots of fewer than --min-count offences, dropped
    std::int64_t in_study = 0;
    double study_area = 0;
    std::shared_ptr<const std::vector<io::Place>> places;
};

std::string top_types(const Hotspot& h, const std::vector<std::string>& names, std::size_t limit)
{
    std::string out;
    for (const auto& [type, count] : engine::ranked_by_count(h.types, limit))
        out += (out.empty() ? "" : "; ") +
               (type >= 0 ? names[static_cast<std::size_t>(type)] : std::string("(no type)")) +
               " " + std::to_string(count);
    return out;
}
} // namespace

void add_hotspot_method_options(CLI::App& cmd, HotspotMethodSpec& s)
{
    cmd.add_option(
           "--method", s.method,
           "mean-multiple (default: cells >= K x mean of non-zero cells), mean-sd (mean + K sd), "
           "top-area (densest P% of the area), gi-star (Getis-Ord Gi* with FDR)")
        ->transform(choice(engine::threshold_method_names))
        ->group("Hotspots");
    cmd.add_option("--k", s.rule.k, "K for mean-multiple (default 3) or mean-sd (default 2)")
        ->group("Hotspots");
    cmd.add_option("--percent", s.rule.percent,
                   "P for top-area, percent of the study area (default 5)")
        ->group("Hotspots");
    cmd.add_option("--band", s.rule.band_m, "Gi* distance band in metres (default: the bandwidth)")
        ->transform(length_unit())
        ->group("Hotspots");
    cmd.add_option("--alpha", s.rule.alpha, "Gi* false discovery rate (default 0.05)")
        ->group("Hotspots");
    cmd.add_option("--min-area", s.rule.min_area_m2,
                   "Drop hotspots smaller than this many square metres")
        ->group("Hotspots");
}

void check_hotspot_method(const HotspotMethodSpec& s)
{
    const auto method = method_of(s);
    const engine::HotspotRule& r = s.rule;
    if (r.k && (!(*r.k > 0) || *r.k > 100))
        throw Error(Errc::Usage, "--k must lie between 0 and 100 (got " + fixed(*r.k, 3) + ")");
    if (r.percent && (!(*r.percent > 0) || *r.percent > 100))
        throw Error(Errc::Usage,
                    "--percent must lie in (0, 100] (got " + fixed(*r.percent, 3) + ")");
    if (r.band_m)
        require_positive(*r.band_m, "--band");
    if (!(r.alpha > 0 && r.alpha < 1))
        throw Error(Errc::Usage, "--alpha must lie between 0 and 1");
    if (!(r.min_area_m2 >= 0))
        throw Error(Errc::Usage, "--min-area must be 0 or more square metres");
    if (method != engine::ThresholdMethod::TopArea && r.percent)
        throw Error(Errc::Usage, "--percent goes with --method top-area");
}

engine::HotspotRule hotspot_rule(const HotspotMethodSpec& spec)
{
    engine::HotspotRule rule = spec.rule;
    rule.method = method_of(spec);
    return rule;
}

void add_hotspot_analysis_options(CLI::App& cmd, HotspotsRequest& r)
{
    add_offence_options(cmd, r.input);
    add_density_options(cmd, r.density);
    add_hotspot_method_options(cmd, r.method);
    cmd.add_option("--surface", r.surface_path, "Use this density GeoTIFF instead of computing one")
        ->check(raster_input())
        ->group("Density");
    cmd.add_option("--places", r.places_path,
                   "Gazetteer of named places (CSV name, longitude, latitude), e.g. "
                   "data/places/maidstone_places.csv")
        ->check(file_input("csv"))
        ->group("Hotspots");
    cmd.add_option("--place-radius", r.place_radius_m,
                   "A hotspot is named after a place only within this many metres of its peak "
                   "(default 1000); "
                   "else after the area of the last --boundaries layer that holds most of it")
        ->transform(length_unit())
        ->group("Hotspots");
    cmd.add_option("--street-field", r.street_field,
                   "Field holding each record's street or address, for the streets of each "
                   "hotspot (default: police.uk's Location, else a field called street, location "
                   "or address; 'On or near' is dropped)")
        ->check(field_of("--offences"))
        ->group("Hotspots");
    cmd.add_option("--title", r.title, "Title of the map")->group("Map");
    cmd.add_option("--width", r.map_width_px, "Width of the map in pixels (default 1600)")
        ->group("Map");
    cmd.add_option("--html", r.html_path,
                   "Also write a web map: one .html file that opens offline in any browser "
                   "(density, hotspots with popups, wards, places, legend, patrol list)")
        ->check(output_file("html"))
        ->group("Map");
    cmd.add_option("--basemap,--tiles", r.basemap.source,
                   "Base map under the density, in muted tones: a raster file GDAL opens (GeoTIFF, "
                   "MBTiles, GeoPackage tiles) or an XYZ tile URL with {z}/{x}/{y} (read at run "
                   "time; the web map's viewers fetch the tiles themselves)")
        ->group("Map");
    cmd.add_option("--basemap-attribution", r.basemap.attribution,
                   "Credit for the base map, e.g. \"(c) OpenStreetMap contributors\"")
        ->group("Map");
}

CLI::App* add_hotspots_command(CLI::App& app, HotspotsRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "hotspots", "Hotspot polygons for patrol targeting: ranked, named after places "
                    "and areas, with the evidence behind each");
    add_hotspot_analysis_options(*cmd, r);
    cmd->add_option("--out-dir", r.out_dir,
                    "Folder for hotspots.gpkg, hotspots.geojson, patrol_list.csv, density.tif")
        ->check(output_folder())
        ->group("Output");
    cmd->add_option("--out", r.table_out,
                    "Also (or instead) write the hotspots to a PostGIS table: "
                    "PG:\"dbname=... host=...\" with --table")
        ->group("Output");
    cmd->add_option("--table", r.table,
                    "With --out PG:..., the table to write (in one transaction; --overwrite "
                    "replaces an existing one)")
        ->group("Output");
    cmd->add_option("--map", r.map_path, "Also draw the briefing map: .png, .pdf or .svg")
        ->check(output_file("png|pdf|svg"))
        ->group("Map");
    cmd->add_option("--show", r.show, "Hotspots to print (default 10)")->group("Output");
    add_legend_option(*cmd, r.style);
    add_sld_option(*cmd, r.style);
    add_run_options(*cmd, r.run);
    cmd->footer(
        "Each hotspot: rank, area, offences inside (records, not density), share of all offences, "
        "PAI =\n"
        "(n/N)/(a/A), peak and mean density, harm (with --weight-field), the areas of every "
        "--boundaries layer it\n"
        "overlaps, the nearest named place, its top crime types and its top streets. Example:\n"
        "  hotspot hotspots --offences data/police_uk/2019-09-kent-street.csv \\\n"
        "      --boundaries data/boundaries/kent_districts_2013.geojson --area Maidstone \\\n"
        "      --boundaries data/boundaries/maidstone_wards_2013.geojson \\\n"
        "      --places data/places/maidstone_places.csv --bandwidth 300 --cell 25 --out-dir "
        "maidstone_hotspots\n"
        "Add --map map.png for a briefing map, --html map.html for a web map to share (one file "
        "that works\n"
        "offline), --out PG:\"dbname=crime\" --table hotspots_2019_09 for a PostGIS table.");
    return cmd;
}

CLI::App* add_map_command(CLI::App& app, HotspotsRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "map", "A briefing map: density, ward boundaries and names, ranked hotspot "
               "outlines, places, scale bar, north arrow, legend and attribution");
    add_hotspot_analysis_options(*cmd, r);
    cmd->add_option("--out", r.map_path, "The map: .png, .pdf or .svg (this, --html or both)")
        ->check(output_file("png|pdf|svg"))
        ->group("Output");
    add_legend_option(*cmd, r.style);
    add_run_options(*cmd, r.run);
    cmd->footer(
        "Takes the options of 'hotspot hotspots'. Example:\n"
        "  hotspot map --offences data/police_uk/2019-09-kent-street.csv \\\n"
        "      --boundaries data/boundaries/kent_districts_2013.geojson --area Maidstone \\\n"
        "      --boundaries data/boundaries/maidstone_wards_2013.geojson \\\n"
        "      --places data/places/maidstone_places.csv --bandwidth 300 --cell 25 --out "
        "maidstone.png\n"
        "Add --html maidstone.html for a web map to share: one file, no server, no internet "
        "needed;\n"
        "--basemap streets.tif (or an MBTiles file, or --tiles 'https://.../{z}/{x}/{y}.png') "
        "puts a base map under it.");
    return cmd;
}

namespace
{
// Each hotspot's streets with the most offences, and, where offences carry times, its hours.
void name_streets_and_hours(const HotspotsRequest& r, HotspotAnalysis& a, Reporter& reporter)
{
    if (a.spots.empty())
        return;
    std::vector<std::int32_t> labels;
    for (const auto& h : a.spots)
        labels.push_back(h.label);
    const std::vector<std::int32_t> of = engine::records_by_region(
        a.table.incidents, a.density.surface.grid, a.cells.regions, labels);
    const auto streets = top_streets(
        a.table, r.street_field, a.spots.size(), [&](std::size_t i) { return of[i]; }, reporter);
    for (std::size_t s = 0; s < streets.size(); ++s)
        a.spots[s].streets = streets[s];
    if (!a.table.incidents.timed())
        return;
    const engine::Signatures when = engine::signatures(a.table.incidents, of, a.spots.size());
    for (std::size_t s = 0; s < a.spots.size(); ++s)
    {
        a.spots[s].when = when.groups[s];
        a.spots[s].top_hours = engine::top_hours(when.groups[s], 4);
    }
}
} // namespace

HotspotAnalysis analyse_hotspots(const HotspotsRequest& r, Reporter& reporter)
{
    // The surface: computed here, or given.
    OffenceInput input = r.input;
    std::optional<io::GeoTiffContents> given;
    if (!r.surface_path.empty())
    {
        given = io::read_geotiff(r.surface_path);
        if (!given->has_crs)
            throw Error(Errc::BadData,
                        r.surface_path + ": the raster has no CRS; hotspot cannot place it");
        require_metric(given->crs, r.surface_path);
        input.target_crs = given->crs.wkt;
    }
    HotspotAnalysis a;
    // Each record's text for its street: CSV text is read again for the hotspots' offences only.
    io::ReadOptions read;
    read.keep_raw = true;
    read.text_on_demand = true;
    a.table = load_offences(input, r.run, reporter, read);
    const io::OffenceTable& table = a.table;
    const engine::Incidents& inc = table.incidents;
    Density& density = a.density;
    a.given_surface = given.has_value();
    if (given)
    {
        density.surface = given->raster;
        if (given->nodata)
            for (auto& v : density.surface.values)
                if (v == *given->nodata)
                    v = nodata_value;
        if (given->metadata.count("HOTSPOT_BANDWIDTH_M"))
            density.options.bandwidth_m = std::stod(given->metadata.at("HOTSPOT_BANDWIDTH_M"));
        else
        {
            density.options.bandwidth_m = engine::assumed_bandwidth_m(density.surface.grid);
            reporter.warn(r.surface_path +
                          " does not record its bandwidth (tag HOTSPOT_BANDWIDTH_M): taken as 4 "
                          "cells, " +
                          fixed(density.options.bandwidth_m, 0) +
                          " m, in the report and as Gi*'s distance band unless --band gives one");
        }
        for (const auto& path : r.density.boundaries)
            density.study_area.layers.push_back(
                load_areas(r.run, path, r.density.boundaries_layer, table.target_crs));
        reporter.info("surface    " + r.surface_path);
    }
    else
        density = compute_density(r.density, inc, table.target_crs, r.run, reporter);
    const auto& grid = density.surface.grid;
    const auto study = engine::study_cells(density.surface, nodata_value);
    const auto counts = engine::cell_counts(inc, grid, false);
    a.cells = engine::find_hotspot_cells(hotspot_rule(r.method), density.surface, study, counts,
                                         nominal_bandwidth(density));
    const engine::HotspotCells& cells = a.cells;
    const auto& regions = cells.regions;
    reporter.info("hotspots   " + std::to_string(regions.count) + " (" + cells.description + ")");

    // What lies in each hotspot: records (not density), their types and harm, area, peak, PAI.
    engine::RegionCharacter character =
        engine::characterise_regions(regions, density.surface, study, inc);
    a.in_study = character.in_study;
    a.study_area = character.study_area_m2;
    std::vector<Hotspot>& spots = a.spots;
    spots.resize(static_cast<std::size_t>(regions.count));
    for (std::size_t s = 0; s < spots.size(); ++s)
        static_cast<engine::RegionFigures&>(spots[s]) = std::move(character.regions[s]);

    std::vector<std::shared_ptr<const engine::AreaIndex>> layer_index(
        density.study_area.layers.size());
    std::vector<std::vector<std::string>> layer_names(density.study_area.layers.size());
    for (std::size_t l = 0; l < density.study_area.layers.size(); ++l)
    {
        layer_index[l] = load_area_index(r.run, r.density.boundaries[l], r.density.boundaries_layer,
                                         table.target_crs);
        layer_names[l] = io::field_values(*density.study_area.layers[l],
                                          area_name_field(*density.study_area.layers[l]));
    }
    if (!r.places_path.empty())
        a.places = load_places(r.run, r.places_path, table.target_crs);
    const std::vector<io::Place> no_places;
    const std::vector<io::Place>& places = a.places ? *a.places : no_places;

    for (std::int32_t l = 1; l <= regions.count; ++l)
    {
        Hotspot& h = spots[static_cast<std::size_t>(l - 1)];
        for (std::size_t layer = 0; layer < layer_index.size(); ++layer)
        {
            const auto shares = engine::area_shares(regions, l, grid, *layer_index[layer]);
            std::string text;
            if (!shares.empty())
                h.main_area = layer_names[layer][static_cast<std::size_t>(shares.front().area)];
            for (const auto& share : shares)
                text += (text.empty() ? "" : "; ") +
                        layer_names[layer][static_cast<std::size_t>(share.area)] + " " +
                        fixed(share.percent, 0) + "%";
            h.overlaps.push_back(text);
        }
        if (!places.empty())
            h.place = io::nearest_place(places, h.peak_at, h.place_distance_m).name;
        h.name =
            engine::hotspot_name(h.place, h.place_distance_m, r.place_radius_m, h.main_area, l);
        h.outline = engine::region_outline(regions, l);
    }
    // Patrol priority: most offences first, then the highest peak.
    std::stable_sort(spots.begin(), spots.end(), engine::patrols_first);
    // Disclosure control: a hotspot of fewer than --min-count offences is not published.
    if (const int min_count = min_count_of(r.density); min_count > 0)
    {
        const auto before = spots.size();
        std::erase_if(spots, [&](const Hotspot& h) { return h.offences < min_count; });
        a.withheld = before - spots.size();
        if (a.withheld > 0)
            reporter.info("disclosure " + std::to_string(a.withheld) + " hotspots of fewer than " +
                          std::to_string(min_count) + " offences withheld");
    }
    name_streets_and_hours(r, a, reporter);
    // Names a briefing can tell apart: a name several hotspots share takes each one's busiest
    // street (police.uk's generic locations, such as Parking Area, do not count).
    {
        std::vector<std::string> names;
        std::vector<std::vector<std::string>> streets;
        std::vector<engine::Point2> peaks;
        for (const auto& h : a.spots)
        {
            names.push_back(h.name);
            peaks.push_back(h.peak_at);
            streets.push_back(io::street_names(h.streets));
        }
        const auto distinct = engine::distinct_names(names, streets, peaks);
        for (std::size_t s = 0; s < a.spots.size(); ++s)
            a.spots[s].name = distinct[s];
    }
    return a;
}

namespace
{
io::MapContent map_content(const HotspotsRequest& r, const HotspotAnalysis& a)
{
    const auto& d = a.density;
    io::MapContent map;
    map.surface = published_surface(d);
    map.nodata = nodata_value;
    map.units = density_unit(r.input, d.options.units);
    map.legend_max = r.style.legend_max;
    map.boundaries = map_boundaries(d.study_area, r.density.boundaries, r.density.boundaries_layer,
                                    a.table.target_crs, r.run, d.surface.grid.extent());
    for (std::size_t i = 0; i < a.spots.size(); ++i)
        map.hotspots.push_back({a.spots[i].outline, std::to_string(i + 1), a.spots[i].peak_at});
    if (a.places)
        for (const auto& p : *a.places)
            map.places.emplace_back(p.name, p.location);
    const std::string what =
        r.input.crime_types.empty() ? "All records" : engine::join(r.input.crime_types, ", ");
    map.title = r.title.empty() ? what + (r.density.area.empty() ? "" : " in " + r.density.area) +
                                      ": density and hotspots"
                                : r.title;
    const auto dots = d.period.find("..");
    const bool one_month =
        dots != std::string::npos && d.period.substr(0, dots) == d.period.substr(dots + 2);
    map.subtitle =
        (d.period.empty() ? std::string()
                          : "Period " + (one_month ? d.period.substr(0, dots) : d.period) + ".  ") +
        (hours_label(r.input).empty() ? std::string() : "Only " + hours_label(r.input) + ".  ") +
        (r.density.publish.empty() // a published map keeps its kernel to itself (see --publish)
             ? "Kernel " + std::string(engine::to_string(d.options.kernel)) + ", bandwidth " +
                   engine::bandwidth_meaning(d.options.kernel, nominal_bandwidth(d)) + ", cells of "
             : std::string("Cells of ")) +
        fixed(d.surface.grid.cell_m, 0) +
        " m.  Hotspots (red, ranked by offences): " + a.cells.description + ".";
    map.attribution =
        map_attribution(a.table, r.input, r.density.boundaries, r.density.boundaries_layer);
    map.crs = a.table.target_crs;
    map.basemap = r.basemap;
    return map;
}

io::MapLayout draw_map(const HotspotsRequest& r, const io::MapContent& map, Reporter& reporter)
{
    const auto layout =
        io::render_map(map, r.map_path, {.width_px = r.map_width_px, .overwrite = r.run.overwrite});
    reporter.info("map        " + r.map_path + " (" + std::to_string(layout.width_px) + " x " +
                  std::to_string(layout.height_px) + " px)");
    return layout;
}

// The web map: the briefing map's content, each hotspot's evidence in its popup, and the patrol
// list's first columns beside the map.
io::WebMapSummary write_html(const HotspotsRequest& r, const HotspotAnalysis& a, io::MapContent map,
                             Reporter& reporter)
{
    io::WebMapContent web;
    web.map = std::move(map);
    web.fields = {"Rank",          "Name",
                  "Offences",      "PAI",
                  "Top streets",   "Share of offences",
                  "Area",          "Top crime types",
                  "Nearest place", "Peak density"};
    web.table_fields = 5;
    for (const auto& path : r.density.boundaries)
        web.fields.push_back(io::layer_label(path));
    const bool timed = a.table.incidents.timed();
    if (timed)
        web.fields.push_back("Busiest hours");
    const auto& names = a.table.incidents.crime_type_names;
    for (std::size_t i = 0; i < a.spots.size(); ++i)
    {
        const Hotspot& h = a.spots[i];
        std::vector<std::string> v{std::to_string(i + 1),
                                   h.name,
                                   std::to_string(h.offences),
                                   fixed(h.pai, 1),
                                   h.streets,
                                   fixed(100 * h.share, 1) + "%",
                                   fixed(h.area_m2 / 1e4, 2) + " ha",
                                   top_types(h, names, 3),
                                   h.place.empty() ? ""
                                                   : h.place + " (" + fixed(h.place_distance_m, 0) +
                                                         " m from the peak)",
                                   fixed(h.peak, 2) + " " + web.map.units};
        v.insert(v.end(), h.overlaps.begin(), h.overlaps.end());
        std::vector<std::string> colours;
        if (timed)
        {
            v.push_back(h.top_hours);
            const double peak = *std::max_element(h.when.hours.begin(), h.when.hours.end());
            for (const double w : h.when.hours)
            {
                double red, green, blue;
                io::hour_cell_colour(w, peak, red, green, blue);
                colours.push_back(io::hex_colour(red, green, blue));
            }
        }
        web.details.push_back({std::move(v), std::move(colours)});
    }
    const auto summary = io::write_web_map(web, r.html_path, {.overwrite = r.run.overwrite});
    reporter.info("web map    " + r.html_path + " (" + std::to_string(summary.bytes / 1024) +
                  " KiB, opens offline in a browser)");
    return summary;
}

// Where each piece of the map's text landed (pixels, x0 y0 x1 y1), for checking a map without
// looking at it.
nlohmann::json labels_json(const io::MapLayout& layout)
{
    nlohmann::json labels = nlohmann::json::array();
    for (const auto& b : layout.labels)
        labels.push_back({{"text", b.text}, {"box", {b.x0, b.y0, b.x1, b.y1}}});
    return labels;
}

// The briefing map (--map, or map's --out) and the web map (--html) asked for, from one content;
// the briefing map's layout, empty without one.
io::MapLayout draw_maps(const HotspotsRequest& r, const HotspotAnalysis& a, Reporter& reporter)
{
    if (r.map_path.empty() && r.html_path.empty())
        return {};
    io::MapContent map = map_content(r, a);
    const auto layout = r.map_path.empty() ? io::MapLayout{} : draw_map(r, map, reporter);
    if (!r.html_path.empty())
        write_html(r, a, std::move(map), reporter);
    return layout;
}

// Refuses a map, web map or base map that cannot be made before any work is done.
void check_map_outputs(const HotspotsRequest& r)
{
    if (!r.map_path.empty())
    {
        io::check_map_path(r.map_path);
        io::check_output_path(r.map_path, r.run.overwrite);
    }
    if (!r.html_path.empty())
    {
        io::check_web_map_path(r.html_path);
        io::check_output_path(r.html_path, r.run.overwrite);
    }
    if (!r.basemap.empty())
    {
        if (r.map_path.empty() && r.html_path.empty())
            throw Error(Errc::Usage, "--basemap goes under a map: add --map or --html");
        io::check_basemap(r.basemap);
    }
}
} // namespace

nlohmann::json run_map(const HotspotsRequest& r, Reporter& reporter)
{
    check_hotspot_method(r.method);
    if (r.surface_path.empty())
        check_density_spec(r.density);
    check_style_options(r.style);
    make_filter(r.input);
    if (r.map_path.empty() && r.html_path.empty())
        throw Error(Errc::Usage, "map: say where to draw it: --out FILE.png (or .pdf, .svg), "
                                 "--html FILE.html, or both");
    check_map_outputs(r);
    const HotspotAnalysis a = analyse_hotspots(r, reporter);
    const auto layout = draw_maps(r, a, reporter);
    nlohmann::json summary =
        summary_json("map", {{"offences", offences_json(a.table)},
                             {"hotspots", a.spots.size()},
                             {"hotspots_withheld", a.withheld},
                             {"legend", {layout.legend_min, layout.legend_max}},
                             {"size_px", {layout.width_px, layout.height_px}},
                             {"labels", labels_json(layout)},
                             {"output", r.map_path},
                             {"html", r.html_path}});
    if (!a.given_surface)
        summary.update(density_json(a.density));
    write_summary(r.run, summary);
    return summary;
}

nlohmann::json run_hotspots(const HotspotsRequest& r, Reporter& reporter, HotspotRows* in_memory)
{
    check_hotspot_method(r.method);
    if (r.surface_path.empty())
        check_density_spec(r.density);
    make_filter(r.input);
    if (r.out_dir.empty() && r.table_out.empty() && !in_memory)
        throw Error(Errc::Usage, "hotspots: say where to write them: --out-dir FOLDER, "
                                 "--out PG:... --table NAME, or both");
    if (!r.table_out.empty() && !io::is_postgis(r.table_out))
        throw Error(Errc::Usage, "--out " + r.table_out +
                                     ": hotspots' --out is a PostGIS database (PG:...); files "
                                     "go in --out-dir");
    if (!r.table.empty() && r.table_out.empty())
        throw Error(Errc::Usage, "--table goes with --out PG:...");
    const bool files = !r.out_dir.empty();
    if (files)
        make_output_folder(r.out_dir);
    const auto out = [&](const char* name) { return (fs::path(r.out_dir) / name).string(); };
    for (const char* name :
         {"hotspots.gpkg", "hotspots.geojson", "patrol_list.csv", "density.tif", "density.qml"})
        if (files)
            io::check_output_path(out(name), r.run.overwrite);
    check_style_options(r.style);
    if (files)
        for (const char* name : {"hotspots.gpkg", "density.tif"})
            io::check_sld_output(out(name), r.style.sld, r.run.overwrite);
    if (!r.table_out.empty())
        io::check_vector_output(r.table_out, r.table, r.run.overwrite);
    check_map_outputs(r);
    check_outputs(r.run, {&r.input.rejects_path, &r.run.summary_json_path});

    HotspotAnalysis analysis = analyse_hotspots(r, reporter);
    const auto& table = analysis.table;
    const auto& inc = table.incidents;
    const auto& density = analysis.density;
    const auto& cells = analysis.cells;
    const auto& spots = analysis.spots;
    const bool given = analysis.given_surface;
    const auto in_study = analysis.in_study;
    const auto study_area = analysis.study_area;

    // Outputs.
    std::vector<io::VectorField> fields{{"rank", io::FieldType::Integer},
                                        {"hotspot_id", io::FieldType::Integer},
                                        {"name", io::FieldType::Text},
                                        {"nearest_place", io::FieldType::Text},
                                        {"place_distance_m", io::FieldType::Real},
                                        {"offences", io::FieldType::Integer},
                                        {"share_of_offences", io::FieldType::Real},
                                        {"area_m2", io::FieldType::Real},
                                        {"pai", io::FieldType::Real},
                                        {"peak_density", io::FieldType::Real},
                                        {"mean_density", io::FieldType::Real},
                                        {"harm", io::FieldType::Real}};
    std::vector<std::string> layer_labels;
    for (const auto& path : r.density.boundaries)
        layer_labels.push_back(io::layer_label(path));
    for (const auto& label : layer_labels)
        fields.push_back({label, io::FieldType::Text});
    for (const char* name : {"top_crime_types", "top_streets"})
        fields.push_back({name, io::FieldType::Text});
    const bool timed = inc.timed();
    if (timed)
        fields.push_back({"top_hours", io::FieldType::Text});
    for (const char* name : {"peak_x", "peak_y", "peak_lon", "peak_lat"})
        fields.push_back({name, io::FieldType::Real});
    const io::Reprojector to_lonlat(table.target_crs, io::wgs84());
    // Each hotspot's row, made once for every output: the layers, patrol_list.csv, Python.
    std::vector<std::vector<io::FieldValue>> rows;
    for (std::size_t i = 0; i < spots.size(); ++i)
    {
        const Hotspot& h = spots[i];
        const auto lonlat = to_lonlat.transform(h.peak_at);
        std::vector<io::FieldValue> v{static_cast<std::int64_t>(i + 1),
                                      static_cast<std::int64_t>(h.label),
                                      h.name,
                                      h.place,
                                      h.place_distance_m,
                                      h.offences,
                                      h.share,
                                      h.area_m2,
                                      h.pai,
                                      h.peak,
                                      h.mean,
                                      h.harm};
        for (const auto& o : h.overlaps)
            v.emplace_back(o);
        v.emplace_back(top_types(h, inc.crime_type_names, 3));
        v.emplace_back(h.streets);
        if (timed)
            v.emplace_back(h.top_hours);
        for (const double d : {h.peak_at.x, h.peak_at.y, lonlat.x, lonlat.y})
            v.emplace_back(d);
        rows.push_back(std::move(v));
    }
    std::vector<std::pair<std::string, std::string>> layers; // where, and the layer's name
    if (files)
        for (const char* name : {"hotspots.gpkg", "hotspots.geojson"})
            layers.emplace_back(out(name), "hotspots");
    if (!r.table_out.empty())
        layers.emplace_back(r.table_out, r.table);
    // What the density and harm columns measure: in the patrol list's headers, and in the
    // GeoPackage's layer metadata (whose field names stay plain for GIS).
    const std::string density_in = density_unit(r.input, density.options.units);
    const std::map<std::string, std::string> units{{"peak_density", density_in},
                                                   {"mean_density", density_in},
                                                   {"harm", weighed_measure(r.input)}};
    for (const auto& [where, layer] : layers)
    {
        io::VectorWriter writer(where, layer, table.target_crs, io::GeometryKind::MultiPolygon,
                                fields, r.run.overwrite);
        std::map<std::string, std::string> metadata;
        for (const auto& [field, unit] : units)
            metadata["hotspot_unit_" + field] = unit;
        writer.set_metadata(metadata);
        // Red outlines labelled by rank over the density, named in QGIS's identify results.
        io::apply_style(writer, io::ranked_outlines("name"), io::GeometryKind::MultiPolygon, where,
                        layer, r.style.sld && where == out("hotspots.gpkg"), r.run.overwrite);
        for (std::size_t i = 0; i < spots.size(); ++i)
            writer.add_polygon(spots[i].outline, rows[i]);
        writer.commit();
    }
    if (files)
    {
        std::vector<std::string> header;
        for (const auto& field : fields)
        {
            const auto unit = units.find(field.name);
            header.push_back(unit == units.end() ? field.name
                                                 : field.name + " (" + unit->second + ")");
        }
        io::CsvTable csv(header);
        for (const auto& values : rows)
        {
            std::vector<std::string> row;
            for (std::size_t f = 0; f < values.size(); ++f)
                if (const auto* t = std::get_if<std::string>(&values[f]))
                    row.push_back(*t);
                else if (const auto* d = std::get_if<double>(&values[f]))
                    row.push_back(std::isfinite(*d) ? fixed(*d, f >= values.size() - 2 ? 6 : 3)
                                                    : "");
                else if (const auto* n = std::get_if<std::int64_t>(&values[f]))
                    row.push_back(std::to_string(*n));
                else
                    row.emplace_back();
            csv.add(row);
        }
        io::write_text_file(out("patrol_list.csv"), csv.text(), r.run.overwrite);
        io::GeoTiffOptions tiff;
        tiff.overwrite = r.run.overwrite;
        tiff.description = "kernel density of " + weighed_measure(r.input);
        tiff.unit = density_unit(r.input, density.options.units);
        if (!given)
            tiff.metadata = density_metadata(r.density, density, r.input, inc);
        tiff.metadata.emplace_back("HOTSPOT_HOTSPOT_METHOD", cells.description);
        tiff.qgis_style = true;
        tiff.legend_max = r.style.legend_max;
        tiff.sld = r.style.sld;
        io::write_geotiff(out("density.tif"), published_surface(density), table.target_crs, tiff);
    }
    if (in_memory)
    {
        *in_memory = {fields, std::move(rows), {}, table.target_crs};
        for (const Hotspot& h : spots)
            in_memory->outlines.push_back(h.outline);
    }

    if (spots.empty())
        reporter.info("  no cell passes the threshold: no hotspot (the layers are written, empty)");
    for (std::size_t i = 0; i < spots.size() && i < r.show; ++i)
    {
        const Hotspot& h = spots[i];
        char line[512];
        std::snprintf(
            line, sizeof line, "  %2zu. %-22s %5lld offences (%4.1f%%) on %6.1f ha, PAI %5.1f%s%s",
            i + 1, h.name.c_str(), static_cast<long long>(h.offences), 100.0 * h.share,
            h.area_m2 / 1e4, h.pai, h.overlaps.empty() || h.overlaps.back().empty() ? "" : "  in ",
            h.overlaps.empty() ? "" : h.overlaps.back().c_str());
        reporter.info(line);
        if (!h.streets.empty())
            reporter.info("      streets: " + h.streets);
    }
    if (files)
        reporter.info("wrote      " + out("hotspots.gpkg") +
                      ", hotspots.geojson, patrol_list.csv, density.tif and its QGIS style "
                      "density.qml" +
                      (r.style.sld ? "; the styles as SLD: hotspots.sld, density.sld" : ""));
    if (!r.table_out.empty())
        reporter.info("wrote      table " + r.table + " in " +
                      io::describe_connection(r.table_out));
    draw_maps(r, analysis, reporter);

    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < spots.size(); ++i)
        list.push_back(
            {{"rank", i + 1},
             {"name", spots[i].name},
             {"nearest_place", spots[i].place},
             {"place_distance_m",
              std::isfinite(spots[i].place_distance_m) ? spots[i].place_distance_m : -1.0},
             {"offences", spots[i].offences},
             {"share", spots[i].share},
             {"area_m2", spots[i].area_m2},
             {"pai", spots[i].pai},
             {"areas", spots[i].overlaps},
             {"top_streets", spots[i].streets}});
    nlohmann::json summary = summary_json("hotspots", {{"offences", offences_json(table)},
                                                       {"method", cells.description},
                                                       {"offences_in_study_area", in_study},
                                                       {"study_area_m2", study_area},
                                                       {"hotspots", list},
                                                       {"out_dir", r.out_dir}});
    if (!given)
        summary.update(density_json(density));
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
