#include "predict_command.hpp"
#include "option_kinds.hpp"

#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/hotspots/backtest.hpp"
#include "hotspot/engine/hotspots/forecast_entry.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"
#include "hotspot/engine/spacetime/prospective.hpp"
#include "hotspot/engine/spacetime/sepp.hpp"
#include "hotspot/io/areas.hpp"
#include "hotspot/io/crs.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/geotiff.hpp"
#include "hotspot/io/layer_style.hpp"
#include "hotspot/io/vector.hpp"

#include <tbb/parallel_for.h>

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
                       "promap (default: Bowers, Johnson and Pease 2004), decay (a kernel "
                       "density of offences weighted by their age), sepp (a self-exciting point "
                       "process per cell, Mohler et al. 2015) or auto (the best of them by "
                       "backtest; with --rules)")
            ->transform(choice(engine::prospective_method_names))
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

engine::ProspectiveParameters prospective_parameters(const ProspectiveSpec& s)
{
    require_positive(s.band_m, "--band");
    require_positive(s.half_life_days, "--half-life");
    if (s.weeks < 1 || s.weeks > 520)
        throw Error(Errc::Usage, "--weeks must lie between 1 and 520");
    return {named_value(engine::prospective_method_names, s.method, "--method", "a method"),
            s.band_m, s.weeks, s.half_life_days};
}

engine::Raster<double> prospective_surface(const engine::ProspectiveParameters& p,
                                           const DensitySpec& density,
                                           const engine::Incidents& offences, engine::DayIndex day,
                                           const engine::GridSpec& grid,
                                           const std::optional<engine::Raster<std::uint8_t>>& mask,
                                           const io::Crs& crs, const RunOptions& run,
                                           Reporter& reporter, double horizon_days)
{
    using engine::ProspectiveMethod;
    engine::Raster<double> risk;
    if (p.method == ProspectiveMethod::Sepp)
    {
        if (const std::size_t by_month = engine::dated_by_month(offences); by_month > 0)
            throw Error(Errc::BadData, "--method sepp times offences to the day, and " +
                                           std::to_string(by_month) +
                                           " are dated to the month only (as police.uk's are): "
                                           "use promap or decay for them");
        const engine::SeppEvents events = engine::sepp_events(offences, grid, day);
        if (events.cells.empty())
            throw Error(Errc::BadData,
                        "no dated offence on the grid before " + engine::format_day(day));
        const engine::SeppFit fit =
            engine::fit_sepp(events.cells, events.times, grid.cell_count(), events.window_days);
        reporter.info("sepp       " + std::to_string(events.cells.size()) + " offences from " +
                      engine::format_day(events.first) + ": theta " + fixed(fit.theta, 3) +
                      " offences set off by each, omega " + fixed(fit.omega, 4) + " a day (" +
                      fixed(1 / fit.omega, 1) + " days on average), " +
                      fixed(100 * fit.triggered_share, 1) + "% triggered; " +
                      (fit.converged ? "converged" : "stopped") + " after " +
                      std::to_string(fit.iterations) + " EM steps");
        risk = engine::Raster<double>(grid, 0.0);
        risk.values = engine::sepp_expected(fit, events.cells, events.times, events.window_days,
                                            horizon_days);
    }
    else if (p.method == ProspectiveMethod::Kde)
    {
        const engine::Incidents recent = engine::offences_in_weeks_before(offences, day, p.weeks);
        if (recent.size() == 0) // a quiet spell: nothing to weigh, no cell ahead of another
            return engine::Raster<double>(grid, 0.0);
        return compute_density(density, recent, crs, run, reporter, grid).surface;
    }
    else if (p.method == ProspectiveMethod::Decay)
    {
        const engine::Incidents decayed = engine::time_decayed(offences, day, p.half_life_days);
        if (decayed.size() == 0)
            throw Error(Errc::BadData, "no dated offence before " + engine::format_day(day));
        return compute_density(density, decayed, crs, run, reporter, grid).surface;
    }
    else
    {
        risk = engine::promap_surface(offences, grid, {p.band_m, p.weeks, day},
                                      {reporter.progress("promap")});
        reporter.done();
    }
    if (mask)
        engine::blank_outside(risk.values, *mask, nodata_value);
    return risk;
}

