#include "offence_input.hpp"

#include "data_cache.hpp"
#include "density.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/postgis.hpp"
#include "hotspot/io/streets.hpp"
#include "option_kinds.hpp"

namespace hotspot::app
{

namespace
{
std::optional<engine::MonthIndex> month_option(const std::string& text, const char* option)
{
    if (text.empty())
        return std::nullopt;
    const auto month = io::parse_month(text);
    if (!month || text.size() != 7)
        throw Error(Errc::Usage,
                    std::string(option) + " takes a month as YYYY-MM (got '" + text + "')");
    return month;
}

// --from/--to: a month (YYYY-MM) or a day (YYYY-MM-DD); a day sets the month too.
void period_bound(const std::string& text, const char* option,
                  std::optional<engine::MonthIndex>& month, std::optional<engine::DayIndex>& day)
{
    if (text.size() <= 7)
    {
        month = month_option(text, option);
        return;
    }
    const auto date = text.size() == 10 && text[4] == '-' ? io::parse_date(text) : std::nullopt;
    if (!date || date->day == engine::no_day)
        throw Error(Errc::Usage, std::string(option) +
                                     " takes a month (YYYY-MM) or a day (YYYY-MM-DD); got '" +
                                     text + "'");
    month = date->month;
    day = date->day;
}
} // namespace

void add_offence_options(CLI::App& command, OffenceInput& input)
{
    command
        .add_option(
            "--offences", input.source.paths,
            "Offences (repeatable): police.uk street-level CSV, CSV with coordinate columns, any "
            "GDAL vector source (GeoPackage, Shapefile, GeoJSON, FlatGeobuf...), a folder or "
            "police.uk download (.zip) of monthly files, or a pattern such as 'data/2019-*/*.csv'")
        ->check(points_input())
        ->required()
        ->take_all()
        ->group("Input");
    command
        .add_option("--force", input.source.forces,
                    "In folders and downloads of police.uk files, read only this force's files "
                    "(repeatable), by the name in the file: kent, metropolitan, "
                    "avon-and-somerset...")
        ->group("Input");
    command
        .add_option("--layer", input.source.layer,
                    "Layer of a multi-layer source (default: the first), or the table of a "
                    "PostGIS database given as --offences PG:\"dbname=... host=...\"")
        ->group("Input");
    command
        .add_option(
            "--sql", input.source.sql,
            "Read the rows of this query instead of a layer: the database's own SQL for "
            "PostGIS (e.g. \"SELECT * FROM offences WHERE \\\"Month\\\" >= '2019-01'\"), OGR "
            "SQL for files")
        ->group("Input");
    command
        .add_option(
            "--x-field", input.source.x_field,
            "CSV column of eastings or longitudes (detected: x, easting, longitude, lon...)")
        ->check(field_of("--offences"))
        ->group("Input");
    command
        .add_option(
            "--y-field", input.source.y_field,
            "CSV column of northings or latitudes (detected: y, northing, latitude, lat...)")
        ->check(field_of("--offences"))
        ->group("Input");
    command
        .add_option(
            "--crs", input.source.crs,
            "CRS of the input coordinates when the source does not carry one, e.g. EPSG:27700 "
            "(lon/lat columns default to EPSG:4326; police.uk files are always EPSG:4326)")
        ->check(crs_value())
        ->group("Input");
    command
        .add_option("--date-field", input.source.date_field,
                    "Month or date column (detected: Month, date...)")
        ->check(field_of("--offences"))
        ->group("Input");
    command
        .add_option("--time-field", input.source.time_field,
                    "Column of the time of day, where it is not in the date field (detected: time, "
                    "CMPLNT_FR_TM...). 24-hour (21:30, 21:30:15) or 12-hour (9:30 PM) clocks, or "
                    "a fraction of a day (0.5 is noon). Times are taken as recorded, local clock "
                    "time: no time zone is applied")
        ->check(field_of("--offences"))
        ->group("Input");
    command
        .add_option("--end-date-field", input.source.end_date_field,
                    "Column of the date the window an offence happened in ends, for offences "
                    "known only to lie between two times, such as a burglary found on coming "
                    "home (detected: end_date, CMPLNT_TO_DT...)")
        ->check(field_of("--offences"))
        ->group("Input");
    command
        .add_option("--end-time-field", input.source.end_time_field,
                    "Column of the time that window ends (detected: end_time, CMPLNT_TO_TM...). "
                    "An end time without an end date ends on the start's day; an end date "
                    "without a time ends at that day's close. A window that ends before it "
                    "starts is rejected (window_reversed); R's aoristic package would put it at "
                    "its start hour instead")
        ->check(field_of("--offences"))
        ->group("Input");
    command
        .add_option_function<std::string>(
            "--untimed",
            [&input](const std::string& v) { input.source.drop_untimed = v == "drop"; },
            "Records dated to the day without a time of day: 'day' spreads each over the "
            "24 hours of its day (never midnight); 'drop' rejects them (no_time)")
        ->transform(choice({"day", "drop"}))
        ->default_str("day")
        ->group("Input");
    command
        .add_option("--delimiter", input.source.delimiter,
                    "CSV separator: , ; | or tab (default: the one the header line uses)")
        ->group("Input");
    command
        .add_option("--date-format", input.source.date_format,
                    "dd/mm/yyyy or mm/dd/yyyy, for dates written as two numbers and a year; "
                    "excel-1900 or excel-1904 for Excel's serial days. Default: each CSV file's "
                    "form is told from its values (a 13 or more in the first place is a day, in "
                    "the second a month; plain numbers are Excel 1900 days); a file whose dates "
                    "read both ways is refused until you say, and one that mixes forms is "
                    "refused")
        ->group("Input");
    command
        .add_option("--type-field", input.source.type_field,
                    "Crime type column (detected: Crime type, category...)")
        ->check(field_of("--offences"))
        ->group("Input");
    command
        .add_option("--id-field", input.source.id_field,
                    "Record id column used to reject duplicates (detected: Crime ID, id...)")
        ->check(field_of("--offences"))
        ->group("Input");
    command
        .add_option("--weight-field", input.source.weight_field,
                    "Numeric weight of each record, e.g. a harm score (default: 1 each)")
        ->check(field_of("--offences"))
        ->group("Input");
    command
        .add_option("--harm", input.harm,
                    "Weigh each offence by the harm of its crime type or offence code: ons-css "
                    "(ONS Crime Severity Score, police.uk types), ons-css-codes (by Home Office "
                    "code), or a CSV of key,weight with its source and licence in '#' lines "
                    "(e.g. the Cambridge Crime Harm Index, which is not shipped)")
        ->group("Input");
    command
        .add_option("--from", input.from,
                    "First month (YYYY-MM) or day (YYYY-MM-DD) to use, inclusive. With a day, "
                    "records dated to the month only count where the period takes their whole "
                    "month (else rejected as bad_date, saying why)")
        ->check(date_value())
        ->group("Filters");
    command.add_option("--to", input.to, "Last month or day to use, inclusive")
        ->check(date_value())
        ->group("Filters");
    command
        .add_option("--attribution", input.attribution,
                    "Credit for the data on maps (repeatable), for sources hotspot cannot name "
                    "itself. police.uk files and ONS boundaries are credited when used, and "
                    "nothing else is")
        ->group("Input");
    command
        .add_option("--covers", input.covers,
                    "The months the data cover, YYYY-MM..YYYY-MM, where you know better than the "
                    "data can say (default: police.uk files' months, by their names, else the "
                    "months any record is dated in). A month not covered is missing, never "
                    "counted as 0")
        ->group("Filters");
    command
        .add_option("--days", input.days,
                    "Use only offences on these days of the week: fri,sat; mon-fri; weekend; "
                    "weekdays. With --hours, each day's span starts on that day: --days fri,sat "
                    "--hours 20-04 is Friday 20:00 to Saturday 04:00 and Saturday 20:00 to Sunday "
                    "04:00. Each offence weighs the share of its time window inside (a 2-hour "
                    "window half inside counts 0.5); offences wholly outside are rejected "
                    "(outside_hours). Needs dates (and for --hours, times): police.uk's months "
                    "cannot say")
        ->group("Filters");
    command
        .add_option("--hours", input.hours,
                    "Use only offences in these hours of the day, FROM-TO in whole hours, "
                    "half-open (20-04: 20:00 in, 04:00 out; a span past midnight runs into the "
                    "next day); several as 07-09,16-18. Clock times as recorded: daylight-saving "
                    "changes are ignored")
        ->group("Filters");
    command
        .add_option("--crime-type", input.crime_types,
                    "Use only this crime type (repeatable; ignores case), e.g. \"Violence and "
                    "sexual offences\"")
        ->group("Filters");
    command
        .add_option("--target-crs", input.target_crs,
                    "Projected CRS in metres to compute in (default: EPSG:27700 in Great Britain, "
                    "else the UTM zone)")
        ->check(crs_value())
        ->group("Input");
    command
        .add_option("--rejects", input.rejects_path,
                    "Write every rejected record with its line and reason to this CSV")
        ->check(output_file("csv"))
        ->group("Output");
}

std::string hours_label(const OffenceInput& input)
{
    return input.days.empty() && input.hours.empty()
               ? std::string()
               : engine::parse_hour_filter(input.days, input.hours).label;
}

io::OffenceFilter make_filter(const OffenceInput& input)
{
    if (!input.harm.empty() && !input.source.weight_field.empty())
        throw Error(Errc::Usage, "give --weight-field or --harm, not both");
    io::OffenceFilter filter;
    period_bound(input.from, "--from", filter.from, filter.from_day);
    period_bound(input.to, "--to", filter.to, filter.to_day);
    filter.crime_types = input.crime_types;
    if (!input.days.empty() || !input.hours.empty())
        filter.hours = engine::parse_hour_filter(input.days, input.hours);
    return filter;
}

io::OffenceTable load_offences(const OffenceInput& input, const RunOptions& run, Reporter& reporter,
                               io::ReadOptions options)
{
    options.target_crs = input.target_crs;
    options.keep_raw = options.keep_raw || !input.rejects_path.empty();
    options.list_rejected = !input.rejects_path.empty(); // counts suffice otherwise
    const io::OffenceFilter filter = make_filter(input);
    io::OffenceTable table;
    if (run.cache)
        table =
            io::derive_table(*run.cache->offences(input.source, input.target_crs), filter, options);
    else
    {
        options.progress = reporter.progress("reading");
        // Under mpirun every rank reads a share of the files.
        table = run.executor.read_offences(input.source, filter, options);
        reporter.done();
    }

    reporter.info("offences   " + input.source.label() + " (" + table.format + ", " +
                  table.source_crs.label() + ")");
    if (table.files.size() > 1 || table.files_skipped > 0)
        reporter.info("  files    " + std::to_string(table.files.size()) + " read" +
                      (table.files_skipped > 0 ? ", " + std::to_string(table.files_skipped) +
                                                     " monthly files outside --from/--to skipped"
                                               : std::string()));
    if (!input.covers.empty())
    {
        const Period p = parse_period(input.covers, "--covers");
        table.coverage.months.clear();
        for (auto m = p.from; m <= p.to; ++m)
            table.coverage.months.push_back(m);
        table.coverage.basis = "as --covers says";
        table.coverage.notes.clear();
    }
    // A period the data do not wholly cover would count its missing months as months without
    // crime (evaluate's --train/--test, displacement's --before/--after, kde's --from/--to).
    if ((filter.from || filter.to) && table.coverage.known())
        require_covered(
            table, filter.from.value_or(table.coverage.months.front()),
            filter.to.value_or(table.coverage.months.back()),
            !input.period_said.empty()
                ? input.period_said
                : "--from " + (input.from.empty() ? std::string("(the first month)") : input.from) +
                      " --to " + (input.to.empty() ? std::string("(the last month)") : input.to));
    reporter.info("  fields   " + table.fields_used);
    if (table.coverage.known())
        reporter.info("  covers   " + table.coverage.describe() + " (" + table.coverage.basis +
                      ")");
    for (const auto& note : table.coverage.notes)
        reporter.warn("a month of some inputs only is not covered: " + note);
    if (table.coverage.last_month_partial())
        reporter.warn("the last month, " +
                      engine::format_month_label(table.coverage.months.back()) +
                      ", may be covered only in part: its latest record is dated " +
                      engine::format_day(table.coverage.last_day));
    reporter.info("  read     " + std::to_string(table.records_read));
    reporter.info("  used     " + std::to_string(table.incidents.size()));
    if (!table.unlocated.empty())
        reporter.info("  kept without a usable location " + std::to_string(table.unlocated.size()));
    if (!table.hours_label.empty())
        reporter.info("  in hours " + table.hours_label + ": weight " + fixed(table.hours_kept, 1) +
                      " of " + std::to_string(table.incidents.size()) +
                      " offences (each weighs its share of its time window inside)");
    reporter.info("  rejected " + std::to_string(table.rejected_count()));
    for (std::size_t r = 0; r < io::reject_reason_count; ++r)
        if (table.rejected_by_reason[r] > 0)
        {
            char line[96];
            std::snprintf(line, sizeof line, "    %-20s %lld",
                          std::string(io::to_string(static_cast<io::RejectReason>(r))).c_str(),
                          static_cast<long long>(table.rejected_by_reason[r]));
            reporter.info(line);
        }
    reporter.info("crs        " + table.target_crs.label() +
                  (table.target_crs_reason.empty()
                       ? ""
                       : " (chosen because " + table.target_crs_reason + ")"));
    for (const auto& w : table.warnings)
        reporter.warn(w);
    if (!input.rejects_path.empty())
    {
        io::write_text_file(input.rejects_path, io::rejects_csv(table), run.overwrite);
        reporter.info("rejects    " + input.rejects_path);
    }
    if (!input.harm.empty())
        weigh_by_harm(io::load_harm_table(input.harm), table.incidents, reporter);
    return table;
}

void require_covered(const io::OffenceTable& table, engine::MonthIndex first,
                     engine::MonthIndex last, const std::string& what)
{
    const engine::Coverage& c = table.coverage;
    if (!c.known() || first == engine::no_month || last == engine::no_month)
        return;
    const auto missing = c.missing(first, last);
    if (missing.empty())
        return;
    const bool none = missing.size() == static_cast<std::size_t>(last - first + 1);
    throw Error(Errc::BadData,
                what + ": " +
                    (none ? "none of these months is covered"
                          : engine::describe_months(missing) +
                                (missing.size() > 1 ? " are" : " is") + " not covered") +
                    " by " + table.source_path +
                    (table.files.size() > 1 ? ", which cover " : ", which covers ") + c.describe() +
                    " (" + c.basis + "); a month missing from the data is not a month " +
                    "without crime. Give the missing months' files, a period within those " +
                    "covered, or --covers where you know better");
}

io::OffenceTable load_dated_offences(const OffenceInput& input, const RunOptions& run,
                                     Reporter& reporter, const std::string& why,
                                     io::ReadOptions read)
{
    io::OffenceTable table = load_offences(input, run, reporter, std::move(read));
    if (!table.has_dates)
        throw Error(Errc::BadData,
                    table.source_path + ": no date field; name it with --date-field (" + why + ")");
    return table;
}

std::vector<std::string> top_streets(const io::OffenceTable& table, const std::string& name,
                                     std::size_t groups,
                                     const std::function<std::int32_t(std::size_t)>& group_of,
                                     Reporter& reporter)
{
    if (table.mixed_fields && groups > 0 && io::street_field(table, name) >= 0)
        reporter.warn("streets: the files have different fields; none are given");
    return io::top_streets(table, name, groups, group_of);
}

std::string source_names(const std::vector<std::string>& paths)
{
    std::vector<std::string> names;
    for (const auto& p : paths)
        names.push_back(io::source_label(p));
    return engine::join(names, "; ");
}

std::string map_attribution(const io::OffenceTable& table, const OffenceInput& input,
                            const std::vector<std::string>& boundaries,
                            const std::string& boundaries_layer)
{
    std::vector<std::string> credits;
    const bool police_uk = table.format.find("police.uk") != std::string::npos;
    if (police_uk)
        credits.push_back("Contains public sector information licensed under the Open "
                          "Government Licence v3.0 (police.uk).");
    bool ons = io::is_shipped_harm_table(input.harm);
    for (const auto& path : boundaries)
        ons = ons || io::is_ons_geography(io::layer_field_names(path, boundaries_layer));
    if (ons)
        credits.push_back("Contains Ordnance Survey and ONS data (c) Crown copyright and database "
                          "right.");
    for (const auto& text : input.attribution)
        credits.push_back(text);
    if (!police_uk && input.attribution.empty())
        credits.push_back("Offences: " + source_names(input.source.paths) + ".");
    credits.push_back("Made with hotspot " HOTSPOT_VERSION_STRING ".");
    return engine::join(credits, " ");
}

std::string weighed_measure(const OffenceInput& input)
{
    if (!input.harm.empty())
        return io::harm_measure(input.harm);
    if (!input.source.weight_field.empty())
        return "'" + input.source.weight_field + "' (weight field)";
    return "offences";
}

std::string density_unit(const OffenceInput& input, engine::DensityUnits units)
{
    std::string label(engine::unit_label(units));
    if (const auto at = label.find("offences"); at != std::string::npos)
        label.replace(at, std::string_view("offences").size(), weighed_measure(input));
    return label;
}

void weigh_by_harm(const io::HarmTable& harm, engine::Incidents& incidents, Reporter& reporter)
{
    const io::HarmWeighing w = io::weigh_by_harm(harm, incidents);
    reporter.info("harm       " + harm.name + ": total " + fixed(w.total, 1) + " over " +
                  std::to_string(incidents.size()) + " offences");
    std::vector<std::string> missing;
    std::size_t missing_total = 0;
    for (const auto& [type, count] : w.unweighted)
    {
        missing.push_back(type + " (" + std::to_string(count) + ")");
        missing_total += count;
    }
    if (!missing.empty())
        reporter.warn("harm: " + std::to_string(missing_total) + " offences weigh 0, their type " +
                      "having no weight in " + harm.name + ": " + engine::join(missing, ", "));
}

std::string Period::label() const
{
    return io::format_month(from) + ".." + io::format_month(to);
}

Period parse_period(const std::string& text, const std::string& option)
{
    const auto dots = text.find("..");
    const auto from = io::parse_month(text.substr(0, dots));
    const auto to = dots == std::string::npos ? from : io::parse_month(text.substr(dots + 2));
    if (!from || !to || *from > *to)
        throw Error(Errc::Usage, option + " takes a period YYYY-MM..YYYY-MM (got '" + text + "')");
    return {*from, *to};
}

OffenceInput restricted_to(const OffenceInput& input, const Period& period)
{
    OffenceInput out = input;
    out.from = io::format_month(period.from);
    out.to = io::format_month(period.to);
    return out;
}

} // namespace hotspot::app
