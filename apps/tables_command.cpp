#include "tables_command.hpp"
#include "option_kinds.hpp"

#include "density.hpp"

#include "hotspot/distributed/area_jobs.hpp"

#include "hotspot/engine/areas/tables.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/categories.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <tuple>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

namespace hotspot::app
{

namespace
{
engine::CategoryBasis choose_basis(const std::string& basis,
                                   const std::vector<std::string>& classes)
{
    if (engine::same_text(basis, "ho-code"))
        return engine::CategoryBasis::HoCode;
    if (engine::same_text(basis, "crime-type"))
        return engine::CategoryBasis::CrimeType;
    if (!engine::same_text(basis, "auto"))
        throw Error(Errc::Usage,
                    "--category-basis takes auto, ho-code or crime-type (got '" + basis + "')");
    // Home Office codes when nearly every distinct value is one.
    const auto known = io::known_ho_codes();
    const std::set<std::string> index(known.begin(), known.end());
    const auto codes = std::count_if(classes.begin(), classes.end(),
                                     [&](const std::string& c)
                                     { return index.count(engine::normalise_ho_code(c)) > 0; });
    return !classes.empty() &&
                   static_cast<double>(codes) >= 0.9 * static_cast<double>(classes.size())
               ? engine::CategoryBasis::HoCode
               : engine::CategoryBasis::CrimeType;
}
bool missing_months_blank(const std::string& policy)
{
    if (engine::same_text(policy, "refuse"))
        return false;
    if (engine::same_text(policy, "blank"))
        return true;
    throw Error(Errc::Usage, "--missing-months takes refuse or blank (got '" + policy + "')");
}
} // namespace

CLI::App* add_tables_command(CLI::App& app, TablesRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "tables", "Offence counts per area, category and month, zeros included; "
                  "or This Year against Last Year as in the Community Safety report");
    add_reconcile_setup_options(*cmd, r.setup, false);
    cmd->add_option("--categories", r.categories_path,
                    "Category definitions CSV (default: the shipped Appendix 1 categories and "
                    "police.uk crime types)")
        ->check(file_input("csv"))
        ->group("Tables");
    cmd->add_option("--category", r.categories,
                    "Only this category (repeatable), e.g. \"All Crime\"")
        ->group("Tables");
    cmd->add_option("--category-basis", r.basis,
                    "What the type field holds: auto (default), ho-code (Home Office codes) or "
                    "crime-type (police.uk)")
        ->group("Tables");
    cmd->add_option("--this", r.this_period, "This period, YYYY-MM..YYYY-MM, compared with --last")
        ->group("Tables");
    cmd->add_option("--last", r.last_period, "Last period, YYYY-MM..YYYY-MM")->group("Tables");
    cmd->add_option("--missing-months", r.missing_months,
                    "A month inside the period that the data do not cover (a missing monthly "
                    "file): refuse (default) or blank (its counts written as empty cells, never "
                    "0). A period beyond the months covered is always refused")
        ->group("Tables");
    cmd->add_option("--population", r.population_path,
                    "CSV of area code and residents (a column called residents or population): "
                    "adds each count per 1,000 residents, to compare areas of different sizes")
        ->check(file_input("csv"))
        ->group("Tables");
    cmd->add_option("--total-label", r.total_label, "Name of the total row (default: Force)")
        ->group("Tables");
    cmd->add_option("--min-count", r.min_count,
                    "Disclosure control for published tables: counts from 1 to K-1 are written "
                    "\"<K\", and the change and percentage computed from them are left blank")
        ->group("Disclosure");
    cmd->add_option("--publish", r.publish, publish_help(false))->group("Disclosure");
    cmd->add_option("--out", r.out_path, "Output CSV")
        ->check(output_file("csv"))
        ->required()
        ->group("Output");
    add_run_options(*cmd, r.run);
    cmd->footer("Records count in the area their reconciled code names (give --code-field), so "
                "records without a\n"
                "location still count; without --code-field they count where they lie.\n"
                "The periods are the months the data cover (police.uk files by their names, other "
                "sources by the\n"
                "months their records are dated in, or --covers), or --from/--to: a month the data "
                "do not cover\n"
                "is missing, not a month without crime, and is refused or left blank "
                "(--missing-months).\n"
                "--this/--last: % change to one decimal, and n/a where Last Year is 0; 'Change' is "
                "This Year minus\n"
                "Last Year in offences. Example:\n"
                "  hotspot tables --offences data/police_uk/2019-09-kent-street.csv \\\n"
                "      --areas data/boundaries/maidstone_wards_2013.geojson --area-code-field "
                "WD13CD --area-name-field WD13NM \\\n"
                "      --out maidstone_wards_2019-09.csv");
    return cmd;
}