namespace fs = std::filesystem;

namespace
{
// The forecast entry of --rules nij2017 (engine::make_entry), checked against the challenge's
// rules, and written as a shapefile in the CRS the data are in: the analysis CRS is that CRS
// redrawn in metres, so its coordinates scale back exactly.
nlohmann::json write_entry(const std::string& path, const engine::GridSpec& grid,
                           const engine::Raster<double>& risk,
                           const std::vector<engine::MultiPolygon>& police_area, double hot_area_m2,
                           const io::Crs& written, const io::Crs& analysed, const RunOptions& run,
                           Reporter& reporter)
{
    const engine::ForecastEntry entry =
        engine::make_entry(grid, risk.values, nodata_value, police_area, hot_area_m2);
    std::vector<double> whole_cells;
    std::size_t cut = 0;
    for (const auto& cell : entry.cells)
        if (cell.cut)
            ++cut;
        else
            whole_cells.push_back(cell.area);
    const engine::Nij2017Rules rules = engine::check_nij2017(whole_cells, entry.hot_area);
    if (!rules.met())
        throw Error(Errc::Usage, "--rules nij2017: the entry would break the challenge's rules: " +
                                     rules.describe() +
                                     "; the hot cells are added whole, so ask for a --hot-area "
                                     "a cell below 0.75 sq mi, or give smaller cells");
    const double scale = analysed.unit_m / written.unit_m; // metres to the data's units
    io::VectorWriter file(path, fs::path(path).stem().string(), written,
                          io::GeometryKind::MultiPolygon,
                          {{"hotspot", io::FieldType::Integer},
                           {"risk", io::FieldType::Real},
                           {"rank", io::FieldType::Integer},
                           {"area_sqft", io::FieldType::Real},
                           {"cut", io::FieldType::Integer}},
                          run.overwrite);
    for (const engine::EntryCell& cell : entry.cells)
    {
        engine::MultiPolygon shape = cell.shape;
        for (auto& polygon : shape)
        {
            for (auto& v : polygon.outer)
                v = {v.x * scale, v.y * scale};
            for (auto& hole : polygon.holes)
                for (auto& v : hole)
                    v = {v.x * scale, v.y * scale};
        }
        file.add_polygon(shape, {std::int64_t{cell.hot ? 1 : 0}, cell.risk, cell.rank,
                                 cell.area / engine::m2_per_sq_ft, std::int64_t{cell.cut ? 1 : 0}});
    }
    file.commit();
    const double hot_sq_mi = entry.hot_area / engine::m2_per_sq_mile;
    reporter.info("entry      " + path + ": " + std::to_string(entry.cells.size()) +
                  " cells over the police area (" + std::to_string(cut) + " cut at its edge), " +
                  std::to_string(entry.hot_cells) + " hot, " + fixed(hot_sq_mi, 3) + " sq mi of " +
                  fixed(entry.area / engine::m2_per_sq_mile, 2) + ", in " + written.label());
    reporter.info("rules      NIJ 2017: " + rules.describe());
    return {{"file", path},
            {"crs", written.label()},
            {"cells", entry.cells.size()},
            {"cut_cells", cut},
            {"hot_cells", entry.hot_cells},
            {"hot_area_sq_mi", hot_sq_mi},
            {"area_sq_mi", entry.area / engine::m2_per_sq_mile},
            {"cell_sq_ft", grid.cell_area_m2() / engine::m2_per_sq_ft},
            {"rules", {{"cells", rules.cells_met}, {"hot_area", rules.hot_area_met}}}};
}

// --method auto: candidate forecasts scored at rolling origins before --at, each as an entry of
// the challenge (the same horizon and hot area), and the best taken (engine::choose_by_backtest).
struct AutoChoice
{
    engine::ProspectiveCandidate chosen;
    nlohmann::json summary;
};

AutoChoice choose_by_backtest(const PredictRequest& r, const engine::ProspectiveParameters& given,
                              const engine::Incidents& inc, engine::DayIndex at,
                              const engine::Horizon& horizon, const engine::GridSpec& base,
                              const std::vector<engine::MultiPolygon>& police_area,
                              double hot_area_m2, const io::Crs& crs, const std::string& csv_path,
                              Reporter& reporter)
{
    if (r.metric != "pai" && r.metric != "pei")
        throw Error(Errc::Usage, "--metric '" + r.metric + "' is not a metric; use pai or pei");
    if (r.origins < 3)
        throw Error(Errc::Usage, "--origins must be 3 or more: the newest 2 judge the choice");
    if (const std::size_t by_month = engine::dated_by_month(inc); by_month > 0)
        throw Error(Errc::BadData, "--method auto scores each origin on the days of its horizon, "
                                   "and " +
                                       std::to_string(by_month) +
                                       " offences are dated to the month only (as police.uk's "
                                       "are)");
    const std::vector<engine::ProspectiveCandidate> candidates =
        engine::prospective_candidates(given);
    const int origins = r.origins;
    // The oldest origin needs the longest history a candidate weighs.
    {
        const engine::DayIndex first = engine::earliest_day(inc);
        const engine::DayIndex oldest = engine::origin_before(at, horizon, origins);
        if (first == engine::no_day || oldest - 7 * engine::longest_candidate_weeks < first)
            throw Error(Errc::Usage, "--origins " + std::to_string(origins) + " of " +
                                         horizon.label + " reach back to " +
                                         engine::format_day(oldest) + ", with less than " +
                                         std::to_string(engine::longest_candidate_weeks) +
                                         " weeks of offences before it: give fewer --origins or "
                                         "a later --at");
    }
    constexpr std::size_t held_out = 2;
    // Each offence's place in the police area, found once.
    const engine::AreaIndex area_index(police_area);
    std::vector<std::uint8_t> inside(inc.size());
    tbb::parallel_for(std::size_t{0}, inc.size(),
                      [&](std::size_t i) {
                          inside[i] = area_index.locate({inc.x[i], inc.y[i]}) >= 0;
                      });
    // The entry's cells on each grid placement, made once.
    std::map<std::pair<double, double>, std::pair<engine::GridSpec, engine::ForecastEntry>> grids;
    for (const auto& c : candidates)
        if (!grids.count({c.dx, c.dy}))
        {
            const engine::GridSpec g = engine::shifted_grid(base, c.dx, c.dy);
            grids.emplace(std::make_pair(c.dx, c.dy),
                          std::make_pair(g, engine::entry_cells(g, police_area)));
        }
    std::vector<std::vector<double>> scores(candidates.size(), std::vector<double>(origins));
    std::vector<double> naive(origins);
    io::CsvTable csv{"candidate", "origin",         "last_day", "N",       "n",
                     "n_star",    "hot_area_sq_mi", "pai",      "pei_star"};
    const auto scored = [&](const engine::EntryScore& s)
    { return r.metric == "pai" ? s.pai : s.pei_star; };
    Reporter quiet(true);
    auto progress = reporter.progress("backtest");
    for (int o = 0; o < origins; ++o)
    {
        const engine::DayIndex origin = engine::origin_before(at, horizon, o + 1);
        const engine::DayIndex last = horizon.last_day(origin);
        const engine::Incidents before = engine::offences_before(inc, origin);
        const std::vector<engine::Point2> tested =
            engine::points_dated_between(inc, origin, last, inside);
        const double horizon_days = static_cast<double>(last - origin + 1);
        const auto record = [&](const std::string& label, const engine::EntryScore& s)
        {
            csv.add({label, engine::format_day(origin), engine::format_day(last),
                     std::to_string(s.offences_inside), std::to_string(s.in_hot_cells),
                     std::to_string(s.best_possible), fixed(s.hot_area / engine::m2_per_sq_mile, 6),
                     fixed(s.pai, 6), fixed(s.pei_star, 6)});
        };
        {
            // The naive forecast: every past offence counted in its cell.
            auto& [g, entry] = grids.at({0.0, 0.0});
            engine::choose_hot(entry, engine::cell_counts(before, g, false).values, nodata_value,
                               hot_area_m2);
            const engine::EntryScore s = engine::score_on_grid(entry, g, tested);
            naive[static_cast<std::size_t>(o)] = scored(s);
            record("naive: all past offences per cell", s);
        }
        for (std::size_t c = 0; c < candidates.size(); ++c)
        {
            auto& [g, entry] = grids.at({candidates[c].dx, candidates[c].dy});
            const engine::Raster<double> risk =
                prospective_surface(candidates[c].parameters, r.density, before, origin, g,
                                    std::nullopt, crs, r.run, quiet, horizon_days);
            engine::choose_hot(entry, risk.values, nodata_value, hot_area_m2);
            const engine::EntryScore s = engine::score_on_grid(entry, g, tested);
            scores[c][static_cast<std::size_t>(o)] = scored(s);
            record(candidates[c].label, s);
            if (progress)
                progress(static_cast<double>(o * candidates.size() + c + 1) /
                         static_cast<double>(origins * candidates.size()));
        }
    }
    reporter.done();
    io::write_text_file(csv_path, csv.text(), r.run.overwrite);

    const std::string metric = r.metric == "pai" ? "PAI" : "PEI*";
    const engine::BacktestChoice choice = engine::choose_by_backtest(scores, held_out);
    const auto line = [&](const std::string& label, const std::vector<double>& v)
    {
        const engine::OriginSpread s = engine::spread_over(v);
        return "  " + label + std::string(label.size() < 52 ? 52 - label.size() : 1, ' ') +
               fixed(s.mean, 2) + " +/- " + fixed(s.sd, 2) + "  (" + fixed(s.min, 2) + " to " +
               fixed(s.max, 2) + ")";
    };
    reporter.info("backtest   " + std::to_string(origins) + " origins before " +
                  engine::format_day(at) + ", " + horizon.label + " each, hot area " +
                  fixed(hot_area_m2 / engine::m2_per_sq_mile, 3) + " sq mi: mean " + metric +
                  " +/- sd (range)");
    nlohmann::json listed = nlohmann::json::array();
    for (std::size_t c = 0; c < candidates.size(); ++c)
    {
        reporter.info(line(candidates[c].label, scores[c]) +
                      (c == choice.chosen ? "  <- chosen" : ""));
        const engine::OriginSpread s = engine::spread_over(scores[c]);
        listed.push_back({{"candidate", candidates[c].label}, {"mean", s.mean}, {"sd", s.sd}});
    }
    reporter.info(line("naive: all past offences per cell", naive));
    const auto newest = [&](const std::vector<double>& v)
    {
        return engine::spread_over(
                   std::vector<double>(v.begin(),
                                       v.begin() + static_cast<std::ptrdiff_t>(held_out)))
            .mean;
    };
    const double naive_held_out = newest(naive);
    reporter.info("held out   chosen on the " + std::to_string(origins - 2) +
                  " older origins alone: " + candidates[choice.chosen_on_older].label +
                  "; on the 2 newest, which it never saw, " + metric + " " +
                  fixed(choice.held_out_mean, 2) + " (naive " + fixed(naive_held_out, 2) + ")");
    AutoChoice out{candidates[choice.chosen], {}};
    out.summary = {{"metric", r.metric},
                   {"origins", origins},
                   {"candidates", listed},
                   {"chosen", candidates[choice.chosen].label},
                   {"naive_mean", engine::spread_over(naive).mean},
                   {"nested",
                    {{"chosen_on_older_origins", candidates[choice.chosen_on_older].label},
                     {"held_out_origins", held_out},
                     {"held_out_mean", choice.held_out_mean},
                     {"naive_held_out_mean", naive_held_out}}}};
    return out;
}
} // namespace

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
        ->check(date_value())
        ->group("Prospective");
    cmd->add_option("--horizon", r.horizon,
                    "The period forecast from --at, days inclusive: 1W, 2W (7 or 14 days), 1M, 2M, "
                    "3M (calendar months); recorded with the forecast")
        ->group("Prospective");
    cmd->add_option(
           "--rules", r.rules,
           "nij2017: also write entry.shp, an entry in the form of the NIJ Real-Time Crime "
           "Forecasting Challenge (2017), and refuse one that breaks its rules (see below)")
        ->group("Forecast entry");
    cmd->add_option("--hot-area", r.hot_area_m2,
                    "With --rules: the hot cells' area, with its unit (0.25sqmi, 650000sqft, 1km2, "
                    "ha; default 0.25sqmi)")
        ->transform(area_unit())
        ->group("Forecast entry");
    cmd->add_option(
           "--metric", r.metric,
           "--method auto: the score candidates are ranked by, pai (default) or pei (PEI*)")
        ->transform(choice({"pai", "pei"}))
        ->group("Forecast entry");
    cmd->add_option("--origins", r.origins,
                    "--method auto: rolling origins before --at, a horizon apart (default 12; the "
                    "newest 2 also judge a choice made without them)")
        ->group("Forecast entry");
    cmd->add_option("--top", r.top, "Patrol cells listed, highest risk first (default 20)")
        ->group("Output");
    cmd->add_option("--street-field", r.street_field,
                    "Field holding each record's street, for each patrol cell's streets (default: "
                    "police.uk's Location, else a field called street, location or address)")
        ->check(field_of("--offences"))
        ->group("Output");
    add_density_options(*cmd, r.density);
    cmd->add_option("--out-dir", r.out_dir,
                    "Folder for predict.tif, patrol_cells.gpkg and patrol_cells.csv")
        ->check(output_folder())
        ->required()
        ->group("Output");
    add_legend_option(*cmd, r.style);
    add_sld_option(*cmd, r.style);
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
        "--rules nij2017 writes entry.shp as the NIJ challenge asked: square cells (--cell, "
        "default "
        "600ft) over the\n"
        "  whole police area (every feature of --boundaries), cut at its edge, in the data's own "
        "CRS and units\n"
        "  (--crs; the grid is drawn in it, redrawn in metres, so its cells are not rotated); a "
        "0/1 hotspot field,\n"
        "  the hot cells being the highest risk until their area as cut reaches --hot-area. It "
        "needs "
        "--at and\n"
        "  --horizon, and refuses cells outside 62,500-360,000 sq ft (those cut by the edge aside) "
        "and hot areas\n"
        "  outside 0.25-0.75 sq mi. Score an entry with hotspot evaluate --forecast.\n"
        "--method auto (with --rules) scores candidates at --origins rolling origins before --at, "
        "each an entry\n"
        "  for the same horizon and hot area on the offences that followed: ProMap of 4, 8 and 16 "
        "weeks,\n"
        "  decay with half-lives of 14 and 56 days, kernel density of 8 weeks and sepp, each on "
        "the "
        "grid as\n"
        "  given and moved half a cell west, north and both (Mohler and Porter 2018: placement "
        "moves PAI).\n"
        "  The best mean --metric over the origins makes the forecast; every candidate's mean, "
        "spread and\n"
        "  range is printed beside the naive forecast's (every past offence counted in its cell), "
        "and the\n"
        "  choice made on the older origins alone is scored on the 2 newest, which it never saw. "
        "Only\n"
        "  offences before --at are read. backtest.csv holds every score.\n"
        "Example:\n"
        "  hotspot predict --offences downloads/ --boundaries "
        "data/boundaries/kent_districts_2013.geojson \\\n"
        "      --area Maidstone --cell 100 --out-dir next_week\n"
        "  hotspot predict --offences data/portland/portland_burglary_2012-03_2017-02.csv --crs "
        "EPSG:2913 \\\n"
        "      --boundaries data/portland/portland_police_districts.gpkg --rules nij2017 --at "
        "2017-02-01 \\\n"
        "      --horizon 2W --cell 600ft --hot-area 0.25sqmi --out-dir entry");
    return cmd;
}

