#include "predict_command.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/spacetime/prospective.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/geotiff.hpp"
#include "hotspot/io/vector.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>

namespace hotspot::app
{

void add_prospective_options(CLI::App& cmd, ProspectiveSpec& s, bool compared)
{
    if (!compared)
        cmd.add_option("--method", s.method,
                       "promap (default: Bowers, Johnson and Pease 2004) or decay (a kernel "
                       "density of offences weighted by their age)")
            ->group("Prospective");
    const std::string promap = compared ? "--promap-" : "--";
    cmd.add_option(promap + "band", s.band_m,
                   "ProMap: offences reach the cells within this many metres (default 400)")
        ->transform(length_unit())
        ->group("Prospective");
    cmd.add_option(promap + "weeks", s.weeks,
                   "ProMap: offences up to this many weeks old (default 8)")
        ->group("Prospective");
    cmd.add_option("--half-life", s.half_life_days,
                   "decay: an offence's weight halves every this many days (default 14)")
        ->group("Prospective");
}

void check_prospective_spec(const ProspectiveSpec& s)
{
    if (s.method != "promap" && s.method != "decay")
        throw Error(Errc::Usage,
                    "--method '" + s.method + "' is not a method; use promap or decay");
    require_positive(s.band_m, "--band");
    require_positive(s.half_life_days, "--half-life");
    if (s.weeks < 1 || s.weeks > 520)
        throw Error(Errc::Usage, "--weeks must lie between 1 and 520");
}

engine::DayIndex day_after(const engine::Incidents& inc)
{
    engine::DayIndex last = engine::no_day;
    bool by_month = false;
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        const engine::DayIndex d = engine::effective_day(inc, i);
        if (d != engine::no_day && (last == engine::no_day || d > last))
        {
            last = d;
            by_month = inc.day_of(i) == engine::no_day;
        }
    }
    if (last == engine::no_day)
        throw Error(Errc::BadData, "no offence has a date: a forecast needs dated offences");
    if (!by_month)
        return last + 1;
    return engine::first_day_of(engine::month_of_day(last) + 1);
}

engine::Raster<double> prospective_surface(const ProspectiveSpec& s, const DensitySpec& density,
                                           const engine::Incidents& offences, engine::DayIndex day,
                                           const engine::GridSpec& grid,
                                           const std::optional<engine::Raster<std::uint8_t>>& mask,
                                           const io::Crs& crs, const RunOptions& run,
                                           Reporter& reporter)
{
    if (s.method == "decay")
    {
        const engine::Incidents decayed = engine::time_decayed(offences, day, s.half_life_days);
        if (decayed.size() == 0)
            throw Error(Errc::BadData, "no dated offence before " + engine::format_day(day));
        return compute_density(density, decayed, crs, run, reporter, grid).surface;
    }
    engine::Raster<double> risk = engine::promap_surface(offences, grid, {s.band_m, s.weeks, day},
                                                         {reporter.progress("promap")});
    reporter.done();
    if (mask)
        for (std::size_t k = 0; k < risk.values.size(); ++k)
            if (!mask->values[k])
                risk.values[k] = nodata_value;
    return risk;
}

namespace fs = std::filesystem;

CLI::App* add_predict_command(CLI::App& app, PredictRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "predict", "Prospective hotspots: where crime is likely in the days ahead, from how "
                   "recent and how near the offences are, and the cells to patrol");
    add_offence_options(*cmd, r.input);
    add_prospective_options(*cmd, r.prospective);
    cmd->add_option("--at", r.at,
                    "The day forecast, YYYY-MM-DD (default: the day after the data; offences "
                    "after it are left out)")
        ->group("Prospective");
    cmd->add_option("--top", r.top, "Patrol cells listed, highest risk first (default 20)")
        ->group("Output");
    cmd->add_option("--street-field", r.street_field,
                    "Field holding each record's street, for each patrol cell's streets (default: "
                    "police.uk's Location, else a field called street, location or address)")
        ->group("Output");
    add_density_options(*cmd, r.density);
    cmd->add_option("--out-dir", r.out_dir,
                    "Folder for predict.tif, patrol_cells.gpkg and patrol_cells.csv")
        ->required()
        ->group("Output");
    add_run_options(*cmd, r.run);
    cmd->footer(
        "ProMap (Bowers, Johnson and Pease 2004): each offence up to --weeks whole weeks old adds "
        "1 / (1 + d) x 1 / (1 + t)\n"
        "  to every cell whose centre lies within --band of its cell's, d the distance in cells "
        "and t its age in\n"
        "  whole weeks on the day forecast. Records dated to the month (police.uk) count from the "
        "15th.\n"
        "decay: the kernel density (--kernel, --bandwidth, as kde) of the offences before the day, "
        "each weighted\n"
        "  by 2^(-age / --half-life).\n"
        "Which predicts better on your data? hotspot evaluate --rolling scores both, and plain "
        "kernel density,\n"
        "  month by month.\n"
        "Example:\n"
        "  hotspot predict --offences downloads/ --boundaries "
        "data/boundaries/kent_districts_2013.geojson \\\n"
        "      --area Maidstone --cell 100 --out-dir next_week");
    return cmd;
}

