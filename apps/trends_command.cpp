#include "trends_command.hpp"
#include "option_kinds.hpp"

#include "density.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/ranking.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/spacetime/emerging.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/layer_style.hpp"
#include "hotspot/io/map.hpp"
#include "hotspot/io/netcdf.hpp"
#include "hotspot/io/vector.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

namespace hotspot::app
{

namespace
{
namespace fs = std::filesystem;
using engine::EmergingCategory;

// The familiar colours: hot spots in reds, darkest where newest, cold spots in blues, no pattern a
// faint grey.
const std::array<io::MapCategory, engine::emerging_category_count>& category_colours()
{
    static const auto colours = []
    {
        const auto rgb = [](int hex, double opacity = 1.0)
        {
            return io::MapCategory{"", ((hex >> 16) & 255) / 255.0, ((hex >> 8) & 255) / 255.0,
                                   (hex & 255) / 255.0, opacity};
        };
        std::array<io::MapCategory, engine::emerging_category_count> c{
            rgb(0xbdbdbd, 0.35), rgb(0x67000d), rgb(0xa50f15), rgb(0xd7301f), rgb(0xef6548),
            rgb(0xfc8d59),       rgb(0xfdbb84), rgb(0xfdd49e), rgb(0xfee8c8), rgb(0x08306b),
            rgb(0x08519c),       rgb(0x2171b5), rgb(0x4292c6), rgb(0x6baed6), rgb(0x9ecae1),
            rgb(0xc6dbef),       rgb(0xdeebf7)};
        for (std::size_t i = 0; i < c.size(); ++i)
            c[i].label = std::string(engine::to_string(static_cast<EmergingCategory>(i)));
        return c;
    }();
    return colours;
}

std::string category_rules()
{
    std::string text;
    for (std::size_t i = 1; i <= engine::emerging_category_count; ++i)
    {
        const auto c = static_cast<EmergingCategory>(i % engine::emerging_category_count);
        text += "  " + std::string(engine::to_string(c)) + ": " + std::string(engine::rule_of(c)) +
                "\n";
    }
    return text;
}

// A field name for a step's count: "n_2019_09", "n_2019_09_02".
std::string step_field(const std::string& label)
{
    std::string name = "n_" + label.substr(0, label.find(".."));
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

engine::GlobalWindow parse_global_window(const std::string& text)
{
    if (const auto window = engine::parse_named(engine::global_window_names, text))
        return *window;
    if (engine::same_text(text, "neighborhood")) // ArcGIS Pro's spelling
        return engine::GlobalWindow::Neighbourhood;
    throw Error(Errc::Usage,
                "--global-window takes cube, neighbourhood or step (got '" + text + "')");
}

} // namespace

CLI::App* add_trends_command(CLI::App& app, TrendsRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "trends", "Emerging hot spots: which places are new, intensifying, persistent, "
                  "diminishing, sporadic, oscillating or historical hot (or cold) spots");
    add_offence_options(*cmd, r.input);
    cmd->add_option("--time-step", r.time_step,
                    "Length of a time step: 1M (default), 3M, 1W, 2W, 7D... Weeks and days need "
                    "records dated to the day (police.uk gives months)")
        ->group("Space-time cube");
    cmd->add_option("--cell", r.cell_m,
                    "Cell size in metres (default: shorter side of the extent / 250, rounded to "
                    "1, 2, 2.5 or 5 times a power of ten)")
        ->transform(length_unit())
        ->group("Space-time cube");
    cmd->add_option("--extent", r.extent, "Cube extent xmin,ymin,xmax,ymax in the target CRS")
        ->check(extent_value())
        ->group("Space-time cube");
    cmd->add_option("--boundaries", r.boundaries,
                    "Boundary polygons (repeatable): --area is looked up in them, and each "
                    "location is named after the polygon holding it (from the first layer "
                    "--area is not in, e.g. wards beside districts)")
        ->check(layer_input("polygon"))
        ->group("Space-time cube");
    cmd->add_option("--boundaries-layer", r.boundaries_layer, "Layer of the boundary source")
        ->group("Space-time cube");
    cmd->add_option("--area", r.area,
                    "Analyse the cells inside these boundary polygon(s), e.g. Maidstone, empty "
                    "ones included (default: the cells holding an offence in any step, as "
                    "ArcGIS)")
        ->group("Space-time cube");
    cmd->add_option("--band", r.band_m,
                    "Neighbourhood distance in metres: cells whose centres lie within it are "
                    "neighbours, binary weights (default: two cells)")
        ->transform(length_unit())
        ->group("Emerging hot spots");
    cmd->add_option("--time-window", r.time_window,
                    "Neighbourhood time steps: the previous steps a bin's neighbourhood also "
                    "covers (default 1, as ArcGIS)")
        ->group("Emerging hot spots");
    cmd->add_option("--global-window", r.global_window,
                    "What each bin's neighbourhood is compared with: cube (default, as ArcGIS "
                    "Pro), neighbourhood (the steps it spans) or step (its own step). See below")
        ->group("Emerging hot spots");
    cmd->add_option("--alpha", r.alpha,
                    "False discovery rate of the Gi* bins of each step, and the level of the "
                    "Mann-Kendall trend (default 0.05)")
        ->group("Emerging hot spots");
    cmd->add_option("--min-count", r.min_count,
                    "Disclosure control: counts from 1 to K-1 are written as empty in the "
                    "GeoPackage and the cube (the analysis uses them all)")
        ->group("Disclosure");
    cmd->add_option("--publish", r.publish, publish_help(false))->group("Disclosure");
    cmd->add_option("--title", r.title, "Title of the map and the cube")->group("Output");
    cmd->add_option("--map-width", r.map_width_px, "Width of the map in pixels (default 1600)")
        ->group("Output");
    cmd->add_option("--out-dir", r.out_dir,
                    "Folder for trends.gpkg, cube.nc, trends_map.png and trends_summary.csv")
        ->check(output_folder())
        ->required()
        ->group("Output");
    add_sld_option(*cmd, r.style);
    add_run_options(*cmd, r.run);
    cmd->footer(
        "How it works (as ArcGIS Pro's Emerging Hot Spot Analysis): offences are counted per "
        "cell and time\n"
        "step (the space-time cube; steps end with the last offence's month or day). Each bin's "
        "Getis-Ord Gi*\n"
        "sums its neighbours within --band in its step and the --time-window steps before, "
        "and compares\n"
        "that sum with the mean and spread of the bins of the global window (--global-window, "
        "ArcGIS Pro's\n"
        "Define Global Window):\n"
        "  cube           every bin of the cube (the default, as ArcGIS Pro). A place is hot "
        "against the whole\n"
        "                 period; but a rise everywhere (a force-wide seasonal rise, a change "
        "in recording)\n"
        "                 makes many places read as 'intensifying' at once.\n"
        "  neighbourhood  every bin of the steps the neighbourhood spans. A place is hot against "
        "its own months;\n"
        "                 a steady place reads as 'intensifying' when the rest of the area grows "
        "quieter.\n"
        "  step           every bin of the bin's own step. With --time-window 0 each step is "
        "exactly\n"
        "                 `hotspots --method gi-star` on that step's counts.\n"
        "Bins are significant at the Benjamini-Hochberg false discovery rate --alpha, controlled "
        "within each\n"
        "time step whatever the global window.\n"
        "The Mann-Kendall test gives each location's trend in its Gi* z-scores (and in its "
        "counts). Each location\n"
        "then takes the first category whose rule holds (hot spots first; 'hot' means a "
        "significant bin with\n"
        "z > 0, 'cold' z < 0; 90% is of all steps):\n" +
        category_rules() +
        "The analysis needs 10 steps or more to say much (ArcGIS requires 10).\n"
        "Outputs: trends.gpkg (a cell per location: counts per step, final Gi* z and p, trends, "
        "category),\n"
        "  cube.nc (CF netCDF: count, gi_z, gi_p over time, y, x; opens in GDAL, QGIS and "
        "xarray),\n"
        "  trends_map.png (categories) and trends_summary.csv (locations per category and "
        "where they are).\n"
        "Example (24 months of police.uk files in one folder):\n"
        "  hotspot trends --offences downloads/ --boundaries data/boundaries/kent_districts_2013."
        "geojson \\\n"
        "      --area Maidstone --boundaries data/boundaries/maidstone_wards_2013.geojson "
        "--cell 250 --out-dir trends");
    return cmd;
}

nlohmann::json run_trends(const TrendsRequest& r, Reporter& reporter)
{
    const auto step = engine::parse_time_step(r.time_step);
    if (!step)
        throw Error(Errc::Usage, "--time-step '" + r.time_step +
                                     "' is not a time step; give a count and M, W or D: 1M, 3M, "
                                     "1W, 7D");
    if (r.time_window < 0)
        throw Error(Errc::Usage, "--time-window must be 0 or more steps");
    const engine::GlobalWindow global = parse_global_window(r.global_window);
    if (!(r.alpha > 0 && r.alpha < 1))
        throw Error(Errc::Usage, "--alpha must lie between 0 and 1");
    if (r.cell_m)
        require_positive(*r.cell_m, "--cell");
    if (r.band_m)
        require_positive(*r.band_m, "--band");
    if (!r.area.empty() && r.boundaries.empty())
        throw Error(Errc::Usage, "--area needs --boundaries, the layer to find it in");
    const int min_count = publish_min_count(r.publish, r.min_count);
    make_output_folder(r.out_dir);
    const auto out = [&](const std::string& name) { return (fs::path(r.out_dir) / name).string(); };
    const std::vector<std::string> outputs{"trends.gpkg", "cube.nc", "trends_map.png",
                                           "trends_summary.csv"};
    for (const auto& name : outputs)
        io::check_output_path(out(name), r.run.overwrite);
    io::check_sld_output(out("trends.gpkg"), r.style.sld, r.run.overwrite);

    const io::OffenceTable table =
        load_dated_offences(r.input, r.run, reporter, "trends count offences per time step");
    const engine::Incidents& inc = table.incidents;
    const io::Crs& crs = table.target_crs;
    const StudyGrid study = study_grid(r.boundaries, r.boundaries_layer, r.area, r.extent, r.cell_m,
                                       inc, crs, r.run, reporter);
    const engine::GridSpec& grid = study.grid;
    const double cell = grid.cell_m;
    const auto& mask = study.mask;

    // --days/--hours weigh each offence by the share of its window inside them.
    const bool weighted =
        !r.input.harm.empty() || !r.input.source.weight_field.empty() || !table.hours_label.empty();
    const engine::SpaceTimeCube cube =
        engine::build_cube(inc, grid, mask ? &*mask : nullptr, *step, weighted);
    const double band = r.band_m ? *r.band_m : 2 * cell;
    reporter.info("cube       " + std::to_string(cube.locations.size()) + " locations (cells of " +
                  fixed(cell, 0) + " m) x " + std::to_string(cube.steps) + " steps of " +
                  engine::to_string(*step) + ", " + cube.step_label(0) + " to " +
                  cube.step_label(cube.steps - 1));
    reporter.info("offences   " + std::to_string(cube.counted) + " counted" +
                  (cube.undated ? ", " + std::to_string(cube.undated) + " without " +
                                      (step->needs_days() ? "a day" : "a month")
                                : std::string()) +
                  (cube.outside_area
                       ? ", " + std::to_string(cube.outside_area) + " outside the area"
                       : std::string()));
    if (cube.first_step_partial)
        reporter.warn("the first step (" + cube.step_label(0) +
                      ") is shorter than the others: steps end with the last offence");
    if (cube.steps < 3)
        throw Error(Errc::BadData, "the offences span " + std::to_string(cube.steps) +
                                       " step(s) of " + engine::to_string(*step) +
                                       "; trends need 3 at the very least (10 or more to say "
                                       "much): give more months, or a shorter --time-step");
    // A month the data lack would read as a month without crime: a sudden cold spell everywhere.
    {
        const auto month_at = [&](std::int32_t v)
        { return step->needs_days() ? engine::month_of_day(v) : v; };
        require_covered(table, month_at(cube.step_first.front()), month_at(cube.step_last.back()),
                        "trends " + cube.step_label(0) + " to " + cube.step_label(cube.steps - 1));
    }
    if (cube.steps < 10)
        reporter.warn("only " + std::to_string(cube.steps) +
                      " time steps: the trend test has little power below 10 (ArcGIS requires "
                      "10)");
    reporter.info("neighbours " + fixed(band, 0) + " m and " + std::to_string(r.time_window) +
                  " previous step(s), against the " + std::string(engine::to_string(global)) +
                  " (" + std::string(engine::rule_of(global)) + "); false discovery rate " +
                  fixed(r.alpha, 3) + " within each step");

    const engine::EmergingResult result = engine::emerging_hotspots(
        cube, band, r.time_window, global, r.alpha, {reporter.progress("trends")});
    reporter.done();

    // How the bins were judged, in every output.
    const std::string fdr_scope = "Benjamini-Hochberg within each time step";
    const std::map<std::string, std::string> method_tags{
        {"hotspot_band_m", fixed(band, 3)},
        {"hotspot_time_window_steps", std::to_string(r.time_window)},
        {"hotspot_global_window", std::string(engine::to_string(global))},
        {"hotspot_global_window_rule", std::string(engine::rule_of(global))},
        {"hotspot_fdr_scope", fdr_scope},
        {"hotspot_alpha", fixed(r.alpha, 4)}};

    // Each location's name, from the boundaries (wards beside the district of --area).
    const std::size_t L = cube.locations.size();
    const auto name_at = area_namer(study.area, r.boundaries, r.boundaries_layer, crs, r.run);
    const bool named = static_cast<bool>(name_at);
    std::vector<std::string> place_of(L);
    for (std::size_t l = 0; named && l < L; ++l)
    {
        const auto k = cube.locations[l];
        place_of[l] = name_at({grid.center_x(k % grid.cols), grid.center_y(k / grid.cols)});
    }

    // Counts of 1 to K-1 are withheld from what is written.
    const auto withhold = [&](double count) { return count > 0 && count < min_count; };
    std::int64_t withheld = 0;
    const std::int32_t last = cube.steps - 1;

    // trends.gpkg: a cell per location.
    {
        std::vector<io::VectorField> fields{{"location", io::FieldType::Integer}};
        if (named)
            fields.push_back({"area", io::FieldType::Text});
        const io::FieldType count_type = weighted ? io::FieldType::Real : io::FieldType::Integer;
        for (std::int32_t t = 0; t < cube.steps; ++t)
            fields.push_back({step_field(cube.step_label(t)), count_type});
        fields.push_back({"total", count_type});
        for (const auto* name : {"hot_steps", "cold_steps"})
            fields.push_back({name, io::FieldType::Integer});
        for (const auto* name :
             {"gi_z", "gi_p", "trend_z", "trend_p", "count_trend_z", "count_trend_p"})
            fields.push_back({name, io::FieldType::Real});
        fields.push_back({"category", io::FieldType::Text});
        fields.push_back({"category_code", io::FieldType::Integer});
        io::VectorWriter writer(out("trends.gpkg"), "trends", crs, io::GeometryKind::MultiPolygon,
                                fields, r.run.overwrite);
        writer.set_metadata(method_tags);
        // The 17 categories in the map's colours, as QGIS opens the layer.
        io::VectorStyle style;
        style.category_field = "category";
        style.categories.assign(category_colours().begin(), category_colours().end());
        style.display_field = named ? "area" : "category";
        io::apply_style(writer, style, io::GeometryKind::MultiPolygon, out("trends.gpkg"), "trends",
                        r.style.sld, r.run.overwrite);
        const auto count_value = [&](double v) -> io::FieldValue
        {
            if (withhold(v))
            {
                ++withheld;
                return std::monostate{};
            }
            if (weighted)
                return v;
            return static_cast<std::int64_t>(std::llround(v));
        };
        const auto real = [](double v) -> io::FieldValue
        {
            if (std::isnan(v))
                return std::monostate{};
            return v;
        };
        for (std::size_t l = 0; l < L; ++l)
        {
            const engine::LocationTrend& t = result.locations[l];
            std::vector<io::FieldValue> values{static_cast<std::int64_t>(l + 1)};
            if (named)
                values.emplace_back(place_of[l]);
            double total = 0;
            for (std::int32_t s = 0; s < cube.steps; ++s)
            {
                values.push_back(count_value(cube.at(s, l)));
                total += cube.at(s, l);
            }
            values.push_back(count_value(total));
            const std::size_t final_bin = static_cast<std::size_t>(last) * L + l;
            values.insert(values.end(), {std::int64_t{t.hot_steps}, std::int64_t{t.cold_steps},
                                         real(result.gi.z[final_bin]), real(result.gi.p[final_bin]),
                                         t.gi.z, t.gi.p, t.counts.z, t.counts.p,
                                         std::string(engine::to_string(t.category)),
                                         static_cast<std::int64_t>(t.category)});
            writer.add_polygon(engine::cell_square(grid, cube.locations[l]), values);
        }
        writer.commit();
    }

    // cube.nc: the whole grid, NaN off the locations.
    {
        io::NetcdfCube nc;
        nc.grid = grid;
        nc.crs = crs;
        for (std::int32_t t = 0; t < cube.steps; ++t)
        {
            nc.time.push_back(cube.step_start_day(t));
            nc.time_labels.push_back(cube.step_label(t));
        }
        const double nan = std::numeric_limits<double>::quiet_NaN();
        // Step t of one of the cube's quantities, laid over the grid.
        const auto over_grid = [&](const std::vector<double>& per_bin, bool withheld)
        {
            return [&, withheld](std::size_t t, std::vector<double>& slice)
            {
                for (std::size_t l = 0; l < L; ++l)
                {
                    const double v = per_bin[t * L + l];
                    slice[static_cast<std::size_t>(cube.locations[l])] =
                        withheld && withhold(v) ? nan : v;
                }
            };
        };
        nc.variables = {
            {"count",
             weighted ? "weighted offences per cell and time step"
                      : "offences per cell and time step",
             "1", over_grid(cube.values, true)},
            {"gi_z", "space-time Getis-Ord Gi* z-score", "1", over_grid(result.gi.z, false)},
            {"gi_p", "p-value of the Gi* z-score (two-sided)", "1", over_grid(result.gi.p, false)},
        };
        nc.attributes = {
            {"title", r.title.empty() ? "hotspot space-time cube" : r.title},
            {"hotspot_offences", table.source_path},
            {"hotspot_time_step", engine::to_string(*step)},
            {"hotspot_min_count", std::to_string(min_count)},
        };
        nc.attributes.insert(nc.attributes.end(), method_tags.begin(), method_tags.end());
        io::write_netcdf_cube(out("cube.nc"), nc, r.run.overwrite);
    }

    // trends_summary.csv: locations per category, and where they are.
    io::CsvTable csv{"category", "locations", "share", "areas", "rule"};
    for (std::size_t i = 1; i <= engine::emerging_category_count; ++i)
    {
        const auto c = static_cast<EmergingCategory>(i % engine::emerging_category_count);
        const std::int64_t n = result.per_category[static_cast<std::size_t>(c)];
        std::map<std::string, std::int64_t> where;
        if (named && c != EmergingCategory::NoPattern)
            for (std::size_t l = 0; l < L; ++l)
                if (result.locations[l].category == c && !place_of[l].empty())
                    ++where[place_of[l]];
        std::vector<std::string> parts;
        for (const auto& [name, count] : engine::ranked_by_count(where))
            parts.push_back(name + " " + std::to_string(count));
        csv.add({engine::to_string(c), std::to_string(n),
                 fixed(L ? static_cast<double>(n) / static_cast<double>(L) : 0.0, 4),
                 engine::join(parts, "; "), engine::rule_of(c)});
        if (n > 0 && c != EmergingCategory::NoPattern)
            reporter.info(
                "  " + std::string(engine::to_string(c)) + ": " + std::to_string(n) +
                (parts.empty()
                     ? std::string()
                     : " (" +
                           engine::join(std::vector<std::string>(
                                            parts.begin(),
                                            parts.begin() + std::min<std::size_t>(3, parts.size())),
                                        "; ") +
                           (parts.size() > 3 ? "; ..." : "") + ")"));
    }
    reporter.info(
        "  No Pattern Detected: " +
        std::to_string(result.per_category[static_cast<std::size_t>(EmergingCategory::NoPattern)]));
    io::write_text_file(out("trends_summary.csv"), csv.text(), r.run.overwrite);

    // trends_map.png
    {
        io::MapContent map;
        map.surface = engine::Raster<double>(grid, nodata_value);
        map.nodata = nodata_value;
        for (std::size_t l = 0; l < L; ++l)
            map.surface.values[static_cast<std::size_t>(cube.locations[l])] =
                static_cast<double>(result.locations[l].category);
        const auto& colours = category_colours();
        map.categories.assign(colours.begin(), colours.end());
        map.units = "Emerging hot spots";
        map.boundaries =
            map_boundaries(study.area, r.boundaries, r.boundaries_layer, crs, r.run, grid.extent());
        map.title = r.title.empty() ? "Emerging hot spots, " + cube.step_label(0) + " to " +
                                          cube.step_label(last)
                                    : r.title;
        map.subtitle =
            std::to_string(cube.steps) + " steps of " + engine::to_string(*step) + "; cells of " +
            fixed(cell, 0) + " m; Gi* within " + fixed(band, 0) + " m and " +
            std::to_string(r.time_window) + " previous step(s), against the " +
            std::string(engine::to_string(global)) + "; FDR " + fixed(r.alpha, 3) + " per step" +
            (hours_label(r.input).empty() ? std::string() : "; only " + hours_label(r.input));
        map.attribution = map_attribution(table, r.input, r.boundaries, r.boundaries_layer);
        io::render_map(map, out("trends_map.png"),
                       {.width_px = r.map_width_px, .overwrite = r.run.overwrite});
    }
    reporter.info("wrote      " + r.out_dir + ": " + engine::join(outputs, ", "));

    nlohmann::json categories = nlohmann::json::object();
    for (std::size_t i = 0; i < engine::emerging_category_count; ++i)
        categories[std::string(engine::to_string(static_cast<EmergingCategory>(i)))] =
            result.per_category[i];
    nlohmann::json summary = summary_json(
        "trends",
        {{"offences", offences_json(table)},
         {"cube",
          {{"cell_m", cell},
           {"cols", grid.cols},
           {"rows", grid.rows},
           {"origin", {grid.origin_x, grid.origin_y}},
           {"locations", L},
           {"steps", cube.steps},
           {"time_step", engine::to_string(*step)},
           {"first_step", cube.step_label(0)},
           {"last_step", cube.step_label(last)},
           {"counted", cube.counted},
           {"undated", cube.undated},
           {"outside_area", cube.outside_area}}},
         {"band_m", band},
         {"time_window", r.time_window},
         {"global_window", engine::to_string(global)},
         {"global_window_rule", engine::rule_of(global)},
         {"fdr_scope", fdr_scope},
         {"alpha", r.alpha},
         {"categories", categories},
         {"disclosure", {{"min_count", min_count}, {"withheld", withheld}, {"publish", r.publish}}},
         {"outputs", outputs}});
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
