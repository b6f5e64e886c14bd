#include "evaluate_command.hpp"
#include "option_kinds.hpp"

#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/density/study_window.hpp"
#include "hotspot/engine/hotspots/evaluation.hpp"
#include "hotspot/engine/hotspots/forecast_entry.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>

namespace hotspot::app
{

namespace
{
// Offences are counted whole, except that --days/--hours keep each offence's share inside them
// (and then only without harm weights, which the hit rate does not count).
bool by_share(const io::OffenceTable& table, const OffenceInput& input)
{
    return !table.hours_label.empty() && input.harm.empty() && input.source.weight_field.empty();
}

namespace fs = std::filesystem;

std::string number(double v, int decimals)
{
    return std::isfinite(v) ? fixed(v, decimals) : std::string("n/a");
}

std::string padded_number(double v)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%8.0f", v);
    return buffer;
}

// Offences of a second file or period, read into the first's CRS.
io::OffenceTable load_second(const OffenceInput& first, const std::string& path,
                             const std::optional<Period>& period, const io::Crs& crs,
                             const RunOptions& run, Reporter& reporter)
{
    OffenceInput second = first;
    if (!path.empty())
        second.source.paths = {path};
    second.target_crs = crs.wkt;
    second.rejects_path.clear();
    if (period)
        second = restricted_to(second, *period);
    return load_offences(second, run, reporter);
}
} // namespace

CLI::App* add_evaluate_command(CLI::App& app, EvaluateRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "evaluate", "How well hotspots of one period predict the next: hit rate, PAI, "
                    "PEI, RRI, coverage curves, and the bandwidth that scores best");
    add_offence_options(*cmd, r.input);
    cmd->add_option("--test-offences", r.test_offences,
                    "Offences of the period scored (default: --offences with --test)")
        ->check(points_input())
        ->group("Input");
    cmd->add_option("--train", r.train_period,
                    "Period the hotspots are drawn from, YYYY-MM..YYYY-MM")
        ->group("Filters");
    cmd->add_option("--test", r.test_period, "Period scored, YYYY-MM..YYYY-MM")->group("Filters");
    add_density_options(*cmd, r.density);
    add_hotspot_method_options(*cmd, r.method);
    cmd->add_option("--bandwidths", r.bandwidths,
                    "Compare these bandwidths, metres, e.g. 100,150,200,300")
        ->transform(length_unit())
        ->delimiter(',')
        ->group("Density");
    cmd->add_option("--rolling", r.rolling,
                    "Rolling origins: score plain kernel density, ProMap and time-decayed density "
                    "on each of the last N months, each trained on the months before it")
        ->group("Prospective");
    cmd->add_option("--kde-months", r.kde_months,
                    "With --rolling: the months the plain kernel density is drawn from (default 3)")
        ->group("Prospective");
    add_prospective_options(*cmd, r.prospective, true);
    cmd->add_option("--forecast", r.forecast,
                    "Score a forecast entry, ours or another team's: polygon cells (shapefile, "
                    "GeoPackage...) with a 0/1 `hotspot` field, on the --offences of --at and "
                    "--horizon, inside the police area of the first --boundaries layer, as the NIJ "
                    "Real-Time Crime Forecasting Challenge (2017) scored entries")
        ->check(layer_input("polygon"))
        ->group("Forecast entry");
    cmd->add_option("--at", r.at, "With --forecast: the first day forecast, YYYY-MM-DD")
        ->check(date_value())
        ->group("Forecast entry");
    cmd->add_option("--horizon", r.horizon,
                    "With --forecast: 1W, 2W (7 or 14 days) or 1M, 2M, 3M (calendar months) from "
                    "--at inclusive")
        ->group("Forecast entry");
    cmd->add_option("--out-dir", r.out_dir,
                    "Folder for evaluation.csv and curves.csv (with --rolling: rolling.csv; with "
                    "--forecast: entry_score.csv)")
        ->check(output_folder())
        ->required()
        ->group("Output");
    add_run_options(*cmd, r.run);
    cmd->footer("Definitions (n: offences in the hotspots, N: in the study area, a: hotspot area, "
                "A: study area;\n"
                "1: the period the hotspots come from, 2: the period scored):\n"
                "  hit rate = n2/N2;  PAI = (n2/N2)/(a/A) (Chainey, Tompson & Uhlig 2008);\n"
                "  PEI = n2/n2*, n2* the most any as many cells could hold;  RRI = (n2/n1)/(N2/N1) "
                "(Levine 2008).\n"
                "Curves take the densest 1-20% of the area. The best bandwidth has the largest "
                "mean hit rate over them.\n"
                "Example:\n"
                "  hotspot evaluate --offences data/police_uk/2019-09-kent-street.csv \\\n"
                "      --test-offences data/police_uk/2019-11-kent-street.csv \\\n"
                "      --boundaries data/boundaries/kent_districts_2013.geojson --area Maidstone "
                "--cell 25 \\\n"
                "      --bandwidths 100,150,200,300,400 --out-dir evaluation\n"
                "Rolling origins (--rolling N): for each of the last N months m, each method is "
                "drawn from the\n"
                "  offences before m (kde: the --kde-months before it; promap: --promap-band and "
                "--promap-weeks;\n"
                "  decay: --half-life; sepp, where records carry days: fitted to every offence "
                "before m) and\n"
                "  scored on m's offences at 1-20% coverage: which predicts better on your data.\n"
                "  hotspot evaluate --offences downloads/ --boundaries "
                "data/boundaries/kent_districts_2013.geojson \\\n"
                "      --area Maidstone --cell 100 --bandwidth 300 --rolling 6 --out-dir "
                "prospective");
    return cmd;
}