nlohmann::json run_predict(const PredictRequest& r, Reporter& reporter)
{
    check_prospective_spec(r.prospective);
    check_density_spec(r.density);
    if (r.top < 1)
        throw Error(Errc::Usage, "--top must be 1 or more");
    if (r.prospective.method == "promap" &&
        (min_count_of(r.density) > 0 || r.density.adaptive || r.density.edge_correction != "none"))
        throw Error(Errc::Usage, "--min-count, --publish, --adaptive and --edge-correction are "
                                 "for kernel densities: use them with --method decay");
    std::optional<engine::DayIndex> at;
    if (!r.at.empty())
    {
        const auto date = io::parse_date(r.at);
        if (!date || date->day == engine::no_day)
            throw Error(Errc::Usage, "--at takes a day as YYYY-MM-DD (got '" + r.at + "')");
        at = date->day;
    }
    make_output_folder(r.out_dir);
    const auto out = [&](const std::string& name) { return (fs::path(r.out_dir) / name).string(); };
    const std::vector<std::string> outputs{"predict.tif", "patrol_cells.gpkg", "patrol_cells.csv"};
    for (const auto& name : outputs)
        io::check_output_path(out(name), r.run.overwrite);

    io::ReadOptions read; // each record's text for its street, read again for the cells listed
    read.keep_raw = true;
    read.text_on_demand = true;
    const io::OffenceTable table = load_dated_offences(
        r.input, r.run, reporter, "a forecast weighs offences by their age", read);
    const engine::Incidents& inc = table.incidents;
    const io::Crs& crs = table.target_crs;
    const engine::DayIndex day = at ? *at : day_after(inc);
    // The history the forecast weighs must be in the data: a missing month would read as a quiet
    // one. ProMap looks back --weeks; the decayed density, three half-lives (weights of 1/8 on).
    {
        const double back_days = r.prospective.method == "promap"
                                     ? 7.0 * r.prospective.weeks
                                     : 3.0 * r.prospective.half_life_days;
        const auto first_day = day - static_cast<engine::DayIndex>(std::ceil(back_days));
        require_covered(table, engine::month_of_day(first_day), engine::month_of_day(day - 1),
                        "the history of a forecast for " + engine::format_day(day) + " (" +
                            engine::format_day(first_day) + " on)");
    }
    const StudyGrid study =
        study_grid(r.density.boundaries, r.density.boundaries_layer, r.density.area,
                   r.density.extent, r.density.cell_m, inc, crs, r.run, reporter);
    const engine::GridSpec& grid = study.grid;
    reporter.info("forecast   " + engine::format_day(day) + " by " +
                  (r.prospective.method == "promap"
                       ? "ProMap, " + fixed(r.prospective.band_m, 0) + " m and " +
                             std::to_string(r.prospective.weeks) + " weeks"
                       : "time-decayed density, half-life " +
                             fixed(r.prospective.half_life_days, 1) + " days"));
    const engine::Raster<double> risk = prospective_surface(r.prospective, r.density, inc, day,
                                                            grid, study.mask, crs, r.run, reporter);

    // The cells to patrol: highest risk first, ties in raster order.
    std::vector<std::int64_t> order;
    double total = 0;
    for (std::size_t k = 0; k < risk.values.size(); ++k)
        if (risk.values[k] != nodata_value && risk.values[k] > 0)
        {
            order.push_back(static_cast<std::int64_t>(k));
            total += risk.values[k];
        }
    if (order.empty())
        throw Error(Errc::BadData, "no offence within reach of the day forecast (" +
                                       engine::format_day(day) +
                                       "): give a later --at, or more --weeks");
    const std::size_t top = std::min<std::size_t>(static_cast<std::size_t>(r.top), order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                      [&](std::int64_t a, std::int64_t b)
                      {
                          const double va = risk.values[static_cast<std::size_t>(a)],
                                       vb = risk.values[static_cast<std::size_t>(b)];
                          return va != vb ? va > vb : a < b;
                      });
    order.resize(top);

    io::GeoTiffOptions tiff;
    tiff.overwrite = r.run.overwrite;
    tiff.float64 = true;
    tiff.nodata = nodata_value;
    tiff.description = r.prospective.method == "promap" ? "ProMap risk" : "time-decayed density";
    tiff.unit = r.prospective.method == "promap" ? "ProMap score" : "weighted offences per km²";
    tiff.metadata = {{"HOTSPOT_COMMAND", "predict"},
                     {"HOTSPOT_METHOD", r.prospective.method},
                     {"HOTSPOT_FORECAST_DAY", engine::format_day(day)},
                     {"HOTSPOT_SOURCE", source_names(table.files)}};
    if (r.prospective.method == "promap")
    {
        tiff.metadata.emplace_back("HOTSPOT_PROMAP_BAND_M", fixed(r.prospective.band_m, 3));
        tiff.metadata.emplace_back("HOTSPOT_PROMAP_WEEKS", std::to_string(r.prospective.weeks));
    }
    else
        tiff.metadata.emplace_back("HOTSPOT_HALF_LIFE_DAYS",
                                   fixed(r.prospective.half_life_days, 3));
    io::write_geotiff(out("predict.tif"), risk, crs, tiff);

    const auto name_at =
        area_namer(study.area, r.density.boundaries, r.density.boundaries_layer, crs, r.run);
    // Each patrol cell's streets: those of the offences in it before the day forecast.
    std::map<std::int64_t, std::int32_t> rank_of;
    for (std::size_t i = 0; i < top; ++i)
        rank_of[order[i]] = static_cast<std::int32_t>(i);
    const auto streets = top_streets(
        table, r.street_field, top,
        [&](std::size_t i) -> std::int32_t
        {
            const auto c = grid.col_of(inc.x[i]), row = grid.row_of(inc.y[i]);
            const engine::DayIndex when = engine::effective_day(inc, i);
            if (c < 0 || c >= grid.cols || row < 0 || row >= grid.rows || when == engine::no_day ||
                when >= day)
                return -1;
            const auto it = rank_of.find(row * grid.cols + c);
            return it == rank_of.end() ? -1 : it->second;
        },
        reporter);
    io::VectorWriter cells(out("patrol_cells.gpkg"), "patrol_cells", crs,
                           io::GeometryKind::MultiPolygon,
                           {{"rank", io::FieldType::Integer},
                            {"risk", io::FieldType::Real},
                            {"share", io::FieldType::Real},
                            {"area", io::FieldType::Text},
                            {"streets", io::FieldType::Text},
                            {"x", io::FieldType::Real},
                            {"y", io::FieldType::Real}},
                           r.run.overwrite);
    std::string csv = "rank,risk,share,area,streets,x,y\n";
    nlohmann::json listed = nlohmann::json::array();
    reporter.info("patrol     the " + std::to_string(top) + " cells of highest risk:");
    for (std::size_t i = 0; i < top; ++i)
    {
        const std::int64_t k = order[i];
        const engine::Point2 centre{grid.center_x(k % grid.cols), grid.center_y(k / grid.cols)};
        const double v = risk.values[static_cast<std::size_t>(k)];
        const std::string where = name_at ? name_at(centre) : std::string();
        cells.add_polygon(engine::cell_square(grid, k),
                          {static_cast<std::int64_t>(i + 1), v, v / total, where, streets[i],
                           centre.x, centre.y});
        csv += std::to_string(i + 1) + "," + fixed(v, 6) + "," + fixed(v / total, 6) + "," +
               io::csv_quote(where) + "," + io::csv_quote(streets[i]) + "," + fixed(centre.x, 1) +
               "," + fixed(centre.y, 1) + "\n";
        listed.push_back({{"rank", i + 1},
                          {"risk", v},
                          {"area", where},
                          {"streets", streets[i]},
                          {"x", centre.x},
                          {"y", centre.y}});
        if (i < 10)
            reporter.info("  " + std::to_string(i + 1) + ". " + fixed(v, 3) +
                          (where.empty() ? "" : "  " + where) + "  (" + fixed(centre.x, 0) + ", " +
                          fixed(centre.y, 0) + ")" + (streets[i].empty() ? "" : "  " + streets[i]));
    }
    cells.commit();
    io::write_text_file(out("patrol_cells.csv"), csv, r.run.overwrite);
    reporter.info("wrote      " + r.out_dir + ": " + engine::join(outputs, ", "));

    nlohmann::json summary = {{"command", "predict"},
                              {"version", HOTSPOT_VERSION_STRING},
                              {"offences", offences_json(table)},
                              {"method", r.prospective.method},
                              {"forecast_day", engine::format_day(day)},
                              {"cell_m", grid.cell_m},
                              {"patrol_cells", listed},
                              {"outputs", outputs}};
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
