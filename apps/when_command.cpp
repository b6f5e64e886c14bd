#include "when_command.hpp"
#include "option_kinds.hpp"

#include "area_groups.hpp"
#include "density.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/spacetime/aoristic.hpp"
#include "hotspot/io/chart.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

namespace hotspot::app
{

namespace
{
std::string two(int v)
{
    char b[8];
    std::snprintf(b, sizeof b, "%02d", v % 100);
    return b;
}

// The period an offence's window starts in, for --by.
std::string period_of(engine::MinuteIndex start, const std::string& by)
{
    const auto day = static_cast<engine::DayIndex>(
        (start >= 0 ? start : start - engine::minutes_per_day + 1) / engine::minutes_per_day);
    const engine::MonthIndex month = engine::month_of_day(day);
    return by == "year" ? std::to_string(engine::year_of(month))
                        : engine::format_month_label(month);
}
} // namespace

CLI::App* add_when_command(CLI::App& app, WhenRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "when", "When offences happen: the hours of the week each area and hotspot is busy "
                "(aoristic analysis), for patrols planned by shift");
    add_offence_options(*cmd, r.input);
    cmd->add_option("--boundaries", r.boundaries,
                    "Areas to give a signature each (wards, beats, districts): any GDAL polygon "
                    "source")
        ->check(layer_input("polygon"))
        ->group("Groups");
    cmd->add_option("--boundaries-layer", r.boundaries_layer, "Layer of the --boundaries source")
        ->group("Groups");
    cmd->add_option("--area-field", r.area_field,
                    "Field naming each area (default: a field called like a name, such as "
                    "WD13NM or Name); areas of one name are one group")
        ->check(field_of("--boundaries"))
        ->group("Groups");
    cmd->add_option("--hotspots", r.hotspots,
                    "Hotspots to give a signature each: the GeoPackage `hotspot hotspots` wrote")
        ->check(layer_input("polygon"))
        ->group("Groups");
    cmd->add_option("--by", r.by,
                    "Also a signature for each month or year, to show whether the peak moves: "
                    "none (default), month or year")
        ->transform(choice({"none", "month", "year"}))
        ->group("Signature");
    cmd->add_option("--week-starts", r.week_starts,
                    "The first day of the week in tables and charts: monday (default) or sunday")
        ->transform(choice({"monday", "sunday"}))
        ->group("Signature");
    cmd->add_option("--permutations", r.permutations,
                    "Draws of the significance test of each area's and hotspot's hours against "
                    "the rest (default 9999; 0 skips it). The smallest p-value is 1/(draws+1), and "
                    "the correction over 168 hours needs it small: with 999 draws a group needs "
                    "about four hours at that floor before any is flagged")
        ->check(CLI::Range(0, 1000000))
        ->group("Signature");
    cmd->add_option("--seed", r.seed, "Seed of the draws (default 1): a run repeats exactly")
        ->group("Signature");
    cmd->add_option("--alpha", r.alpha,
                    "False discovery rate over the 168 hours (Benjamini-Hochberg; default 0.05)")
        ->group("Signature");
    cmd->add_option("--timezone", r.timezone,
                    "A label for the clock the times were recorded in, such as Europe/London or "
                    "America/Chicago: written on the outputs, never used to convert")
        ->group("Output");
    cmd->add_option("--charts", r.charts,
                    "Heat-map charts of each signature: png, svg, both as png,svg (default), or "
                    "none")
        ->transform(choice({"png", "svg", "png,svg", "svg,png", "none"}))
        ->group("Output");
    cmd->add_option("--out-dir", r.out_dir,
                    "Folder for hour_of_week.csv (long: group, day, hour, weight), "
                    "hour_of_week_wide.csv (hours x days), readings.txt and the charts")
        ->check(output_folder())
        ->required()
        ->group("Output");
    add_run_options(*cmd, r.run);
    cmd->footer(
        "How it works (aoristic analysis; Ratcliffe 2002, as his R package `aoristic`): each "
        "offence spreads a\n"
        "weight of 1 over the minutes of its window, from its start up to, not including, its end, "
        "and the weights\n"
        "are summed into the 168 hours of the week (Monday 00:00-00:59 to Sunday 23:00-23:59). "
        "The rules:\n"
        "  a start and no end              the start's hour takes the whole weight\n"
        "  an end before the start         rejected (window_reversed); aoristic puts it at the "
        "start hour\n"
        "  a window of 7 days or more      spread evenly over the 168 hours\n"
        "  a date without a time           spread over the 24 hours of its day (--untimed drop "
        "rejects it)\n"
        "Times are local clock times as recorded: no time zone, no daylight saving.\n"
        "Each area's and hotspot's signature is compared with the rest of the offences by drawing "
        "as many offences\n"
        "at random from all (--permutations): an hour is flagged when few draws reach the group's "
        "weight there,\n"
        "after the Benjamini-Hochberg correction over the 168 hours. (Fractional, dependent "
        "weights rule out a\n"
        "chi-square test.) The data-quality report counts long windows and times heaped at "
        "00:00, 12:00 and on\n"
        "the hour, where recorders type a default time.\n"
        "police.uk data carry months only: they cannot say when in the week an offence "
        "happened.\n"
        "Examples:\n"
        "  hotspot when --offences data/chicago/chicago_aggravated_assaults_2010_2019.csv \\\n"
        "      --boundaries data/chicago/chicago_police_districts.geojson --timezone "
        "America/Chicago --out-dir when/\n"
        "  hotspot when --offences data/nyc/manhattan_residential_burglary_2019.csv --crs "
        "EPSG:2263 --out-dir burglary_when/");
    return cmd;
}