namespace
{
// Rolling-origin evaluation of the prospective methods beside plain kernel density.
nlohmann::json run_rolling(const EvaluateRequest& r, Reporter& reporter)
{
    const engine::ProspectiveParameters given = prospective_parameters(r.prospective);
    if (r.kde_months < 1)
        throw Error(Errc::Usage, "--kde-months must be 1 or more");
    if (!r.test_offences.empty() || !r.test_period.empty() || !r.train_period.empty() ||
        !r.bandwidths.empty())
        throw Error(Errc::Usage, "--rolling chooses its own training and test months; leave "
                                 "--train, --test, --test-offences and --bandwidths out");
    make_output_folder(r.out_dir);
    const std::string out = (fs::path(r.out_dir) / "rolling.csv").string();
    io::check_output_path(out, r.run.overwrite);
    const io::OffenceTable table = load_offences(r.input, r.run, reporter);
    const engine::Incidents& inc = table.incidents;
    const engine::MonthRange months = engine::month_range(inc.month);
    if (months.first == engine::no_month)
        throw Error(Errc::BadData, table.source_path + ": no dated offence");
    const int span = months.last - months.first + 1;
    if (span < r.rolling + 1)
        throw Error(Errc::BadData, "the offences span " + std::to_string(span) +
                                       " month(s); --rolling " + std::to_string(r.rolling) +
                                       " needs " + std::to_string(r.rolling + 1) +
                                       " (a month to train on before the first test month)");
    const StudyGrid study =
        study_grid(r.density.boundaries, r.density.boundaries_layer, r.density.area,
                   r.density.extent, r.density.cell_m, inc, table.target_crs, r.run, reporter);
    const engine::GridSpec& grid = study.grid;
    Reporter quiet(true); // each surface's own report would repeat for every month
    std::vector<double> percents;
    for (int p = 1; p <= 20; ++p)
        percents.push_back(p);
    // SEPP times offences to the day: where records are dated to the month, it is left out.
    std::vector<std::string> methods{"kde", "promap", "decay"};
    bool all_days = true;
    for (std::size_t i = 0; i < inc.size() && all_days; ++i)
        all_days = inc.day_of(i) != engine::no_day;
    if (all_days)
        methods.push_back("sepp");
    else
        reporter.info("sepp       left out: it times offences to the day, and these are dated to "
                      "the month");
    std::map<std::string, std::vector<std::vector<engine::PredictionScore>>> curves; // by origin
    io::CsvTable csv{"test_month", "method", "coverage_percent", "hit_rate", "pai", "pei"};
    for (int o = r.rolling; o >= 1; --o)
    {
        const engine::MonthIndex test = months.last - o + 1;
        const engine::DayIndex day = engine::first_day_of(test);
        const engine::Incidents tested =
            inc.subset([&](std::size_t i) { return inc.month[i] == test; });
        const engine::Incidents recent =
            inc.subset([&](std::size_t i)
                       { return inc.month[i] < test && inc.month[i] >= test - r.kde_months; });
        const engine::Incidents before =
            inc.subset([&](std::size_t i) { return inc.month[i] < test; });
        const auto counts_test = engine::cell_counts(tested, grid, by_share(table, r.input));
        const auto counts_train = engine::cell_counts(before, grid, by_share(table, r.input));
        for (const auto& method : methods)
        {
            engine::Raster<double> surface;
            if (method == "kde")
            {
                if (recent.size() == 0)
                    throw Error(Errc::BadData, "no offence in the " + std::to_string(r.kde_months) +
                                                   " month(s) before " + io::format_month(test));
                surface = compute_density(r.density, recent, table.target_crs, r.run, quiet, grid)
                              .surface;
            }
            else
            {
                engine::ProspectiveParameters p = given;
                p.method =
                    named_value(engine::prospective_method_names, method, "method", "a method");
                surface = prospective_surface(p, r.density, before, day, grid, study.mask,
                                              table.target_crs, r.run, quiet,
                                              engine::first_day_of(test + 1) - day);
            }
            const auto curve =
                engine::coverage_curve(surface, engine::study_cells(surface, nodata_value),
                                       counts_train, counts_test, percents);
            for (std::size_t i = 0; i < curve.size(); ++i)
                csv.add({io::format_month(test), method, fixed(percents[i], 0),
                         number(curve[i].hit_rate, 5), number(curve[i].pai, 4),
                         number(curve[i].pei, 4)});
            curves[method].push_back(curve);
        }
        reporter.info("origin     " + io::format_month(test) + ": " +
                      std::to_string(tested.size()) + " offences scored");
    }
    io::write_text_file(out, csv.text(), r.run.overwrite);
    reporter.info("mean over " + std::to_string(r.rolling) +
                  " months: hit rate (PAI) at 5%, 10% and 20% of the area");
    nlohmann::json results = nlohmann::json::object();
    std::vector<engine::RollingScore> scores;
    for (const auto& method : methods)
    {
        scores.push_back(engine::average_over_origins(curves[method]));
        const auto& hits = scores.back().mean_hit_rate;
        const auto& pais = scores.back().mean_pai;
        reporter.info("  " + method + std::string(8 - method.size(), ' ') +
                      fixed(100 * hits[4], 1) + "% (" + number(pais[4], 2) + ")   " +
                      fixed(100 * hits[9], 1) + "% (" + number(pais[9], 2) + ")   " +
                      fixed(100 * hits[19], 1) + "% (" + number(pais[19], 2) + ")");
        results[method] = {{"mean_hit_rate", hits},
                           {"mean_pai", pais},
                           {"mean_hit_rate_1_20", scores.back().mean_hit_rate_all}};
    }
    const std::size_t chosen = engine::best_rolling_score(scores);
    const std::string& best = methods[chosen];
    reporter.info("best       " + best + ": the largest mean hit rate over 1-20% coverage (" +
                  fixed(100 * scores[chosen].mean_hit_rate_all, 1) + "%)");
    reporter.info("wrote      " + out);
    nlohmann::json summary = summary_json("evaluate", {{"offences", offences_json(table)},
                                                       {"rolling", r.rolling},
                                                       {"methods", results},
                                                       {"best", best},
                                                       {"outputs", {out}}});
    write_summary(r.run, summary);
    return summary;
}
} // namespace

