#include "patrol_plan_command.hpp"
#include "option_kinds.hpp"

#include "area_groups.hpp"
#include "density.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/hotspots/patrol_plan.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/map.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace hotspot::app
{

namespace
{
// A few street blocks: Koper-style visits suit hotspots of about this size or less.
constexpr double few_blocks_m2 = 250'000;

std::string html(const std::string& text)
{
    std::string out;
    for (const char c : text)
        out += c == '<'   ? "&lt;"
               : c == '>' ? "&gt;"
               : c == '&' ? "&amp;"
               : c == '"' ? "&quot;"
                          : std::string(1, c);
    return out;
}

// A briefing map of one shift: each hotspot visited shaded by its visits a week in the shift,
// outlined and labelled "#rank: visits".
io::MapContent shift_map(const AreaGrouping& spots, const std::vector<int>& visits,
                         const io::Crs& crs)
{
    engine::Box2 box;
    for (const auto& shape : spots.shapes)
        box.expand(engine::bounds(shape));
    io::MapContent map;
    map.surface =
        engine::rasterize_values(spots.shapes, std::vector<double>(visits.begin(), visits.end()),
                                 engine::framing_grid(box, 0.08, 500.0, 900), 0.0);
    map.crs = crs;
    for (std::size_t h = 0; h < spots.shapes.size(); ++h)
    {
        if (visits[h] == 0)
            continue; // outlined only where officers go
        const engine::Box2 b = engine::bounds(spots.shapes[h]);
        map.hotspots.push_back({spots.shapes[h],
                                "#" + std::to_string(h + 1) + ": " + std::to_string(visits[h]),
                                {(b.xmin + b.xmax) / 2, (b.ymin + b.ymax) / 2}});
    }
    map.units = "visits a week";
    return map;
}

std::string clock(engine::MinuteIndex minute_of_week)
{
    char b[64];
    std::snprintf(b, sizeof b, "%s %02d:%02d",
                  std::string(engine::weekday_abbreviation(minute_of_week / 1440)).c_str(),
                  minute_of_week % 1440 / 60, minute_of_week % 60);
    return b;
}
} // namespace

CLI::App* add_patrol_plan_command(CLI::App& app, PatrolPlanRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "patrol-plan", "Who goes where, and when: each shift's hotspot visits, in proportion to "
                       "the harm expected there in the shift's hours, at unpredictable times");
    add_offence_options(*cmd, r.input);
    cmd->add_option("--hotspots", r.hotspots,
                    "The hotspots to visit: the GeoPackage `hotspot hotspots` wrote. Without it "
                    "they are computed in the same run from the same offences, as `hotspot "
                    "hotspots` would with the density and method options below")
        ->check(layer_input("polygon"))
        ->group("Plan");
    add_density_options(*cmd, r.spots.density);
    add_hotspot_method_options(*cmd, r.spots.method);
    cmd->add_option("--shift", r.shifts,
                    "A shift of every day, NAME FROM-TO in whole hours (repeatable; default "
                    "\"early 07-15\" \"late 15-23\" \"night 23-07\"). A shift past midnight "
                    "belongs to the day it starts on")
        ->group("Plan");
    cmd->add_option("--visits-per-shift", r.visits_per_shift,
                    "Hotspot visits each shift can make, on each day")
        ->group("Plan");
    cmd->add_option("--officer-hours", r.officer_hours,
                    "Instead of --visits-per-shift: the officer hours each shift gives to hotspot "
                    "patrol; visits = hours x 60 / (--visit-minutes + --travel-minutes)")
        ->group("Plan");
    cmd->add_option("--visit-minutes", r.visit_minutes,
                    "Length of a visit (default 15). Koper (1995) found stops of about 10 minutes "
                    "or more deter for longer after the officer leaves, 11-15 minutes best")
        ->check(CLI::Range(1, 240))
        ->group("Plan");
    cmd->add_option("--travel-minutes", r.travel_minutes,
                    "Travel between visits, taken out of --officer-hours (default 0)")
        ->check(CLI::Range(0, 240))
        ->group("Plan");
    cmd->add_option("--strategy", r.strategy,
                    "proportional (default): each shift's visits in proportion to the harm "
                    "expected at each hotspot in its hours; top-first: a full dose "
                    "(--visits-per-hotspot) to the highest-harm hotspots first, since a thin dose "
                    "everywhere may deter nowhere")
        ->transform(choice(engine::patrol_strategy_names))
        ->group("Plan");
    cmd->add_option("--visits-per-hotspot", r.visits_per_hotspot,
                    "top-first: the dose a hotspot gets before the next gets any (default 3)")
        ->check(CLI::Range(1, 1000))
        ->group("Plan");
    cmd->add_option("--min-visits", r.min_visits,
                    "Visits every hotspot gets in every shift, harm or not (default 0)")
        ->check(CLI::Range(0, 1000))
        ->group("Plan");
    cmd->add_option("--max-visits", r.max_visits,
                    "At most this many visits to one hotspot in one shift (default: no limit)")
        ->group("Plan");
    cmd->add_option("--weeks", r.weeks,
                    "Expected harm from the offences of the last this many weeks before the latest "
                    "record (default: every offence read, over the weeks they span)")
        ->group("Plan");
    cmd->add_option("--shrinkage", r.shrinkage,
                    "Pseudo-offences of the whole area's hours mixed into each hotspot's, so that "
                    "a hotspot of few offences is not planned on noise (default 24)")
        ->check(CLI::Range(0.0, 1e6))
        ->group("Plan");
    cmd->add_option("--seed", r.seed,
                    "Seed of the visit times (default 1): a plan repeats exactly for a seed")
        ->group("Plan");
    cmd->add_option("--maps", r.maps,
                    "A briefing map of each shift, its hotspots shaded and labelled by their "
                    "visits a week: png (default), pdf, or none")
        ->transform(choice({"png", "pdf", "none"}))
        ->group("Output");
    cmd->add_option("--out-dir", r.out_dir,
                    "Folder for schedule.csv (day, shift, hotspot, visits, suggested times, "
                    "expected harm and its share of the shift's), plan.html (the schedule as a "
                    "page to brief from) and the maps")
        ->check(output_folder())
        ->required()
        ->group("Output");
    add_run_options(*cmd, r.run);
    cmd->footer(
        "How it works: each hotspot's offences are spread over the hours of the week (aoristic "
        "analysis, as\n"
        "`hotspot when`), shrunk towards the whole area's hours where they are few, and summed "
        "over each shift's\n"
        "hours on each day: the harm expected there in that shift, per week (--harm weighs it by "
        "crime type).\n"
        "Each shift's visits are then given out as whole visits (largest remainder), between "
        "--min-visits and\n"
        "--max-visits. A hotspot with no harm in a shift gets only the minimum. Visit times are "
        "drawn at random\n"
        "over the hotspot's busy hours within the shift (--seed), so that they are unpredictable. "
        "The plan says\n"
        "what share of the area's harm falls in the hotspot-shifts it visits.\n"
        "Example:\n"
        "  hotspot hotspots --offences data/chicago/chicago_aggravated_assaults_2010_2019.csv "
        "--cell 100 \\\n"
        "      --bandwidth 400 --out-dir spots\n"
        "  hotspot patrol-plan --offences data/chicago/chicago_aggravated_assaults_2010_2019.csv "
        "\\\n"
        "      --hotspots spots/hotspots.gpkg --visits-per-shift 12 --weeks 52 --out-dir plan");
    return cmd;
}

