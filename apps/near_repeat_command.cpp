#include "near_repeat_command.hpp"
#include "option_kinds.hpp"

#include "density.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/hotspots/stacks.hpp"
#include "hotspot/engine/spacetime/near_repeat.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"

#include <cstdio>

namespace hotspot::app
{

namespace
{
template <class T> std::vector<T> parse_edges(const std::string& text, const std::string& option)
{
    std::vector<T> edges;
    for (const auto& part : engine::split(text, ','))
    {
        double v = 0;
        if (!io::parse_number(engine::trim(part), v) || v < 0 ||
            (std::is_integral_v<T> && v != std::floor(v)))
            throw Error(Errc::Usage,
                        option + " takes " + (std::is_integral_v<T> ? "whole days" : "metres") +
                            " separated by commas, ascending from 0 (got '" + text + "')");
        edges.push_back(static_cast<T>(v));
    }
    return edges;
}
} // namespace

CLI::App* add_near_repeat_command(CLI::App& app, NearRepeatRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "near-repeat", "The Knox test of near-repeat victimisation: does one offence raise the "
                       "risk of another nearby in the following days?");
    add_offence_options(*cmd, r.input);
    cmd->add_option("--space-bands", r.space_bands,
                    "Distance band edges in metres from 0 (default 0,100,200,300,400: the same "
                    "location, 1 to 100 m, ..., more than 400 m)")
        ->transform(length_unit())
        ->group("Knox test");
    cmd->add_option("--time-bands", r.time_bands,
                    "Time band edges in days from 0 (default 0,7,14,21,28: 0 to 7 days, 8 to 14, "
                    "..., more than 28)")
        ->group("Knox test");
    cmd->add_option("--metric", r.metric, "Distance: euclidean (default) or manhattan")
        ->transform(choice(engine::distance_metric_names))
        ->group("Knox test");
    cmd->add_option("--permutations", r.permutations,
                    "Monte Carlo permutations of the dates (default 999)")
        ->group("Knox test");
    cmd->add_option("--seed", r.seed, "Seed of the permutations (default 1): a run repeats exactly")
        ->group("Knox test");
    cmd->add_option("--alpha", r.alpha, "Significance level of the reading (default 0.05)")
        ->group("Knox test");
    cmd->add_option("--out", r.out_path,
                    "CSV of every band pair: observed and expected pairs, Knox ratio, p-value")
        ->check(output_file("csv"))
        ->required()
        ->group("Output");
    add_run_options(*cmd, r.run);
    cmd->footer(
        "How it works (Knox 1964; Ratcliffe's Near Repeat Calculator): every pair of offences is "
        "counted by\n"
        "how far apart they are (space band) and how many days (time band). The dates are then "
        "shuffled among\n"
        "the offences --permutations times, the places kept: the mean count of a band pair over "
        "the shuffles is\n"
        "what chance gives (expected), the Knox ratio is observed / expected, and the p-value is "
        "the share of\n"
        "shuffles with at least the observed count ((1 + those) / (1 + permutations)). A ratio "
        "above 1 with a\n"
        "small p-value near the origin is a near-repeat pattern; the run says so in words.\n"
        "It needs dates to the day (--date-field with ISO dates or date-times): police.uk gives "
        "months only.\n"
        "Example (a force extract with an offence date):\n"
        "  hotspot near-repeat --offences burglary_2019.csv --crs EPSG:27700 --date-field "
        "occurred \\\n"
        "      --crime-type Burglary --out burglary_knox.csv");
    return cmd;
}