namespace
{
// What the tables count of every record: its area, crime type and month (3 x 4 bytes).
struct CountedRecords
{
    io::OffenceTable table; // the account of the records; their columns are released
    CodedLayer areas;
    std::vector<std::int32_t> area;
    std::vector<std::int32_t> class_of;
    std::vector<engine::MonthIndex> month;
};

CountedRecords records_for_tables(const ReconcileSetup& setup, const RunOptions& run,
                                  Reporter& reporter)
{
    CountedRecords c;
    if (!setup.input.source.code_field.empty())
    {
        // Records count in the area their reconciled code names.
        Reconciled rec = reconcile_offences(setup, run, reporter);
        for (const auto& o : rec.report.outcomes)
            c.area.push_back(o.final_area);
        c.class_of = std::move(rec.crime_type);
        c.month = std::move(rec.month);
        c.table = std::move(rec.table);
        c.areas = std::move(rec.areas);
        return c;
    }
    // Without codes, records count where they lie: in the area containing them, else the nearest
    // within --tolerance (gaps between generalised polygons), as reconcile fills a record without
    // a code; records without a usable location count in no area. Nothing else is held.
    io::ReadOptions read;
    read.keep_unlocated = true;
    read.reject_duplicates = false; // as reconcile reads them
    c.table = load_offences(setup.input, run, reporter, read);
    // Tables count whole offences: one partly inside --days/--hours would count as a whole one.
    if (!c.table.hours_label.empty())
    {
        const auto& w = c.table.incidents.weight;
        const auto partly = std::count_if(w.begin(), w.end(), [](double v) { return v < 1.0; });
        if (partly > 0)
            throw Error(Errc::Usage,
                        c.table.source_path + ": " + std::to_string(partly) +
                            " offences happened in windows only partly inside " +
                            c.table.hours_label +
                            ", and tables count whole offences; `hotspot when` gives their "
                            "aoristic weights by hour, and records timed to the minute can be "
                            "tabled by hours");
    }
    c.areas = load_coded_layer(setup.areas, c.table.target_crs, run, reporter);
    auto& inc = c.table.incidents;
    const std::size_t located = inc.size();
    c.area.assign(located + c.table.unlocated.size(), -1);
    // Under mpirun the records are located by every rank, a slice each.
    run.executor.locate_points(*c.areas.index, inc.x, inc.y, setup.tolerance_m, c.area.data());
    c.class_of = std::move(inc.crime_type);
    c.month = std::move(inc.month);
    for (const auto& u : c.table.unlocated)
    {
        c.class_of.push_back(u.crime_type);
        c.month.push_back(u.month);
    }
    for (auto* column : {&inc.x, &inc.y, &inc.weight})
        std::vector<double>().swap(*column);
    std::vector<std::int64_t>().swap(inc.source_row);
    return c;
}
} // namespace