nlohmann::json run_patrol_plan(const PatrolPlanRequest& r, Reporter& reporter)
{
    // The plan's settings, checked before any work.
    std::vector<engine::Shift> shifts;
    for (const auto& s : r.shifts.empty()
                             ? std::vector<std::string>{"early 07-15", "late 15-23", "night 23-07"}
                             : r.shifts)
        shifts.push_back(engine::parse_shift(s));
    engine::check_shifts(shifts);
    if ((r.visits_per_shift >= 0) == (r.officer_hours >= 0))
        throw Error(Errc::Usage, "give the capacity of a shift: --visits-per-shift N, or "
                                 "--officer-hours H (one of them)");
    engine::PatrolOptions o;
    o.visits_per_shift =
        r.visits_per_shift >= 0
            ? r.visits_per_shift
            : engine::visits_in_shift(r.officer_hours, r.visit_minutes, r.travel_minutes);
    o.visit_minutes = r.visit_minutes;
    o.strategy = named_value(engine::patrol_strategy_names, r.strategy, "--strategy", "a strategy");
    o.dose = r.visits_per_hotspot;
    o.min_visits = r.min_visits;
    o.max_visits = r.max_visits;
    o.shrinkage = r.shrinkage;
    o.seed = r.seed;
    if (r.weeks < 0)
        throw Error(Errc::Usage, "--weeks must be positive");
    const std::filesystem::path dir(r.out_dir);
    const std::string schedule_path = (dir / "schedule.csv").string();
    if (std::filesystem::is_directory(dir))
    {
        const std::string page = (dir / "plan.html").string();
        check_outputs(r.run, {&schedule_path, &page});
        if (r.maps != "none")
            for (const auto& shift : shifts)
                io::check_output_path(
                    (dir / ("plan_" + io::file_name_part(shift.name) + "." + r.maps)).string(),
                    r.run.overwrite);
    }

    io::OffenceTable table = load_offences(r.input, r.run, reporter);
    engine::Incidents& inc = table.incidents;
    if (!inc.timed() || !table.has_times)
        throw Error(Errc::BadData,
                    table.source_path +
                        (inc.timed() ? ": its records carry dates without a time of day"
                                     : ": its records are dated to the month only (as police.uk "
                                       "publishes them)") +
                        ", so they cannot say which shift an offence fell in: a patrol plan "
                        "needs a date and a time for each record");
    // The weeks the expected harm is measured over.
    const engine::MeasuredWeeks measured = engine::measured_weeks(inc);
    o.weeks = measured.weeks;
    if (r.weeks > 0)
    {
        const std::size_t before = inc.size();
        const std::size_t kept = engine::keep_last_weeks(inc, r.weeks, measured.last);
        reporter.info("weeks      the last " + fixed(r.weeks, 0) + " weeks before " +
                      engine::format_minute(measured.last) + ": " + std::to_string(kept) + " of " +
                      std::to_string(before) + " offences");
        o.weeks = r.weeks;
    }

    AreaGrouping spots;
    if (!r.hotspots.empty())
        spots = group_by_hotspots(r.run, r.hotspots, table, reporter);
    else
    {
        // The hotspots of the same offences (all of them, before --weeks), as `hotspots` finds
        // them.
        HotspotsRequest request = r.spots;
        request.input = r.input;
        request.run = r.run;
        request.run.summary_json_path.clear();
        HotspotRows rows;
        run_hotspots(request, reporter, &rows);
        const auto column = [&](const char* name)
        {
            for (std::size_t f = 0; f < rows.fields.size(); ++f)
                if (rows.fields[f].name == name)
                    return f;
            throw Error(Errc::Internal, std::string("hotspot rows without ") + name);
        };
        const std::size_t rank = column("rank"), name = column("name");
        std::vector<std::string> labels;
        for (const auto& row : rows.rows)
            labels.push_back("#" + std::to_string(std::get<std::int64_t>(row[rank])) + " " +
                             std::get<std::string>(row[name]));
        spots = group_by_shapes("hotspot", std::move(labels), std::move(rows.outlines), table);
    }
    if (spots.names.empty())
        throw Error(Errc::BadData, r.hotspots + ": holds no hotspot");
    std::vector<std::string> large;
    for (std::size_t h = 0; h < spots.names.size(); ++h)
        if (spots.area_m2[h] > 4 * few_blocks_m2)
            large.push_back(spots.names[h] + " " + fixed(spots.area_m2[h] / 1e6, 2) + " km²");
    if (!large.empty())
        reporter.warn(std::to_string(large.size()) +
                      " hotspots cover more than 1 km², far more "
                      "than the few street blocks (about 0.25 km²) short hotspot visits suit (" +
                      engine::join(std::vector<std::string>(
                                       large.begin(),
                                       large.begin() + std::min<std::ptrdiff_t>(3, large.size())),
                                   "; ") +
                      (large.size() > 3 ? "; ..." : "") +
                      "): patrol their peaks, or find smaller hotspots (a smaller --cell and "
                      "bandwidth)");
    const engine::Signatures when = engine::signatures(inc, spots.of, spots.names.size());
    const engine::PatrolPlan plan = engine::plan_patrols(when.groups, when.whole, shifts, o);

    // The schedule: one row per hotspot visited in a shift.
    const std::string harm = weighed_measure(r.input);
    io::CsvTable csv{"day",
                     "shift",
                     "shift_hours",
                     "rank",
                     "hotspot",
                     "visits",
                     "visit_minutes",
                     "suggested_times",
                     "expected_per_week (" + harm + ")",
                     "share_of_shift (of the area's)"};
    int rows = 0;
    for (const auto& v : plan.rows)
    {
        if (v.visits == 0)
            continue;
        const engine::Shift& s = shifts[v.shift];
        std::vector<std::string> times;
        for (const auto t : v.times)
            times.push_back(clock(t));
        char hours[32];
        std::snprintf(hours, sizeof hours, "%02d-%02d", s.start_hour, s.end_hour);
        csv.add({engine::weekday_abbreviation(v.day), s.name, hours, std::to_string(v.hotspot + 1),
                 spots.names[v.hotspot], std::to_string(v.visits), std::to_string(r.visit_minutes),
                 engine::join(times, "; "), fixed(v.expected_harm, 3), fixed(v.share_of_shift, 4)});
        ++rows;
    }
    make_output_folder(r.out_dir);
    io::write_text_file(schedule_path, csv.text(), r.run.overwrite);
    std::vector<std::string> written{schedule_path};

    // A briefing map per shift, and the schedule as a page.
    const std::string strategy_words = r.strategy + ", " + std::to_string(o.visits_per_shift) +
                                       " visits of " + std::to_string(r.visit_minutes) +
                                       " minutes a shift";
    std::string page =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Patrol plan</title><style>body{font-family:sans-serif;margin:24px}"
        "table{border-collapse:collapse;margin-bottom:18px}td,th{border:1px solid "
        "#ccc;padding:3px 8px;text-align:left;vertical-align:top}th{background:"
        "#f2f2f2}h2{margin-top:28px}</style></head><body>\n<h1>Patrol plan</h1>\n<p>" +
        html(strategy_words) + "; expected harm per week from " + html(fixed(o.weeks, 0)) +
        " weeks of " + html(table.source_path) + ". The hotspot-shifts visited hold " +
        html(fixed(100 * plan.share_in_planned, 1)) + "% of the area's " + html(harm) +
        ". Visit at the suggested times, which are drawn at random "
        "over each hotspot's busy hours so that they cannot be predicted.</p>\n";
    for (std::size_t s = 0; s < shifts.size(); ++s)
    {
        const engine::Shift& shift = shifts[s];
        char hours[32];
        std::snprintf(hours, sizeof hours, "%02d:00-%02d:00", shift.start_hour, shift.end_hour);
        std::vector<int> week(spots.names.size(), 0);
        page += "<h2>" + html(shift.name) + " shift, " + hours +
                "</h2>\n<table><tr><th>day</th>"
                "<th>hotspot</th><th>visits</th><th>suggested times</th><th>share of the "
                "shift's harm</th></tr>\n";
        for (const auto& v : plan.rows)
        {
            if (v.shift != s || v.visits == 0)
                continue;
            week[v.hotspot] += v.visits;
            std::vector<std::string> times;
            for (const auto t : v.times)
                times.push_back(clock(t).substr(4));
            page += "<tr><td>" + std::string(engine::weekday_name(v.day)) + "</td><td>" +
                    html(spots.names[v.hotspot]) + "</td><td>" + std::to_string(v.visits) +
                    "</td><td>" + html(engine::join(times, ", ")) + "</td><td>" +
                    fixed(100 * v.share_of_shift, 1) + "%</td></tr>\n";
        }
        page += "</table>\n";
        if (r.maps == "none")
            continue;
        io::MapContent map = shift_map(spots, week, table.target_crs);
        map.title = "Patrol plan: " + shift.name + " shift, " + hours;
        map.subtitle = "Hotspot visits a week in this shift (" + strategy_words + ")";
        map.attribution = map_attribution(table, r.input, {}, "");
        const std::string path =
            (dir / ("plan_" + io::file_name_part(shift.name) + "." + r.maps)).string();
        io::render_map(map, path, {.overwrite = r.run.overwrite});
        written.push_back(path);
    }
    page += "<p>Made with hotspot " HOTSPOT_VERSION_STRING ".</p></body></html>\n";
    const std::string page_path = (dir / "plan.html").string();
    io::write_text_file(page_path, page, r.run.overwrite);
    written.push_back(page_path);

    const int capacity = o.visits_per_shift * 7 * static_cast<int>(shifts.size());
    int given = 0, unused = 0;
    for (std::size_t c = 0; c < plan.given.size(); ++c)
    {
        given += plan.given[c];
        unused += plan.unused[c];
    }
    reporter.info("plan       " + std::to_string(o.visits_per_shift) + " visits of " +
                  std::to_string(r.visit_minutes) + " minutes in each of " +
                  std::to_string(shifts.size()) + " shifts a day, " + r.strategy + ": " +
                  std::to_string(given) + " of " + std::to_string(capacity) +
                  " visits a week planned" +
                  (unused > 0 ? " (" + std::to_string(unused) +
                                    " left where no hotspot expects harm or every one is at "
                                    "--max-visits)"
                              : std::string()));
    reporter.info("covers     " + fixed(100 * plan.share_in_planned, 1) + "% of the area's " +
                  harm + " (" + fixed(plan.area_harm_per_week, 1) +
                  " a week) is expected in the hotspot-shifts visited");
    reporter.info("wrote      " + schedule_path + " (" + std::to_string(rows) + " rows), " +
                  std::to_string(written.size() - 1) + " more files in " + r.out_dir);

    nlohmann::json shifts_json = nlohmann::json::array();
    for (const auto& s : shifts)
        shifts_json.push_back({{"name", s.name}, {"from", s.start_hour}, {"to", s.end_hour}});
    nlohmann::json summary = summary_json(
        "patrol-plan", {{"offences", offences_json(table)},
                        {"hotspots", spots.names.size()},
                        {"shifts", shifts_json},
                        {"strategy", r.strategy},
                        {"visits_per_shift", o.visits_per_shift},
                        {"visit_minutes", r.visit_minutes},
                        {"weeks", o.weeks},
                        {"visits_planned_per_week", given},
                        {"visits_unused_per_week", unused},
                        {"area_harm_per_week", plan.area_harm_per_week},
                        {"harm_unit", harm},
                        {"share_of_harm_in_planned_hotspot_shifts", plan.share_in_planned},
                        {"seed", r.seed},
                        {"outputs", written}});
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