nlohmann::json run_near_repeat(const NearRepeatRequest& r, Reporter& reporter)
{
    engine::KnoxOptions o;
    o.space_edges = parse_edges<double>(r.space_bands, "--space-bands");
    o.time_edges = parse_edges<int>(r.time_bands, "--time-bands");
    o.metric = named_value(engine::distance_metric_names, r.metric, "--metric", "a metric");
    o.permutations = r.permutations;
    o.seed = r.seed;
    o.alpha = r.alpha;
    if (!(r.alpha > 0 && r.alpha < 1))
        throw Error(Errc::Usage, "--alpha must lie between 0 and 1");
    check_outputs(r.run, {&r.out_path});

    io::OffenceTable table = load_offences(r.input, r.run, reporter);
    engine::Incidents& inc = table.incidents;
    if (!inc.dated_to_day())
        throw Error(Errc::BadData,
                    table.source_path + ": no record is dated to the day" +
                        (table.has_dates ? " (the date field gives months: police.uk data carries "
                                           "months only, so near repeats cannot be measured from "
                                           "it)"
                                         : " (no date field; name it with --date-field)") +
                        ". The Knox test needs the day of each offence: use a force extract "
                        "with offence dates");
    const std::size_t before = inc.size();
    inc.keep_if([&](std::size_t i) { return inc.day_of(i) != engine::no_day; });
    const std::size_t without_day = before - inc.size();
    if (without_day > 0)
        reporter.warn(std::to_string(without_day) + " offences dated to the month only (or not "
                                                    "at all) are left out of the Knox test");

    // Snapped locations (police.uk's map points, street centroids) put many offences on one
    // point: there "the same location" is the same point, not the same address.
    const engine::SharedPoints shared = engine::shared_points(inc);
    if (shared.snapped())
        reporter.warn(fixed(100 * shared.share(), 0) +
                      "% of the offences share their exact point " + "with another (up to " +
                      std::to_string(shared.largest) +
                      " on one point): the locations look snapped to shared points, so the " +
                      "'same location' band is the same point, which may stand for a street or " +
                      "a block, not the same address");
    engine::KnoxTable t = engine::knox_test(inc, o, {reporter.progress("knox")});
    if (shared.snapped())
        t.space_labels[0] = "same snapped point";
    reporter.done();
    reporter.info("pairs      " + std::to_string(t.pairs) + " among " + std::to_string(t.offences) +
                  " offences, " + std::to_string(t.close_pairs) + " within " +
                  std::to_string(static_cast<long long>(o.space_edges.back())) + " m; " +
                  std::to_string(t.permutations) + " permutations");

    // The Knox ratios as the Near Repeat Calculator shows them: * p <= alpha, ** p <= 0.01.
    const std::size_t S = t.space_labels.size(), T = t.time_labels.size();
    std::string header(18, ' ');
    for (const auto& label : t.time_labels)
    {
        char cell[32];
        std::snprintf(cell, sizeof cell, "%19s", label.c_str());
        header += cell;
    }
    reporter.info("Knox ratios (observed / expected pairs; * p <= " + fixed(r.alpha, 2) +
                  ", ** p <= 0.01):");
    reporter.info(header);
    io::CsvTable csv{"space_band", "time_band", "observed",   "expected",
                     "knox_ratio", "p_value",   "significant"};
    for (std::size_t s = 0; s < S; ++s)
    {
        char row[48];
        std::snprintf(row, sizeof row, "%-18s", t.space_labels[s].c_str());
        std::string line = row;
        for (std::size_t time = 0; time < T; ++time)
        {
            const std::size_t k = t.index(s, time);
            const bool significant = t.p_value[k] <= r.alpha && t.knox_ratio(k) > 1;
            char cell[32];
            std::snprintf(cell, sizeof cell, "%17.2f%-2s", t.knox_ratio(k),
                          !significant           ? ""
                          : t.p_value[k] <= 0.01 ? "**"
                                                 : "*");
            line += cell;
            csv.add({t.space_labels[s], t.time_labels[time], std::to_string(t.observed[k]),
                     fixed(t.expected[k], 3), fixed(t.knox_ratio(k), 4), fixed(t.p_value[k], 4),
                     significant ? "yes" : "no"});
        }
        reporter.info(line);
    }
    const std::string type =
        r.input.crime_types.size() == 1 ? engine::fold(r.input.crime_types[0]) : "";
    const std::string what = type.empty()                          ? "an offence"
                             : type.find(' ') == std::string::npos ? "a " + type
                                                                   : "an offence (" + type + ")";
    const auto reading = engine::describe_near_repeats(t, r.alpha, what);
    for (const auto& line : reading)
        reporter.info(line);
    io::write_text_file(r.out_path, csv.text(), r.run.overwrite);
    reporter.info("wrote      " + r.out_path);

    nlohmann::json cells = nlohmann::json::array();
    for (std::size_t s = 0; s < S; ++s)
        for (std::size_t time = 0; time < T; ++time)
        {
            const std::size_t k = t.index(s, time);
            cells.push_back({{"space_band", t.space_labels[s]},
                             {"time_band", t.time_labels[time]},
                             {"observed", t.observed[k]},
                             {"expected", t.expected[k]},
                             {"knox_ratio", t.knox_ratio(k)},
                             {"p_value", t.p_value[k]}});
        }
    nlohmann::json summary =
        summary_json("near-repeat", {{"offences", offences_json(table)},
                                     {"without_day", without_day},
                                     {"tested", t.offences},
                                     {"pairs", t.pairs},
                                     {"close_pairs", t.close_pairs},
                                     {"permutations", t.permutations},
                                     {"seed", r.seed},
                                     {"metric", r.metric},
                                     {"shared_points",
                                      {{"points", shared.points},
                                       {"offences_on_shared_points", shared.on_shared},
                                       {"share", shared.share()},
                                       {"largest", shared.largest},
                                       {"snapped", shared.snapped()}}},
                                     {"cells", cells},
                                     {"reading", reading},
                                     {"outputs", {r.out_path}}});
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