namespace
{
// A forecast entry scored on the offences of its horizon (see engine::score_entry).
nlohmann::json run_entry_score(const EvaluateRequest& r, Reporter& reporter)
{
    if (r.at.empty() || r.horizon.empty())
        throw Error(Errc::Usage, "--forecast needs --at (the first day forecast) and --horizon");
    if (r.density.boundaries.empty())
        throw Error(Errc::Usage, "--forecast needs the police area: give it with --boundaries");
    const engine::Horizon horizon = engine::parse_horizon(r.horizon);
    OffenceInput input = r.input;
    input.from = r.at;
    const io::OffenceFilter at_day = make_filter(input);
    if (!at_day.from_day)
        throw Error(Errc::Usage, "--at takes a day, YYYY-MM-DD (got '" + r.at + "')");
    const engine::DayIndex last = horizon.last_day(*at_day.from_day);
    input.to = engine::format_day(last);
    input.period_said =
        "--at " + r.at + " --horizon " + r.horizon + " (" + r.at + " to " + input.to + ")";
    make_output_folder(r.out_dir);
    const std::string out = (fs::path(r.out_dir) / "entry_score.csv").string();
    io::check_output_path(out, r.run.overwrite);

    const io::OffenceTable table = load_offences(input, r.run, reporter);
    const io::Crs& crs = table.target_crs;
    const auto entry = load_areas(r.run, r.forecast, "", crs);
    const std::size_t hot_field = io::field_index(*entry, "hotspot", "the hotspot field");
    std::vector<engine::MultiPolygon> cells;
    std::vector<bool> hot;
    for (const auto& f : entry->features)
    {
        double flag = 0;
        const std::string& text = f.values[hot_field];
        if (!io::parse_number(engine::trim(text), flag) || (flag != 0 && flag != 1))
            throw Error(Errc::BadData, r.forecast + ": feature " + std::to_string(f.fid) +
                                           ": hotspot '" + text + "' is not 0 or 1");
        cells.push_back(f.shape);
        hot.push_back(flag == 1);
    }
    const auto area =
        load_areas(r.run, r.density.boundaries.front(), r.density.boundaries_layer, crs);
    std::vector<engine::Point2> points;
    const auto& inc = table.incidents;
    for (std::size_t i = 0; i < inc.size(); ++i)
        points.push_back({inc.x[i], inc.y[i]});
    // Areas are measured in the entry's own projected CRS (state plane feet for Portland): a
    // reprojection to the analysis CRS would scale them (by 0.9994 from Oregon North to UTM 10N).
    const io::Crs& native =
        entry->source_crs.geographic || entry->source_crs.unit_m <= 0 ? crs : entry->source_crs;
    const double unit_m = native.unit_m > 0 ? native.unit_m : 1.0;
    const auto native_entry = load_areas(r.run, r.forecast, "", native);
    const auto native_area =
        load_areas(r.run, r.density.boundaries.front(), r.density.boundaries_layer, native);
    std::vector<engine::MultiPolygon> native_cells;
    for (const auto& f : native_entry->features)
        native_cells.push_back(f.shape);
    const engine::EntryScore s = engine::score_entry(
        cells, hot, io::shapes(*area), points,
        engine::entry_areas(native_cells, hot, io::shapes(*native_area), unit_m * unit_m));

    // The challenge's rules, reported: the cells not cut by the area's edge, measured in the
    // entry's own CRS where the cells were cut, and the hot area.
    std::vector<double> whole_cells_m2 =
        engine::uncut_cell_areas(native_cells, engine::AreaIndex(io::shapes(*native_area)));
    for (double& a : whole_cells_m2)
        a = a * unit_m * unit_m;
    const engine::Nij2017Rules rules = engine::check_nij2017(whole_cells_m2, s.hot_area);
    const bool cells_ok = rules.cells_met, hot_ok = rules.hot_area_met;
    const double hot_sq_mi = rules.hot_sq_mi, area_sq_mi = s.area / engine::m2_per_sq_mile;
    reporter.info("horizon    " + r.at + " to " + engine::format_day(last) + " (" + r.horizon +
                  ", days inclusive)");
    reporter.info("entry      " + r.forecast + ": " + std::to_string(s.cells) + " cells, " +
                  std::to_string(s.hot_cells) + " hot, " + fixed(hot_sq_mi, 3) +
                  " sq mi of the police area's " + fixed(area_sq_mi, 2) + " sq mi");
    reporter.info("offences   " + std::to_string(s.offences_inside) +
                  " inside the police area (N), " + std::to_string(s.in_hot_cells) +
                  " in hot cells (n); " + std::to_string(s.outside_area) +
                  " outside the area left out" +
                  (s.in_no_cell > 0 ? ", " + std::to_string(s.in_no_cell) +
                                          " inside it but in no cell of the entry (they count in N)"
                                    : std::string()));
    reporter.info("PAI        " + fixed(s.pai, 3) + "   = (n/N) / (a/A)");
    reporter.info("PEI*       " + fixed(s.pei_star, 3) +
                  "   = n / n*, n* = " + std::to_string(s.best_possible) + " in the " +
                  std::to_string(s.hot_cells) + " fullest cells");
    reporter.info("hit rate   " + fixed(100 * s.hit_rate, 1) + "%");
    reporter.info("rules      NIJ 2017: " + rules.describe());
    io::CsvTable csv{"forecast",
                     "at",
                     "horizon",
                     "last_day",
                     "N",
                     "n",
                     "n_star",
                     "cells",
                     "hot_cells",
                     "hot_area_sq_mi",
                     "area_sq_mi",
                     "pai",
                     "pei_star",
                     "hit_rate",
                     "left_out_outside_area",
                     "cell_rule_met",
                     "hot_area_rule_met"};
    csv.add({r.forecast, r.at, r.horizon, engine::format_day(last),
             std::to_string(s.offences_inside), std::to_string(s.in_hot_cells),
             std::to_string(s.best_possible), std::to_string(s.cells), std::to_string(s.hot_cells),
             fixed(hot_sq_mi, 6), fixed(area_sq_mi, 6), fixed(s.pai, 6), fixed(s.pei_star, 6),
             fixed(s.hit_rate, 6), std::to_string(s.outside_area), cells_ok ? "yes" : "no",
             hot_ok ? "yes" : "no"});
    io::write_text_file(out, csv.text(), r.run.overwrite);
    reporter.info("wrote      " + out);
    nlohmann::json summary = summary_json(
        "evaluate",
        {{"offences", offences_json(table)},
         {"forecast", r.forecast},
         {"at", r.at},
         {"horizon", r.horizon},
         {"last_day", engine::format_day(last)},
         {"N", s.offences_inside},
         {"n", s.in_hot_cells},
         {"n_star", s.best_possible},
         {"hot_cells", s.hot_cells},
         {"cells", s.cells},
         {"hot_area_sq_mi", hot_sq_mi},
         {"area_sq_mi", area_sq_mi},
         {"pai", s.pai},
         {"pei_star", s.pei_star},
         {"hit_rate", s.hit_rate},
         {"left_out_outside_area", s.outside_area},
         {"rules", {{"cells", cells_ok}, {"hot_area", hot_ok}}},
         {"definitions",
          "PAI = (n/N)/(a/A); PEI* = n/n*; N: offences inside the police area in the horizon "
          "(days inclusive), n: those in hot cells, a: hot cells' area clipped to the police area, "
          "A: the police area, n*: the most offences as many cells held"}});
    write_summary(r.run, summary);
    return summary;
}
} // namespace