nlohmann::json run_tables(const TablesRequest& r, Reporter& reporter)
{
    if (r.this_period.empty() != r.last_period.empty())
        throw Error(Errc::Usage, "--this and --last go together");
    const bool blank_missing = missing_months_blank(r.missing_months);
    const int min_count = publish_min_count(r.publish, r.min_count);
    const bool compare = !r.this_period.empty();
    std::optional<Period> this_period, last_period;
    if (compare)
    {
        this_period = parse_period(r.this_period, "--this");
        last_period = parse_period(r.last_period, "--last");
    }
    auto categories = io::load_categories(r.categories_path);
    if (!r.categories.empty())
    {
        std::vector<engine::Category> chosen;
        std::vector<std::string> names;
        for (const auto& c : categories)
            names.push_back(c.name);
        for (const auto& wanted : r.categories)
        {
            const auto it = std::find_if(categories.begin(), categories.end(),
                                         [&](const engine::Category& c)
                                         { return engine::same_text(c.name, wanted); });
            if (it == categories.end())
                throw Error(Errc::Usage, "--category '" + wanted + "' is not defined; nearest: " +
                                             engine::join(engine::near_matches(wanted, names)));
            chosen.push_back(*it);
        }
        categories = std::move(chosen);
    }
    io::check_output_path(r.out_path, r.run.overwrite);
    check_outputs(r.run, {&r.run.summary_json_path, &r.setup.input.rejects_path});
    const auto population = r.population_path.empty()
                                ? std::map<std::string, double>{}
                                : io::read_area_populations(r.population_path);

    CountedRecords rec = records_for_tables(r.setup, r.run, reporter);
    const auto& classes = rec.table.incidents.crime_type_names;
    if (classes.empty())
        throw Error(Errc::Usage, r.setup.input.source.label() +
                                     ": tables need each record's crime type or Home Office "
                                     "code; name its field with --type-field");
    const engine::CategoryBasis basis = choose_basis(r.basis, classes);
    // Only categories the data's field can express: police.uk types cannot separate rape from other
    // sexual offences, for example.
    std::vector<std::string> dropped;
    std::erase_if(categories,
                  [&](const engine::Category& c)
                  {
                      const bool empty = basis == engine::CategoryBasis::HoCode
                                             ? c.ho_codes.empty()
                                             : c.police_uk_types.empty();
                      if (empty)
                          dropped.push_back(c.name);
                      return empty;
                  });
    if (categories.empty())
        throw Error(Errc::Usage,
                    "none of the chosen categories can be counted from " +
                        std::string(basis == engine::CategoryBasis::HoCode ? "Home Office codes"
                                                                           : "crime types"));
    const auto members = engine::categories_of_classes(categories, classes, basis);

    // Periods: the months the data cover (or --from/--to), or This and Last. A month the data do
    // not cover is refused, or written blank: never counted as 0.
    const engine::Coverage& coverage = rec.table.coverage;
    auto [first, last] = engine::month_range(rec.month);
    if (coverage.known())
        std::tie(first, last) = std::pair(coverage.months.front(), coverage.months.back());
    const io::OffenceFilter filter = make_filter(r.setup.input);
    if (const auto from = filter.from)
        first = *from;
    if (const auto to = filter.to)
        last = *to;
    std::vector<std::string> period_labels;
    std::vector<std::uint8_t> period_missing; // per period: a month of it is not covered
    const auto uncovered = [&](engine::MonthIndex a, engine::MonthIndex b, const std::string& what)
    {
        if (!coverage.known())
            return false;
        if (!blank_missing || a < coverage.months.front() || b > coverage.months.back())
            require_covered(rec.table, a, b, what);
        return !coverage.missing(a, b).empty();
    };
    if (compare)
    {
        period_labels = {this_period->label(), last_period->label()};
        period_missing = {
            uncovered(this_period->from, this_period->to, "--this " + this_period->label()),
            uncovered(last_period->from, last_period->to, "--last " + last_period->label())};
    }
    else if (last != engine::no_month)
    {
        uncovered(first, last, "tables " + io::format_month(first) + ".." + io::format_month(last));
        for (auto m = first; m <= last; ++m)
        {
            period_labels.push_back(io::format_month(m));
            period_missing.push_back(coverage.known() && !coverage.covers(m));
        }
    }
    else
        period_labels = {"all"};
    period_missing.resize(period_labels.size(), 0);
    std::vector<std::string> blank_periods;
    for (std::size_t p = 0; p < period_labels.size(); ++p)
        if (period_missing[p])
            blank_periods.push_back(period_labels[p]);
    if (!blank_periods.empty())
        reporter.warn("not covered by the data, written blank: " + engine::join(blank_periods));

    const std::size_t n = rec.area.size();
    const auto& area = rec.area;
    const auto& class_of = rec.class_of;
    auto& period = rec.month; // each month becomes its period, in place
    std::int64_t no_area = 0, no_category = 0, outside_periods = 0;
    for (std::size_t i = 0; i < n; ++i)
    {
        const auto m = period[i];
        if (compare)
            period[i] = this_period->contains(m) ? 0 : last_period->contains(m) ? 1 : -1;
        else
            period[i] = last == engine::no_month ? 0 : (m == engine::no_month ? -1 : m - first);
        no_area += area[i] < 0;
        no_category += class_of[i] < 0 || members[static_cast<std::size_t>(class_of[i])].empty();
        outside_periods += period[i] < 0;
    }
    const auto cube = engine::count_cube(area, class_of, period, members, rec.areas.codes.size(),
                                         categories.size(), period_labels.size());

    // A count small enough to point at a person is shown as "<K"; zero is not withheld.
    std::int64_t withheld = 0;
    const auto small = [&](std::int64_t n) { return n > 0 && n < min_count; };
    const auto shown = [&](std::int64_t n, std::size_t period)
    {
        if (period_missing[period])
            return std::string();
        if (!small(n))
            return std::to_string(n);
        ++withheld;
        return "<" + std::to_string(min_count);
    };
    std::optional<io::CsvTable> csv;
    const auto& codes = rec.areas.codes;
    const auto& names = rec.areas.names;
    // Residents of each area (negative: unknown) and of them all, for rates per 1,000.
    const bool rates = !population.empty();
    std::vector<double> residents(codes.size(), -1);
    double all_residents = 0;
    std::vector<std::string> without_population;
    for (std::size_t a = 0; a < codes.size() && rates; ++a)
    {
        const auto it = population.find(codes[a]);
        residents[a] = it == population.end() ? -1 : it->second;
        if (residents[a] < 0)
            without_population.push_back(codes[a]);
        all_residents += std::max(residents[a], 0.0);
    }
    if (!without_population.empty())
        reporter.warn(
            std::to_string(without_population.size()) + " areas have no residents in " +
            r.population_path + " (their rates are blank): " +
            engine::join(std::vector<std::string>(
                without_population.begin(),
                without_population.begin() + std::min<std::size_t>(5, without_population.size()))));
    // A count per 1,000 residents, blank where the count is not shown or the residents unknown.
    const auto rate = [&](std::int64_t n, double people, std::size_t period)
    {
        if (period_missing[period] || small(n) || !(people > 0))
            return std::string();
        return fixed(1000.0 * static_cast<double>(n) / people, 2);
    };
    const auto area_label = [&](std::size_t a) { return names[a].empty() ? codes[a] : names[a]; };
    if (compare)
    {
        std::vector<std::string> header{"Crime category", "Area",     "This Year",
                                        "Last Year",      "% change", "Change"};
        if (rates)
            header.insert(header.end(),
                          {"This Year per 1000 residents", "Last Year per 1000 residents"});
        csv.emplace(header);
        reporter.info("tables     this " + period_labels[0] + " against last " + period_labels[1]);
        for (std::size_t c = 0; c < categories.size(); ++c)
        {
            const auto row =
                [&](const std::string& label, std::int64_t t, std::int64_t l, double people)
            {
                const bool hide = small(t) || small(l) || period_missing[0] || period_missing[1];
                std::vector<std::string> row{categories[c].name,
                                             label,
                                             shown(t, 0),
                                             shown(l, 1),
                                             hide ? std::string()
                                                  : engine::percent_change_text(t, l),
                                             hide ? std::string() : std::to_string(t - l)};
                if (rates)
                    row.insert(row.end(), {rate(t, people, 0), rate(l, people, 1)});
                csv->add(row);
            };
            for (std::size_t a = 0; a < codes.size(); ++a)
                row(area_label(a), cube.at(a, c, 0), cube.at(a, c, 1), residents[a]);
            row(r.total_label, cube.total(c, 0), cube.total(c, 1),
                without_population.empty() ? all_residents : -1);
            char line[160];
            std::snprintf(line, sizeof line, "  %-28s %8lld %8lld %8s %+7lld",
                          categories[c].name.c_str(), static_cast<long long>(cube.total(c, 0)),
                          static_cast<long long>(cube.total(c, 1)),
                          engine::percent_change_text(cube.total(c, 0), cube.total(c, 1)).c_str(),
                          static_cast<long long>(cube.total(c, 0) - cube.total(c, 1)));
            reporter.info(line);
        }
    }
    else
    {
        std::vector<std::string> header{"area_code", "area_name", "category", "period", "count"};
        if (rates)
            header.push_back("per_1000_residents");
        csv.emplace(header);
        for (std::size_t a = 0; a < codes.size(); ++a)
            for (std::size_t c = 0; c < categories.size(); ++c)
                for (std::size_t p = 0; p < period_labels.size(); ++p)
                {
                    std::vector<std::string> row{codes[a], names[a], categories[c].name,
                                                 period_labels[p], shown(cube.at(a, c, p), p)};
                    if (rates)
                        row.push_back(rate(cube.at(a, c, p), residents[a], p));
                    csv->add(row);
                }
        reporter.info("tables     " + std::to_string(codes.size()) + " areas x " +
                      std::to_string(categories.size()) + " categories x " +
                      std::to_string(period_labels.size()) + " periods");
    }
    if (!dropped.empty())
        reporter.info("  not countable from " +
                      std::string(basis == engine::CategoryBasis::HoCode
                                      ? "Home Office codes"
                                      : "police.uk crime types") +
                      ": " + engine::join(dropped));
    reporter.info("  records not counted: " + std::to_string(no_area) + " with no area, " +
                  std::to_string(no_category) + " in no category, " +
                  std::to_string(outside_periods) + " outside the periods");
    if (min_count > 0)
        reporter.info("disclosure " + std::to_string(withheld) + " counts under " +
                      std::to_string(min_count) + " written as <" + std::to_string(min_count));
    io::write_text_file(r.out_path, csv->text(), r.run.overwrite);
    reporter.info("wrote      " + r.out_path);

    nlohmann::json category_names = nlohmann::json::array();
    for (const auto& c : categories)
        category_names.push_back(c.name);
    nlohmann::json summary = summary_json(
        "tables", {{"offences", offences_json(rec.table)},
                   {"records", n},
                   {"areas", codes.size()},
                   {"categories", category_names},
                   {"not_countable", dropped},
                   {"basis", basis == engine::CategoryBasis::HoCode ? "ho-code" : "crime-type"},
                   {"periods", period_labels},
                   {"periods_not_covered", blank_periods},
                   {"covers", coverage.describe()},
                   {"not_counted",
                    {{"no_area", no_area},
                     {"no_category", no_category},
                     {"outside_periods", outside_periods}}},
                   {"output", r.out_path}});
    if (min_count > 0)
        summary["disclosure"] = {
            {"min_count", min_count}, {"withheld", withheld}, {"publish", r.publish}};
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
