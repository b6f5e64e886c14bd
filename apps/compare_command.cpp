#include "compare_command.hpp"
#include "option_kinds.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"
#include "hotspot/engine/statistics/relative_risk.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/geotiff.hpp"
#include "hotspot/io/map.hpp"
#include "hotspot/io/vector.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace hotspot::app
{

namespace
{
namespace fs = std::filesystem;

bool is_type(const std::vector<std::string>& types, const std::string& name)
{
    return std::any_of(types.begin(), types.end(),
                       [&](const std::string& t) { return engine::same_text(t, name); });
}

// The offences whose crime type is one of `types` (every offence when `types` is empty).
engine::Incidents of_types(const engine::Incidents& all, const std::vector<std::string>& types)
{
    return all.subset(
        [&](std::size_t i)
        {
            return types.empty() ||
                   (all.crime_type[i] >= 0 &&
                    is_type(types,
                            all.crime_type_names[static_cast<std::size_t>(all.crime_type[i])]));
        });
}

// The raster with its negative values set to 0: the maps shade where risk or crime rose.
engine::Raster<double> positive_part(engine::Raster<double> raster)
{
    for (auto& v : raster.values)
        if (v != nodata_value && v < 0)
            v = 0;
    return raster;
}

// "raised" (risk), "increase" or "decrease" (change).
std::string direction_name(const engine::SignificantArea& a, bool risk)
{
    return a.direction < 0 ? "decrease" : risk ? "raised" : "increase";
}

void write_areas(const std::string& path, const std::vector<engine::SignificantArea>& areas,
                 bool risk, const std::string& effect, const engine::GridSpec& grid,
                 const io::Crs& crs, bool overwrite)
{
    io::VectorWriter writer(path, "areas", crs, io::GeometryKind::MultiPolygon,
                            {{"id", io::FieldType::Integer},
                             {"direction", io::FieldType::Text},
                             {"cells", io::FieldType::Integer},
                             {"area_m2", io::FieldType::Real},
                             {"min_p", io::FieldType::Real},
                             {effect, io::FieldType::Real}},
                            overwrite);
    for (std::size_t i = 0; i < areas.size(); ++i)
        writer.add_polygon(areas[i].outline,
                           {static_cast<std::int64_t>(i + 1), direction_name(areas[i], risk),
                            areas[i].cells,
                            static_cast<double>(areas[i].cells) * grid.cell_area_m2(),
                            areas[i].min_p, areas[i].extreme});
    writer.commit();
}

void draw(const std::string& path, const engine::Raster<double>& shown, const std::string& units,
          const Density& d, const std::vector<engine::SignificantArea>& areas,
          const std::string& title, const std::string& subtitle, const std::string& attribution,
          bool overwrite)
{
    io::MapContent map;
    map.surface = shown;
    map.nodata = nodata_value;
    map.units = units;
    for (const auto* shape : d.window.shapes)
        map.boundaries.push_back({*shape, "", {}});
    for (std::size_t i = 0; i < areas.size(); ++i)
    {
        const engine::Box2 box = engine::bounds(areas[i].outline);
        map.hotspots.push_back({areas[i].outline,
                                (areas[i].direction < 0 ? "-" : "+") + std::to_string(i + 1),
                                {0.5 * (box.xmin + box.xmax), 0.5 * (box.ymin + box.ymax)}});
    }
    map.title = title;
    map.subtitle = subtitle;
    map.attribution = attribution;
    io::render_map(map, path, {.overwrite = overwrite});
}
} // namespace

CLI::App* add_compare_command(CLI::App& app, CompareRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "compare",
        "Relative risk of one crime type against others, or change between two "
        "periods, as surfaces with a per-cell test and the areas where it is significant");
    add_offence_options(*cmd, r.input);
    cmd->add_option("--cases", r.cases,
                    "Relative risk: the crime type(s) of the cases (repeatable)")
        ->group("Compare");
    cmd->add_option("--controls", r.controls,
                    "Relative risk: the crime type(s) of the controls (default: every offence)")
        ->group("Compare");
    cmd->add_option("--this", r.this_period, "Change: this period, YYYY-MM or YYYY-MM..YYYY-MM")
        ->group("Compare");
    cmd->add_option("--last", r.last_period, "Change: the period to compare it with")
        ->group("Compare");
    cmd->add_option("--alpha", r.alpha, "Significance level of the areas drawn (default 0.05)")
        ->group("Compare");
    r.density.kernel = "gaussian";
    add_density_options(*cmd, r.density);
    cmd->add_option("--out-dir", r.out_dir, "Folder for the surfaces, areas and map")
        ->check(output_folder())
        ->required()
        ->group("Output");
    add_run_options(*cmd, r.run);
    cmd->footer(
        "Relative risk (--cases): log(f/g), f and g the case and control densities with one "
        "Gaussian\n"
        "  bandwidth (sigma), each scaled to integrate to 1 over the study area, as sparr's "
        "risk(); the p-value\n"
        "  is sparr's asymptotic tolerance test (upper tail: small where the cases' risk is "
        "raised).\n"
        "  Writes relative_risk.tif, risk_p.tif, risk_areas.gpkg (p < alpha) and risk_map.png.\n"
        "Change (--this, --last): this period's density per month minus the last's, and an "
        "exact\n"
        "  binomial test per cell of the offences within the bandwidth (2 sigma for the "
        "Gaussian) of its\n"
        "  centre, given their total. Writes change.tif, change_p.tif, change_areas.gpkg "
        "(increase and\n"
        "  decrease) and change_map.png. p-values are per cell, not corrected for the many "
        "cells.\n"
        "Examples:\n"
        "  hotspot compare --offences data/police_uk/2019-09-kent-street.csv \\\n"
        "      --boundaries data/boundaries/kent_districts_2013.geojson --area Maidstone \\\n"
        "      --cases Burglary --bandwidth 400 --out-dir burglary-risk\n"
        "  hotspot compare --offences data/police_uk/2019-09-kent-street.csv \\\n"
        "      --offences data/police_uk/2019-11-kent-street.csv --boundaries "
        "data/boundaries/kent_districts_2013.geojson \\\n"
        "      --area Maidstone --this 2019-11 --last 2019-09 --bandwidth 300 --out-dir change");
    return cmd;
}