nlohmann::json run_evaluate(const EvaluateRequest& r, Reporter& reporter)
{
    if (r.rolling < 0)
        throw Error(Errc::Usage, "--rolling takes a number of months");
    check_density_spec(r.density);
    if (!r.forecast.empty())
        return run_entry_score(r, reporter);
    if (r.rolling > 0)
        return run_rolling(r, reporter);
    check_hotspot_method(r.method);
    for (const double b : r.bandwidths)
        require_positive(b, "--bandwidths");
    if (r.test_offences.empty() && r.test_period.empty())
        throw Error(Errc::Usage,
                    "give --test-offences or --test, the period the hotspots are scored on");
    const std::optional<Period> train =
        r.train_period.empty() ? std::nullopt
                               : std::optional(parse_period(r.train_period, "--train"));
    const std::optional<Period> test =
        r.test_period.empty() ? std::nullopt : std::optional(parse_period(r.test_period, "--test"));
    make_output_folder(r.out_dir);
    const auto out = [&](const char* name) { return (fs::path(r.out_dir) / name).string(); };
    for (const char* name : {"evaluation.csv", "curves.csv"})
        io::check_output_path(out(name), r.run.overwrite);

    const io::OffenceTable first =
        load_offences(train ? restricted_to(r.input, *train) : r.input, r.run, reporter);
    const io::OffenceTable second =
        load_second(r.input, r.test_offences, test, first.target_crs, r.run, reporter);

    std::vector<std::optional<double>> bandwidths;
    for (const double b : r.bandwidths)
        bandwidths.emplace_back(b);
    if (bandwidths.empty())
        bandwidths.push_back(std::nullopt); // the spec's bandwidth or the ArcGIS rule

    std::vector<double> percents;
    for (int p = 1; p <= 20; ++p)
        percents.push_back(p);
    io::CsvTable evaluation{"bandwidth_m", "method", "coverage", "hit_rate",
                            "pai",         "pei",    "rri",      "n1",
                            "n2",          "N1",     "N2",       "hotspot_cells"};
    io::CsvTable curves{"bandwidth_m", "coverage_percent", "hit_rate", "pai", "pei", "rri"};
    std::optional<engine::GridSpec> grid;
    double best_score = -1, best_bandwidth = 0;
    nlohmann::json results = nlohmann::json::array();
    for (const auto& b : bandwidths)
    {
        const Density d =
            compute_density(r.density, first.incidents, first.target_crs, r.run, reporter, grid, b);
        grid = d.surface.grid; // every bandwidth on one grid
        const auto study = engine::study_cells(d.surface, nodata_value);
        const auto counts1 = engine::cell_counts(first.incidents, *grid, by_share(first, r.input));
        const auto counts2 =
            engine::cell_counts(second.incidents, *grid, by_share(second, r.input));
        const engine::HotspotCells cells = engine::find_hotspot_cells(
            hotspot_rule(r.method), d.surface, study, counts1, nominal_bandwidth(d));
        engine::Raster<std::uint8_t> hot(*grid, 0);
        for (std::size_t k = 0; k < hot.values.size(); ++k)
            hot.values[k] = cells.regions.label.values[k] > 0;
        const auto s = engine::score_hotspots(hot, study, counts1, counts2);
        const double bw = nominal_bandwidth(d);
        evaluation.add({fixed(bw, 1), io::Quoted{cells.description}, number(s.coverage, 5),
                        number(s.hit_rate, 5), number(s.pai, 4), number(s.pei, 4), number(s.rri, 4),
                        fixed(s.n1, 0), fixed(s.n2, 0), fixed(s.total1, 0), fixed(s.total2, 0),
                        std::to_string(s.hot_cells)});
        const auto curve = engine::coverage_curve(d.surface, study, counts1, counts2, percents);
        for (std::size_t i = 0; i < curve.size(); ++i)
            curves.add({fixed(bw, 1), fixed(percents[i], 0), number(curve[i].hit_rate, 5),
                        number(curve[i].pai, 4), number(curve[i].pei, 4), number(curve[i].rri, 4)});
        const double mean_hit = engine::mean_hit_rate(curve);
        reporter.info("  bandwidth " + engine::bandwidth_meaning(d.options.kernel, bw) +
                      ": hotspots cover " + fixed(100 * s.coverage, 2) + "% and hold " +
                      fixed(100 * s.hit_rate, 1) + "% of the test offences; PAI " +
                      number(s.pai, 2) + ", PEI " + number(s.pei, 2) + ", RRI " + number(s.rri, 2) +
                      "; mean hit rate over 1-20% " + fixed(100 * mean_hit, 1) + "%");
        if (mean_hit > best_score)
        {
            best_score = mean_hit;
            best_bandwidth = bw;
        }
        results.push_back({{"bandwidth_m", bw},
                           {"coverage", s.coverage},
                           {"hit_rate", s.hit_rate},
                           {"pai", s.pai},
                           {"pei", s.pei},
                           {"rri", std::isfinite(s.rri) ? nlohmann::json(s.rri) : nlohmann::json()},
                           {"mean_hit_rate_1_20", mean_hit}});
    }
    io::write_text_file(out("evaluation.csv"), evaluation.text(), r.run.overwrite);
    io::write_text_file(out("curves.csv"), curves.text(), r.run.overwrite);
    if (bandwidths.size() > 1)
        reporter.info("best       bandwidth " + fixed(best_bandwidth, 0) +
                      " m: the largest mean hit rate over 1-20% coverage (" +
                      fixed(100 * best_score, 1) + "%)");
    reporter.info("wrote      " + out("evaluation.csv") + ", curves.csv");
    nlohmann::json summary = summary_json("evaluate", {{"train", offences_json(first)},
                                                       {"test", offences_json(second)},
                                                       {"results", results},
                                                       {"best_bandwidth_m", best_bandwidth},
                                                       {"out_dir", r.out_dir}});
    write_summary(r.run, summary);
    return summary;
}