nlohmann::json run_predict(const PredictRequest& r, Reporter& reporter)
{
    using engine::ProspectiveMethod;
    const engine::ProspectiveParameters given = prospective_parameters(r.prospective);
    check_density_spec(r.density);
    if (r.top < 1)
        throw Error(Errc::Usage, "--top must be 1 or more");
    if (given.method != ProspectiveMethod::Decay &&
        (min_count_of(r.density) > 0 || r.density.adaptive ||
         edge_of(r.density) != engine::EdgeCorrection::None))
        throw Error(Errc::Usage, "--min-count, --publish, --adaptive and --edge-correction are "
                                 "for kernel densities: use them with --method decay");
    const bool entry_rules = !r.rules.empty();
    if (entry_rules && r.rules != "nij2017")
        throw Error(Errc::Usage, "--rules '" + r.rules +
                                     "' is not a set of rules hotspot knows; nij2017 is (the NIJ "
                                     "Real-Time Crime Forecasting Challenge, 2017)");
    if (given.method == ProspectiveMethod::Auto && !entry_rules)
        throw Error(Errc::Usage, "--method auto backtests entries of the challenge's form: give "
                                 "--rules nij2017 with --at, --horizon and --boundaries");
    if (r.hot_area_m2 && !entry_rules)
        throw Error(Errc::Usage, "--hot-area sizes a forecast entry: give it with --rules nij2017");
    std::optional<engine::DayIndex> at;
    if (!r.at.empty())
    {
        const auto date = io::parse_date(r.at);
        if (!date || date->day == engine::no_day)
            throw Error(Errc::Usage, "--at takes a day as YYYY-MM-DD (got '" + r.at + "')");
        at = date->day;
    }
    std::optional<engine::Horizon> horizon;
    if (!r.horizon.empty())
    {
        if (!at)
            throw Error(Errc::Usage, "--horizon counts from --at: give the first day forecast");
        horizon = engine::parse_horizon(r.horizon);
    }
    OffenceInput input = r.input;
    const double cell_m = r.density.cell_m.value_or(600 * 0.3048);
    const double hot_area_m2 = r.hot_area_m2.value_or(0.25 * engine::m2_per_sq_mile);
    if (entry_rules)
    {
        if (!at || !horizon)
            throw Error(Errc::Usage, "--rules nij2017 needs --at (the first day forecast) and "
                                     "--horizon (1W, 2W, 1M, 2M or 3M), the period an entry names");
        if (r.density.boundaries.empty())
            throw Error(Errc::Usage, "--rules nij2017 needs the police area: give its districts "
                                     "with --boundaries");
        if (!r.density.area.empty() || !r.density.extent.empty())
            throw Error(Errc::Usage, "--rules nij2017 covers the whole police area, every feature "
                                     "of --boundaries: leave out --area and --extent");
        // The rules, before any work: square cells of 62,500-360,000 sq ft (sides of 250-600 ft),
        // hot cells of 0.25-0.75 sq mi.
        const engine::Nij2017Rules asked = engine::check_nij2017({cell_m * cell_m}, hot_area_m2);
        if (!asked.cells_met)
            throw Error(Errc::Usage, "--cell " + fixed(cell_m / 0.3048, 1) + " ft: cells of " +
                                         fixed(asked.smallest_sq_ft, 0) +
                                         " sq ft break the NIJ 2017 rule of 62,500-360,000 sq ft "
                                         "(square cells of 250-600 ft)");
        if (!asked.hot_area_met)
            throw Error(Errc::Usage, "--hot-area " + fixed(asked.hot_sq_mi, 3) +
                                         " sq mi breaks the NIJ 2017 rule of 0.25-0.75 sq mi");
        // The grid is drawn in the data's own CRS (state plane feet for Portland), redrawn in
        // metres: a grid in another CRS would be rotated against it, its cells of other areas.
        if (input.target_crs.empty())
        {
            if (input.source.crs.empty())
                throw Error(Errc::Usage, "--rules nij2017 draws its grid in the data's own CRS: "
                                         "name it with --crs (EPSG:2913 for Portland's data)");
            input.target_crs = input.source.crs;
        }
    }
    make_output_folder(r.out_dir);
    const auto out = [&](const std::string& name) { return (fs::path(r.out_dir) / name).string(); };
    std::vector<std::string> outputs{"predict.tif", "predict.qml", "patrol_cells.gpkg",
                                     "patrol_cells.csv"};
    if (entry_rules)
        outputs.push_back("entry.shp");
    if (given.method == ProspectiveMethod::Auto)
        outputs.push_back("backtest.csv");
    for (const auto& name : outputs)
        io::check_output_path(out(name), r.run.overwrite);
    check_style_options(r.style);
    for (const char* name : {"predict.tif", "patrol_cells.gpkg"})
        io::check_sld_output(out(name), r.style.sld, r.run.overwrite);

    io::ReadOptions read; // each record's text for its street, read again for the cells listed
    read.keep_raw = true;
    read.text_on_demand = true;
    const io::OffenceTable table = load_dated_offences(
        input, r.run, reporter, "a forecast weighs offences by their age", read);
    const engine::Incidents& inc = table.incidents;
    const io::Crs& crs = table.target_crs;
    const engine::DayIndex day = at ? *at : engine::day_after(inc);
    // The history the forecast weighs must be in the data: a missing month would read as a quiet
    // one.
    {
        const double back_days = engine::history_days(given, day, engine::earliest_day(inc));
        const auto first_day = day - static_cast<engine::DayIndex>(std::ceil(back_days));
        require_covered(table, engine::month_of_day(first_day), engine::month_of_day(day - 1),
                        "the history of a forecast for " + engine::format_day(day) + " (" +
                            engine::format_day(first_day) + " on)");
    }
    std::vector<engine::MultiPolygon> police_area;
    StudyGrid study;
    if (entry_rules)
    {
        // The grid covers the whole police area, whatever the offences' extent.
        study.area = load_study_area(r.density.boundaries, r.density.boundaries_layer, "", crs,
                                     r.run, reporter);
        police_area = io::shapes(*study.area.layers.front());
        engine::Box2 box;
        for (const auto& shape : police_area)
            box.expand(engine::bounds(shape));
        study.grid = engine::grid_for_extent(engine::snap_outward(box, cell_m), cell_m);
    }
    else
        study = study_grid(r.density.boundaries, r.density.boundaries_layer, r.density.area,
                           r.density.extent, r.density.cell_m, inc, crs, r.run, reporter);
    engine::GridSpec grid = study.grid;
    engine::ProspectiveParameters spec = given;
    nlohmann::json auto_json;
    if (spec.method == ProspectiveMethod::Auto)
    {
        const AutoChoice choice =
            choose_by_backtest(r, given, inc, day, *horizon, grid, police_area, hot_area_m2, crs,
                               out("backtest.csv"), reporter);
        spec = choice.chosen.parameters;
        grid = engine::shifted_grid(grid, choice.chosen.dx, choice.chosen.dy);
        auto_json = choice.summary;
    }
    const auto method_is = [&](ProspectiveMethod m) { return spec.method == m; };
    reporter.info(
        "forecast   " + engine::format_day(day) + " by " +
        (method_is(ProspectiveMethod::ProMap) ? "ProMap, " + fixed(spec.band_m, 0) + " m and " +
                                                    std::to_string(spec.weeks) + " weeks"
         : method_is(ProspectiveMethod::Sepp)
             ? "a self-exciting point process per cell (Mohler et al. 2015)"
         : method_is(ProspectiveMethod::Kde)
             ? "kernel density of the " + std::to_string(spec.weeks) + " weeks before"
             : "time-decayed density, half-life " + fixed(spec.half_life_days, 1) + " days") +
        (horizon ? ", over " + horizon->label + " (to " +
                       engine::format_day(horizon->last_day(day)) + ")"
                 : std::string()));
    const double horizon_days =
        horizon ? static_cast<double>(horizon->last_day(day) - day + 1) : 1.0;
    const engine::Raster<double> risk = prospective_surface(
        spec, r.density, inc, day, grid, study.mask, crs, r.run, reporter, horizon_days);

    const engine::HighestCells highest =
        engine::highest_cells(risk.values, nodata_value, static_cast<std::size_t>(r.top));
    if (highest.cells.empty())
        throw Error(Errc::BadData, "no offence within reach of the day forecast (" +
                                       engine::format_day(day) +
                                       "): give a later --at, or more --weeks");
    const std::vector<std::int64_t>& order = highest.cells;
    const double total = highest.total;
    const std::size_t top = order.size();

    io::GeoTiffOptions tiff;
    tiff.overwrite = r.run.overwrite;
    tiff.float64 = true;
    tiff.nodata = nodata_value;
    tiff.qgis_style = true;
    tiff.legend_max = r.style.legend_max;
    tiff.sld = r.style.sld;
    // A density's unit is --units' (and the weight's, as kde's is); decay's offences weigh less
    // the older they are.
    const std::string density_label = density_unit(r.input, units_of(r.density));
    tiff.description = method_is(ProspectiveMethod::ProMap) ? "ProMap risk"
                       : method_is(ProspectiveMethod::Sepp) ? "SEPP expected offences"
                       : method_is(ProspectiveMethod::Kde)  ? "kernel density"
                                                            : "time-decayed density";
    tiff.unit =
        method_is(ProspectiveMethod::ProMap) ? "ProMap score"
        : method_is(ProspectiveMethod::Sepp)
            ? "expected offences per cell in " + (horizon ? horizon->label : std::string("the day"))
        : method_is(ProspectiveMethod::Kde) ? density_label
                                            : "weighted " + density_label;
    tiff.metadata = {{"HOTSPOT_COMMAND", "predict"},
                     {"HOTSPOT_METHOD", engine::to_string(spec.method)},
                     {"HOTSPOT_FORECAST_DAY", engine::format_day(day)},
                     {"HOTSPOT_HORIZON", horizon ? horizon->label : std::string("one day")},
                     {"HOTSPOT_SOURCE", source_names(table.files)}};
    if (method_is(ProspectiveMethod::ProMap))
    {
        tiff.metadata.emplace_back("HOTSPOT_PROMAP_BAND_M", fixed(spec.band_m, 3));
        tiff.metadata.emplace_back("HOTSPOT_PROMAP_WEEKS", std::to_string(spec.weeks));
    }
    else if (method_is(ProspectiveMethod::Decay))
        tiff.metadata.emplace_back("HOTSPOT_HALF_LIFE_DAYS", fixed(spec.half_life_days, 3));
    else if (method_is(ProspectiveMethod::Kde))
        tiff.metadata.emplace_back("HOTSPOT_KDE_WEEKS", std::to_string(spec.weeks));
    nlohmann::json entry_json;
    if (entry_rules)
        entry_json = write_entry(out("entry.shp"), grid, risk, police_area, hot_area_m2,
                                 io::parse_crs(input.target_crs), crs, r.run, reporter);
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
    io::apply_style(cells, io::ranked_outlines("area"), io::GeometryKind::MultiPolygon,
                    out("patrol_cells.gpkg"), "patrol_cells", r.style.sld, r.run.overwrite);
    io::CsvTable csv{"rank", "risk", "share", "area", "streets", "x", "y"};
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
        csv.add({std::to_string(i + 1), fixed(v, 6), fixed(v / total, 6), where, streets[i],
                 fixed(centre.x, 1), fixed(centre.y, 1)});
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
    io::write_text_file(out("patrol_cells.csv"), csv.text(), r.run.overwrite);
    reporter.info("wrote      " + r.out_dir + ": " + engine::join(outputs, ", "));

    nlohmann::json summary =
        summary_json("predict", {{"offences", offences_json(table)},
                                 {"method", engine::to_string(spec.method)},
                                 {"forecast_day", engine::format_day(day)},
                                 {"horizon", horizon ? horizon->label : std::string()},
                                 {"cell_m", grid.cell_m},
                                 {"patrol_cells", listed},
                                 {"outputs", outputs}});
    if (entry_rules)
        summary["entry"] = entry_json;
    if (!auto_json.is_null())
        summary["auto"] = auto_json;
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