nlohmann::json run_when(const WhenRequest& r, Reporter& reporter)
{
    if (!(r.alpha > 0 && r.alpha < 1))
        throw Error(Errc::Usage, "--alpha must lie between 0 and 1");
    std::vector<std::string> chart_extensions;
    for (const char* format : {"png", "svg"})
        if (r.charts.find(format) != std::string::npos)
            chart_extensions.push_back(std::string(".") + format);
    // Every file is checked before any work; the chart names depend on the groups, so they are
    // checked as they are written (a chart is never half-written: each is written atomically).
    const std::filesystem::path dir(r.out_dir);
    const std::string long_path = (dir / "hour_of_week.csv").string(),
                      wide_path = (dir / "hour_of_week_wide.csv").string(),
                      readings_path = (dir / "readings.txt").string();
    if (std::filesystem::is_directory(dir))
        check_outputs(r.run, {&long_path, &wide_path, &readings_path});

    io::OffenceTable table = load_offences(r.input, r.run, reporter);
    const engine::Incidents& inc = table.incidents;
    if (!inc.timed())
        throw Error(Errc::BadData,
                    table.source_path + ": no record is dated to the day" +
                        (table.has_dates
                             ? " (its dates give months only, as police.uk publishes them: they "
                               "cannot say on which day or at what hour an offence happened)"
                             : " (no date field was found; name it with --date-field)") +
                        ". `hotspot when` needs a date and a time of day for each record");
    const engine::WeekStart week_start =
        r.week_starts == "sunday" ? engine::WeekStart::Sunday : engine::WeekStart::Monday;

    // What the times say of their quality.
    const engine::TimeQuality q = engine::time_quality(inc);
    reporter.info("times      " + fixed(q.records, 0) + " offences with a day: " +
                  std::to_string(q.instants) + " at an instant, " + std::to_string(q.windows) +
                  " in a window under a week (median " + fixed(q.median_window_hours, 1) + " h), " +
                  std::to_string(q.weeks) + " in a window of a week or more (" +
                  engine::percent_of(static_cast<double>(q.weeks), q.records) + "), " +
                  std::to_string(q.days) + " dated to the day without a time");
    if (q.untimed > 0)
        reporter.warn(std::to_string(q.untimed) +
                      " offences dated to the month only are left out of the signatures");
    if (q.with_clock > 0)
    {
        reporter.info("  heaping  starts at 00:00 " +
                      engine::percent_of(q.at_midnight, q.with_clock) + ", at 12:00 " +
                      engine::percent_of(q.at_noon, q.with_clock) + ", on the hour " +
                      engine::percent_of(q.on_the_hour, q.with_clock) +
                      " (even times would give 0.07%, 0.07% and 1.7%)");
        if (q.at_midnight > 0.01 * q.with_clock)
            reporter.warn(engine::percent_of(q.at_midnight, q.with_clock) +
                          " of the times are exactly 00:00: recorders often type midnight for an "
                          "unknown time, so the 00:00-00:59 hours may be inflated");
    }
    if (!table.has_times)
        reporter.warn("no record has a time of day: each is spread over its day, so the "
                      "signature shows days of the week, not hours");

    // The groupings: the whole area, each area of --boundaries, each hotspot.
    std::vector<AreaGrouping> groupings;
    if (!r.boundaries.empty())
        groupings.push_back(
            group_by_areas(r.run, r.boundaries, r.boundaries_layer, r.area_field, table, reporter));
    if (!r.hotspots.empty())
        groupings.push_back(group_by_hotspots(r.run, r.hotspots, table, reporter));

    // Each group's signature, and the whole area's.
    struct Row
    {
        std::string kind, name, period;
        engine::Signature signature;
        const engine::HourSignificance* significance = nullptr;
    };
    std::vector<Row> rows;
    std::vector<std::vector<engine::HourSignificance>> tests;
    tests.reserve(groupings.size());
    const engine::Signatures whole = engine::signatures(inc, {}, 0);
    rows.push_back({"all", "all offences", "", whole.whole, nullptr});
    for (const auto& g : groupings)
    {
        const engine::Signatures s = engine::signatures(inc, g.of, g.names.size());
        tests.push_back(r.permutations > 0
                            ? engine::compare_with_rest(inc, g.of, g.names.size(), r.permutations,
                                                        r.seed, r.alpha)
                            : std::vector<engine::HourSignificance>(g.names.size()));
        for (std::size_t k = 0; k < g.names.size(); ++k)
            rows.push_back({g.kind, g.names[k], "", s.groups[k],
                            r.permutations > 0 ? &tests.back()[k] : nullptr});
    }
    // By period: the whole area's and each group's, period by period.
    if (r.by != "none")
    {
        std::map<std::string, std::int32_t> period_index;
        std::vector<std::string> periods;
        std::vector<std::int32_t> period(inc.size(), -1);
        for (std::size_t i = 0; i < inc.size(); ++i)
        {
            const auto w = inc.window_of(i);
            if (w.start == engine::no_minute)
                continue;
            const auto [it, added] = period_index.emplace(period_of(w.start, r.by), 0);
            if (added)
                periods.push_back(it->first);
        }
        std::sort(periods.begin(), periods.end());
        for (std::size_t p = 0; p < periods.size(); ++p)
            period_index[periods[p]] = static_cast<std::int32_t>(p);
        for (std::size_t i = 0; i < inc.size(); ++i)
            if (const auto w = inc.window_of(i); w.start != engine::no_minute)
                period[i] = period_index[period_of(w.start, r.by)];
        const engine::Signatures by_period = engine::signatures(inc, period, periods.size());
        for (std::size_t p = 0; p < periods.size(); ++p)
            rows.push_back({"all", "all offences", periods[p], by_period.groups[p], nullptr});
        for (const auto& g : groupings)
        {
            std::vector<std::int32_t> cell(inc.size(), -1);
            for (std::size_t i = 0; i < inc.size(); ++i)
                if (g.of[i] >= 0 && period[i] >= 0)
                    cell[i] = g.of[i] * static_cast<std::int32_t>(periods.size()) + period[i];
            const engine::Signatures s =
                engine::signatures(inc, cell, g.names.size() * periods.size());
            for (std::size_t k = 0; k < g.names.size(); ++k)
                for (std::size_t p = 0; p < periods.size(); ++p)
                    rows.push_back({g.kind, g.names[k], periods[p],
                                    s.groups[k * periods.size() + p], nullptr});
        }
    }

    // The tables, long and wide, in the order the week is shown.
    io::CsvTable longform{"group_kind", "group", "period",  "day",       "hour",
                          "weight",     "share", "p_value", "above_rest"};
    std::vector<std::string> wide_header{"group_kind", "group", "period", "hour"};
    for (int d = 0; d < 7; ++d)
        wide_header.emplace_back(
            engine::weekday_abbreviation(engine::shown_hour(d * 24, week_start) / 24));
    wide_header.push_back("total");
    io::CsvTable wide(wide_header);
    for (const auto& row : rows)
    {
        for (int k = 0; k < engine::hours_per_week; ++k)
        {
            const int h = engine::shown_hour(k, week_start);
            const double w = row.signature.hours[static_cast<std::size_t>(h)];
            const auto* test = row.significance;
            longform.add(
                {row.kind, row.name, row.period, engine::weekday_abbreviation(h / 24),
                 two(h % 24) + ":00", fixed(w, 6),
                 row.signature.total > 0 ? fixed(w / row.signature.total, 6) : "",
                 test ? fixed(test->p[static_cast<std::size_t>(h)], 4) : "",
                 test ? (test->above.test(static_cast<std::size_t>(h)) ? "yes" : "no") : ""});
        }
        for (int hour = 0; hour < 24; ++hour)
        {
            std::vector<std::string> line{row.kind, row.name, row.period, two(hour) + ":00"};
            double total = 0;
            for (int d = 0; d < 7; ++d)
            {
                const int h = engine::shown_hour(d * 24, week_start) + hour;
                const double w = row.signature.hours[static_cast<std::size_t>(h)];
                total += w;
                line.push_back(fixed(w, 6));
            }
            line.push_back(fixed(total, 6));
            wide.add(line);
        }
    }

    // The readings, and the charts of each group over the whole period.
    const std::string what = engine::fold(weighed_measure(r.input));
    std::string readings;
    nlohmann::json groups_json = nlohmann::json::array();
    std::vector<std::pair<std::string, io::HourChart>> charts;
    const std::string clock = r.timezone.empty() ? std::string("local clock time as recorded")
                                                 : r.timezone + " clock time as recorded";
    const std::string filter_note = table.hours_label.empty() ? "" : "; only " + table.hours_label;
    for (const auto& row : rows)
    {
        const std::string label = row.kind == "all" ? "all offences" : row.kind + " " + row.name;
        const std::string subject =
            (row.kind == "all" ? "the " : row.kind + " " + row.name + "'s ") + what;
        auto lines = engine::describe_signature(row.signature, subject);
        const std::string head = label + (row.period.empty() ? "" : " in " + row.period) + " (" +
                                 fixed(row.signature.total, 1) + " " + what + " with a time):";
        readings += head + "\n";
        for (const auto& l : lines)
            readings += "  " + l + "\n";
        std::vector<std::string> above;
        if (row.significance)
        {
            for (int k = 0; k < engine::hours_per_week; ++k)
                if (const int h = engine::shown_hour(k, week_start);
                    row.significance->above.test(static_cast<std::size_t>(h)))
                    above.push_back(engine::describe_span({h, 1, 0}));
            readings += "  hours significantly above the rest of the area: " +
                        (above.empty() ? std::string("none") : engine::join(above, ", ")) + "\n";
        }
        if (row.period.empty() && (rows.size() <= 12 || row.kind != "all"))
        {
            reporter.info(head);
            for (const auto& l : lines)
                reporter.info("  " + l);
        }
        groups_json.push_back({{"kind", row.kind},
                               {"name", row.name},
                               {"period", row.period},
                               {"offences", row.signature.offences},
                               {"weight", row.signature.total},
                               {"top_hours", engine::top_hours(row.signature)},
                               {"reading", lines},
                               {"hours_above_rest", above}});
        if (!row.period.empty() || chart_extensions.empty())
            continue;
        io::HourChart chart;
        chart.values = row.signature.hours;
        if (row.significance)
            chart.flagged = row.significance->above;
        chart.title = "When: " + label;
        chart.subtitle = fixed(row.signature.total, 1) + " " + what + ", " +
                         table.coverage.describe() + filter_note;
        chart.reading = lines.front();
        chart.unit = what + " (aoristic weight)";
        chart.note = "Hours of " + clock +
                     ". Each offence weighs 1, spread over its window "
                     "(aoristic analysis). Made with hotspot.";
        chart.week_start = week_start;
        charts.emplace_back(row.kind == "all" ? "all"
                                              : row.kind + "_" + io::file_name_part(row.name),
                            std::move(chart));
    }

    make_output_folder(r.out_dir);
    io::write_text_file(long_path, longform.text(), r.run.overwrite);
    io::write_text_file(wide_path, wide.text(), r.run.overwrite);
    io::write_text_file(readings_path, readings, r.run.overwrite);
    std::vector<std::string> written{"hour_of_week.csv", "hour_of_week_wide.csv", "readings.txt"};
    for (const auto& [name, chart] : charts)
        for (const auto& ext : chart_extensions)
        {
            io::render_hour_chart(chart, (dir / ("chart_" + name + ext)).string(), r.run.overwrite);
            written.push_back("chart_" + name + ext);
        }
    reporter.info("wrote      " + r.out_dir + ": " + std::to_string(written.size()) + " files");

    nlohmann::json summary = summary_json(
        "when", {{"offences", offences_json(table)},
                 {"unit", weighed_measure(r.input) + " (aoristic weight)"},
                 {"clock", clock},
                 {"week_starts", r.week_starts},
                 {"times",
                  {{"with_day", q.records},
                   {"instants", q.instants},
                   {"windows", q.windows},
                   {"windows_of_a_week_or_more", q.weeks},
                   {"dates_without_time", q.days},
                   {"dated_to_month_only", q.untimed},
                   {"median_window_hours", q.median_window_hours},
                   {"starts_at_midnight", q.at_midnight},
                   {"starts_at_noon", q.at_noon},
                   {"starts_on_the_hour", q.on_the_hour},
                   {"starts_with_a_clock_time", q.with_clock}}},
                 {"significance",
                  {{"method", "permutation against the rest, Benjamini-Hochberg over 168 hours"},
                   {"permutations", r.permutations},
                   {"seed", r.seed},
                   {"alpha", r.alpha}}},
                 {"groups", groups_json},
                 {"outputs", written}});
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