CLI::App* add_displacement_command(CLI::App& app, DisplacementRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "displacement", "After a patrol operation: did crime fall in the target area, "
                        "or move next door? (Weighted Displacement Quotient)");
    add_offence_options(*cmd, r.input);
    cmd->add_option("--offences-after", r.after_offences,
                    "Offences of the after period (default: --offences)")
        ->check(points_input())
        ->group("Input");
    cmd->add_option("--before", r.before_period, "Before period, YYYY-MM..YYYY-MM")
        ->group("Filters");
    cmd->add_option("--after", r.after_period, "After period, YYYY-MM..YYYY-MM")->group("Filters");
    cmd->add_option("--boundaries", r.boundaries,
                    "Boundary layers where --target and --control are looked up (repeatable)")
        ->check(layer_input("polygon"))
        ->group("Areas");
    cmd->add_option("--target", r.target, "Target area: name or code of a boundary polygon")
        ->group("Areas");
    cmd->add_option("--place", r.place, "Or a named place of --places, with --radius")
        ->group("Areas");
    cmd->add_option("--places", r.places_path, "Gazetteer of named places")
        ->check(file_input("csv"))
        ->group("Areas");
    cmd->add_option("--radius", r.radius_m, "Radius of the target around --place, metres")
        ->transform(length_unit())
        ->group("Areas");
    cmd->add_option("--buffer", r.buffer_m,
                    "Width of the buffer ring around the target, metres (default 500)")
        ->transform(length_unit())
        ->group("Areas");
    cmd->add_option("--control", r.control,
                    "Control area: name or code of a boundary polygon, or 'rest' (default): "
                    "every offence outside the target and buffer")
        ->group("Areas");
    cmd->add_option("--out", r.out_path, "Write the counts and measures as CSV")
        ->check(output_file("csv"))
        ->group("Output");
    add_run_options(*cmd, r.run);
    cmd->footer(
        "SM = A1/C1 - A0/C0 and BDM = B1/C1 - B0/C0 for target A, buffer B, control C, before 0 "
        "and after 1;\n"
        "WDQ = BDM / SM (Bowers & Johnson 2003), defined when SM < 0. WDQ > 0: diffusion of "
        "benefits;\n"
        "-1 <= WDQ < 0: displacement smaller than the gain; WDQ < -1: displacement outweighs the "
        "gain.\n"
        "Example:\n"
        "  hotspot displacement --offences data/police_uk/2019-09-kent-street.csv \\\n"
        "      --offences-after data/police_uk/2019-11-kent-street.csv \\\n"
        "      --places data/places/maidstone_places.csv --place \"Brenchley Gardens\" --radius "
        "400 --buffer 800 \\\n"
        "      --boundaries data/boundaries/kent_districts_2013.geojson --control Maidstone");
    return cmd;
}