nlohmann::json run_compare(const CompareRequest& r, Reporter& reporter)
{
    check_density_spec(r.density);
    const bool risk = !r.cases.empty();
    const std::string only =
        hours_label(r.input).empty() ? std::string() : " Only " + hours_label(r.input) + ".";
    const bool change = !r.this_period.empty() || !r.last_period.empty();
    if (risk == change)
        throw Error(Errc::Usage, "give --cases (relative risk) or --this and --last (change)");
    if (!r.controls.empty() && !risk)
        throw Error(Errc::Usage, "--controls goes with --cases");
    if (change && (r.this_period.empty() || r.last_period.empty()))
        throw Error(Errc::Usage, "change needs both --this and --last");
    if (!(r.alpha > 0 && r.alpha < 1))
        throw Error(Errc::Usage, "--alpha must lie between 0 and 1");
    if (r.density.adaptive)
        throw Error(Errc::Usage, "compare uses a fixed bandwidth (as sparr's risk with adapt = "
                                 "FALSE); --adaptive is not offered");
    if (risk && !engine::same_text(r.density.kernel, "gaussian"))
        throw Error(Errc::Usage, "relative risk uses the Gaussian kernel, whose tolerance test "
                                 "is known; leave --kernel out");
    std::optional<Period> this_p, last_p;
    if (change)
    {
        this_p = parse_period(r.this_period, "--this");
        last_p = parse_period(r.last_period, "--last");
        if (this_p->from <= last_p->to && last_p->from <= this_p->to)
            throw Error(Errc::Usage, "--this " + r.this_period + " and --last " + r.last_period +
                                         " overlap; compare periods that do not");
    }
    make_output_folder(r.out_dir);
    const auto out = [&](const std::string& name) { return (fs::path(r.out_dir) / name).string(); };
    const std::vector<std::string> outputs =
        risk ? std::vector<std::string>{"relative_risk.tif", "risk_p.tif", "risk_areas.gpkg",
                                        "risk_map.png"}
             : std::vector<std::string>{"change.tif", "change_p.tif", "change_areas.gpkg",
                                        "change_map.png"};
    for (const auto& name : outputs)
        io::check_output_path(out(name), r.run.overwrite);

    const io::OffenceTable table = load_offences(r.input, r.run, reporter);
    const std::string credit =
        map_attribution(table, r.input, r.density.boundaries, r.density.boundaries_layer);
    const engine::Incidents& all = table.incidents;
    engine::Incidents first, second;
    std::string first_label, second_label;
    if (risk)
    {
        first = of_types(all, r.cases);
        second = of_types(all, r.controls);
        first_label = engine::join(r.cases, ", ");
        second_label = r.controls.empty() ? "all offences" : engine::join(r.controls, ", ");
    }
    else
    {
        require_covered(table, this_p->from, this_p->to, "--this " + this_p->label());
        require_covered(table, last_p->from, last_p->to, "--last " + last_p->label());
        first = all.subset([&](std::size_t i) { return this_p->contains(all.month[i]); });
        second = all.subset([&](std::size_t i) { return last_p->contains(all.month[i]); });
        first_label = this_p->label();
        second_label = last_p->label();
    }
    const auto present = [&]
    {
        const auto months = engine::month_range(all.month);
        std::vector<std::string> types;
        for (const auto& t : all.crime_type_names)
            types.push_back(t);
        return risk ? "crime types present: " + engine::join(types, "; ")
                    : "the offences run from " + io::format_month(months.first) + " to " +
                          io::format_month(months.last);
    };
    if (first.size() == 0)
        throw Error(Errc::BadData,
                    std::string(risk ? "no case: no offence of " : "no offence in ") + first_label +
                        " (" + present() + ")");
    if (second.size() == 0)
        throw Error(Errc::BadData,
                    std::string(risk ? "no control: no offence of " : "no offence in ") +
                        second_label + " (" + present() + ")");
    reporter.info("compare    " + first_label + " (" + std::to_string(first.size()) + ") against " +
                  second_label + " (" + std::to_string(second.size()) + ")");

    // The grid, study area and bandwidth come from both sets together.
    engine::Incidents pooled = first;
    for (std::size_t i = 0; i < second.size(); ++i)
        pooled.add_from(second, i);
    const Density d = compute_density(r.density, pooled, table.target_crs, r.run, reporter);
    const engine::GridSpec& grid = d.surface.grid;
    // Inside a study area only its offences count, as in sparr, where the window holds the data.
    if (!r.density.area.empty() || !r.density.extent.empty())
        for (auto* set : {&first, &second})
        {
            const std::size_t before = set->size();
            set->keep_if([&](std::size_t i) { return d.window.contains({set->x[i], set->y[i]}); });
            if (set->size() == 0)
                throw Error(Errc::BadData, "no offence of " +
                                               (set == &first ? first_label : second_label) +
                                               " lies in the study area");
            if (set->size() < before)
                reporter.info("  in area  " + (set == &first ? first_label : second_label) + ": " +
                              std::to_string(set->size()) + " of " + std::to_string(before));
        }
    const engine::EdgeCorrection edge = edge_of(r.density);
    io::GeoTiffOptions tiff;
    tiff.overwrite = r.run.overwrite;
    tiff.float64 = true;
    tiff.metadata = density_metadata(r.density, d, r.input, pooled);
    tiff.metadata.emplace_back("HOTSPOT_COMPARE", first_label + " against " + second_label);
    nlohmann::json summary =
        summary_json("compare", {{"offences", offences_json(table)},
                                 {"mode", risk ? "relative risk" : "change"},
                                 {"first", {{"label", first_label}, {"offences", first.size()}}},
                                 {"second", {{"label", second_label}, {"offences", second.size()}}},
                                 {"alpha", r.alpha},
                                 {"cell_m", grid.cell_m}});
    summary.update(density_json(d));
    std::vector<engine::SignificantArea> areas;
    if (risk)
    {
        const engine::RiskSurfaces s =
            engine::relative_risk(first, second, grid, d.window, d.options.bandwidth_m, edge,
                                  nodata_value, engine::RunContext{reporter.progress("risk")});
        reporter.done();
        tiff.description = "log relative risk";
        tiff.unit = "log(case density / control density)";
        io::write_geotiff(out("relative_risk.tif"), s.log_risk, table.target_crs, tiff);
        tiff.description = "p-value of raised risk (asymptotic, upper tail)";
        tiff.unit = "p-value";
        io::write_geotiff(out("risk_p.tif"), s.p_value, table.target_crs, tiff);
        areas = engine::significant_areas(s.p_value, s.log_risk, r.alpha, 1, nodata_value);
        write_areas(out("risk_areas.gpkg"), areas, risk, "max_log_risk", grid, table.target_crs,
                    r.run.overwrite);
        draw(out("risk_map.png"), positive_part(s.log_risk), "log relative risk", d, areas,
             first_label + " against " + second_label + ": relative risk",
             "Bandwidth " + engine::bandwidth_meaning(d.options.kernel, d.options.bandwidth_m) +
                 ". Outlined: raised risk at p < " + fixed(r.alpha, 3) + " (per cell)." + only,
             credit, r.run.overwrite);
    }
    else
    {
        const double this_months = static_cast<double>(this_p->to - this_p->from + 1);
        const double last_months = static_cast<double>(last_p->to - last_p->from + 1);
        const double radius = engine::change_count_radius(d.options);
        engine::Raster<std::uint8_t> inside(grid, 1);
        if (d.mask)
            inside = *d.mask;
        const engine::ChangeSurfaces s = engine::change_between(
            first, this_months, second, last_months, grid, d.options, radius, inside, nodata_value,
            engine::RunContext{reporter.progress("change")});
        reporter.done();
        const std::string change_unit = density_unit(r.input, d.options.units) + " per month";
        tiff.description = "change in density per month, this period minus the last";
        tiff.unit = change_unit;
        io::write_geotiff(out("change.tif"), s.difference, table.target_crs, tiff);
        tiff.description = "p-value of the change (exact binomial, two-sided)";
        tiff.unit = "p-value";
        tiff.metadata.emplace_back("HOTSPOT_CHANGE_COUNT_RADIUS_M", fixed(radius, 3));
        io::write_geotiff(out("change_p.tif"), s.p_value, table.target_crs, tiff);
        areas = engine::significant_areas(s.p_value, s.difference, r.alpha, 1, nodata_value);
        auto falls = engine::significant_areas(s.p_value, s.difference, r.alpha, -1, nodata_value);
        std::move(falls.begin(), falls.end(), std::back_inserter(areas));
        write_areas(out("change_areas.gpkg"), areas, risk, "largest_change", grid, table.target_crs,
                    r.run.overwrite);
        draw(out("change_map.png"), positive_part(s.difference), change_unit, d, areas,
             first_label + " against " + second_label + ": change",
             "Shaded: increase. Outlined: significant increase (+) and decrease (-) at p < " +
                 fixed(r.alpha, 3) + " (per cell), offences within " + fixed(radius, 0) + " m." +
                 only,
             credit, r.run.overwrite);
        summary["count_radius_m"] = radius;
    }
    std::int64_t up = 0, down = 0;
    for (const auto& a : areas)
        (a.direction < 0 ? down : up) += 1;
    reporter.info("areas      " + std::to_string(up) + (risk ? " of raised risk" : " of increase") +
                  (risk ? "" : ", " + std::to_string(down) + " of decrease") + " at p < " +
                  fixed(r.alpha, 3));
    reporter.info("wrote      " + r.out_dir + ": " + engine::join(outputs, ", "));
    summary["areas"] = {{"up", up}, {"down", down}};
    summary["outputs"] = outputs;
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