nlohmann::json run_displacement(const DisplacementRequest& r, Reporter& reporter)
{
    if (r.target.empty() == r.place.empty())
        throw Error(Errc::Usage,
                    "give the target as --target AREA or as --place NAME with --radius");
    if (!r.place.empty())
    {
        if (r.places_path.empty())
            throw Error(Errc::Usage, "--place needs --places, the gazetteer to find it in");
        require_positive(r.radius_m, "--radius");
    }
    require_positive(r.buffer_m, "--buffer");
    if (!r.target.empty() && r.boundaries.empty())
        throw Error(Errc::Usage, "--target needs --boundaries, the layers to find it in");
    if (r.after_offences.empty() && (r.before_period.empty() || r.after_period.empty()))
        throw Error(Errc::Usage,
                    "give --before and --after periods, or --offences-after for a second file");
    const std::optional<Period> before =
        r.before_period.empty() ? std::nullopt
                                : std::optional(parse_period(r.before_period, "--before"));
    const std::optional<Period> after =
        r.after_period.empty() ? std::nullopt
                               : std::optional(parse_period(r.after_period, "--after"));
    if (!r.out_path.empty())
        io::check_output_path(r.out_path, r.run.overwrite);

    const io::OffenceTable first =
        load_offences(before ? restricted_to(r.input, *before) : r.input, r.run, reporter);
    const io::Crs& crs = first.target_crs;
    const io::OffenceTable second =
        load_second(r.input, r.after_offences, after, crs, r.run, reporter);

    std::vector<std::shared_ptr<const io::AreaLayer>> layers;
    for (const auto& path : r.boundaries)
        layers.push_back(load_areas(r.run, path, "", crs));
    // The polygons called `name` in the first layer that has it.
    const auto area_shapes = [&](const std::string& name)
    {
        for (const auto& layer : layers)
        {
            try
            {
                std::vector<engine::MultiPolygon> shapes;
                for (const auto i : io::find_area(*layer, name))
                    shapes.push_back(layer->features[i].shape);
                return shapes;
            }
            catch (const Error&)
            {
            }
        }
        if (layers.empty())
            throw Error(Errc::Usage, "'" + name + "' needs --boundaries, the layers to find it in");
        io::find_area(*layers.front(), name); // throws, listing the nearest names
        return std::vector<engine::MultiPolygon>{};
    };

    // Where each offence falls: 0 target, 1 buffer, 2 control, -1 none.
    std::function<int(engine::Point2)> zone;
    std::optional<engine::AreaIndex> target_index, control_index;
    engine::Point2 centre{};
    std::string target_label;
    if (!r.place.empty())
    {
        const auto places = load_places(r.run, r.places_path, crs);
        const auto found = io::find_places(*places, r.place);
        if (found.size() > 1)
            reporter.warn("'" + r.place + "' names " + std::to_string(found.size()) +
                          " places; using the first, " + found.front()->full_name);
        centre = found.front()->location;
        target_label = found.front()->name + " (" + fixed(r.radius_m, 0) + " m)";
    }
    else
    {
        target_index.emplace(area_shapes(r.target));
        target_label = r.target;
    }
    if (!engine::same_text(r.control, "rest"))
        control_index.emplace(area_shapes(r.control));
    zone = [&](engine::Point2 p)
    {
        if (target_index)
        {
            if (target_index->locate(p) >= 0)
                return 0;
            for (std::size_t a = 0; a < target_index->size(); ++a)
                if (target_index->distance_to_edge(a, p, r.buffer_m) <= r.buffer_m)
                    return 1;
        }
        else
        {
            const double d = std::hypot(p.x - centre.x, p.y - centre.y);
            if (d <= r.radius_m)
                return 0;
            if (d <= r.radius_m + r.buffer_m)
                return 1;
        }
        if (!control_index)
            return 2;
        return control_index->locate(p) >= 0 ? 2 : -1;
    };
    engine::DisplacementCounts c;
    const auto tally =
        [&](const engine::Incidents& inc, double& target, double& buffer, double& control)
    {
        for (std::size_t i = 0; i < inc.size(); ++i)
            switch (zone({inc.x[i], inc.y[i]}))
            {
            case 0:
                target += 1;
                break;
            case 1:
                buffer += 1;
                break;
            case 2:
                control += 1;
                break;
            default:
                break;
            }
    };
    tally(first.incidents, c.target_before, c.buffer_before, c.control_before);
    tally(second.incidents, c.target_after, c.buffer_after, c.control_after);
    const auto result = engine::weighted_displacement_quotient(c);

    reporter.info("displacement target " + target_label + ", buffer " + fixed(r.buffer_m, 0) +
                  " m, control " + r.control);
    reporter.info("               before   after");
    reporter.info("  target     " + padded_number(c.target_before) + padded_number(c.target_after));
    reporter.info("  buffer     " + padded_number(c.buffer_before) + padded_number(c.buffer_after));
    reporter.info("  control    " + padded_number(c.control_before) +
                  padded_number(c.control_after));
    reporter.info("  success measure SM " + fixed(result.success_measure, 5) +
                  ", buffer displacement measure BDM " +
                  fixed(result.buffer_displacement_measure, 5) + ", WDQ " + number(result.wdq, 3));
    reporter.info("  offences prevented in the target " + fixed(result.prevented, 1) +
                  ", displaced to the buffer " + fixed(result.displaced, 1) + ", net " +
                  fixed(result.net_effect, 1));
    reporter.info("  " + result.interpretation);

    if (!r.out_path.empty())
    {
        io::CsvTable csv{"measure", "value"};
        for (const auto& [k, v] : std::vector<std::pair<std::string, double>>{
                 {"target_before", c.target_before},
                 {"target_after", c.target_after},
                 {"buffer_before", c.buffer_before},
                 {"buffer_after", c.buffer_after},
                 {"control_before", c.control_before},
                 {"control_after", c.control_after},
                 {"success_measure", result.success_measure},
                 {"buffer_displacement_measure", result.buffer_displacement_measure},
                 {"wdq", result.wdq},
                 {"prevented", result.prevented},
                 {"displaced", result.displaced},
                 {"net_effect", result.net_effect}})
            csv.add({k, number(v, 6)});
        csv.add({"interpretation", io::Quoted{result.interpretation}});
        io::write_text_file(r.out_path, csv.text(), r.run.overwrite);
        reporter.info("wrote      " + r.out_path);
    }
    nlohmann::json summary = summary_json(
        "displacement",
        {{"target", target_label},
         {"buffer_m", r.buffer_m},
         {"control", r.control},
         {"counts",
          {{"target", {c.target_before, c.target_after}},
           {"buffer", {c.buffer_before, c.buffer_after}},
           {"control", {c.control_before, c.control_after}}}},
         {"success_measure", result.success_measure},
         {"buffer_displacement_measure", result.buffer_displacement_measure},
         {"wdq", std::isfinite(result.wdq) ? nlohmann::json(result.wdq) : nlohmann::json()},
         {"net_effect", result.net_effect},
         {"interpretation", result.interpretation}});
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
