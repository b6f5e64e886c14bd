#include "cli.hpp"
#include "option_kinds.hpp"

#include "hotspot/distributed/offence_reading.hpp"
#include "hotspot/distributed/serve.hpp"

#include "batch_command.hpp"
#include "commands.hpp"
#include "data_cache.hpp"
#include "density.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/hotspots/forecast_entry.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/postgis.hpp"
#include "hotspot/io/streets.hpp"

#include <tbb/info.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <span>
#include <sstream>

namespace hotspot::app
{

namespace
{
const char* const conventions_text = R"(Conventions
  Coordinates   Offences and boundaries are reprojected to one projected CRS in metres before
                anything is computed: --target-crs, by default EPSG:27700 (British National Grid)
                when the data lie in Great Britain, else the WGS 84 UTM zone of the data.
                police.uk CSV is WGS 84 longitude/latitude (EPSG:4326).
  Bandwidth     --bandwidth is the kernel's search radius in metres: no offence further away
                than this contributes to a cell (as ArcGIS Kernel Density and the QGIS Heatmap
                use it). For --kernel gaussian it is the standard deviation instead. Left out,
                it follows the ArcGIS rule 0.9 min(SD, sqrt(1/ln 2) Dm) n^-0.2 on the offences
                (those in --area, when given) and is printed. A selector chooses it from the
                data as spatstat does: scott, ppl (likelihood cross-validation; a good first
                choice), diggle, cvl. Selectors choose the Gaussian sigma; compact kernels get
                the radius of the same standard deviation (quartic: 2.83 sigma).
  Edges         --edge-correction uniform or diggle (with --area or --extent) makes up for the
                kernel mass beyond the study area's edge, counting the offences inside it only.
                Default none, as ArcGIS and QGIS. --adaptive narrows the kernel where offences
                are dense (Abramson). --harm ons-css weighs offences by the ONS Crime Severity
                Score of their type.
  Units         per-km2 (default): offences per square kilometre. per-m2: per square metre,
                the value ArcGIS and the QGIS Heatmap ("Scaled") give. count: expected offences
                in each cell. Each kernel integrates to 1, so a surface sums to the number of
                offences used (or their total weight).
  Grid          --cell in metres (default: the shorter side of the extent / 250, rounded to 1,
                2, 2.5 or 5 times a power of ten: 122 m becomes 100 m). The extent is
                --extent, or the --area polygon's box, or the offences' box grown by the search
                radius, snapped outwards to whole cells so that grids of different runs align.
                Offences outside the extent still count in the cells they reach.
  Inputs        --offences is repeatable: files, folders, patterns ('data/2019-*/*.csv') and
                police.uk downloads (.zip). Folders and downloads give their YYYY-MM-<force>-
                street.csv files; --force picks forces and --from/--to skip monthly files by name.
  Time          trends, near-repeat and predict read the date field: police.uk gives the
                month (2019-09); force extracts dated to the day (2019-09-14, 14/09/2019 or
                09/14/2019 as the file's values show, ISO date-times) also allow weekly and
                daily steps and the Knox test. A month the data do not cover is missing, not
                a month without crime: runs over one are refused (see --covers).
  Memory        A run estimated to need more than --memory-limit (default 80% of memory) is
                refused before computing, except kde, which then writes its grid in strips.
  Nothing lost  Every record is used or rejected with a reason; --rejects FILE.csv lists them.
  Outputs       Written as .<name>.hotspot-partial-<pid> beside the output and renamed into place
                when complete: a killed run leaves the previous output or the new one whole,
                and the next run removes what it left. --publish public|partners applies the
                disclosure rules for outputs that leave the force (see help kde).

Exit codes
  0 success   2 usage error (bad option, unknown field or area)   3 bad input data
  4 file could not be read or written   5 some queries of a batch failed   1 internal error

Example
  hotspot kde --offences data/police_uk/2019-09-kent-street.csv \
      --boundaries data/boundaries/kent_districts_2013.geojson --area Maidstone \
      --crime-type "Violence and sexual offences" --bandwidth 300 --cell 25 --out violence.tif
)";

int exit_code(Errc code)
{
    return static_cast<int>(code);
}

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
        ->check(choice({"day", "drop"}))
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

const std::vector<PublishPreset>& publish_presets()
{
    // Counts under 10 are withheld in what the public sees, under 5 in what partners see, as UK
    // police and ONS small-number rules commonly do. Bandwidths of 400 m and 200 m span several
    // hundred and about a hundred addresses in a town: no kernel narrow enough to point at a house.
    static const std::vector<PublishPreset> presets{
        {"public", 10, 400, "a public website, a press release or an FOI answer"},
        {"partners", 5, 200, "partner agencies under an information-sharing agreement"}};
    return presets;
}

const PublishPreset* find_publish_preset(const std::string& name)
{
    if (name.empty())
        return nullptr;
    for (const auto& preset : publish_presets())
        if (preset.name == name)
            return &preset;
    throw Error(Errc::Usage, "--publish '" + name + "' is not a preset: use public or partners");
}

int publish_min_count(const std::string& publish, int min_count)
{
    if (min_count < 0)
        throw Error(Errc::Usage, "--min-count must be 0 (none) or more offences");
    const PublishPreset* preset = find_publish_preset(publish);
    if (!preset)
        return min_count;
    if (min_count > 0 && min_count < preset->min_count)
        throw Error(Errc::Usage, "--publish " + preset->name + " withholds counts under " +
                                     std::to_string(preset->min_count) + "; --min-count " +
                                     std::to_string(min_count) +
                                     " would publish less safely: leave it out or raise it");
    return std::max(min_count, preset->min_count);
}

std::string publish_help(bool surfaces)
{
    std::string text = "Disclosure control in one word, for outputs that leave the force: ";
    for (const auto& p : publish_presets())
        text += p.name + " (" + p.audience + ": --min-count " + std::to_string(p.min_count) +
                (surfaces ? ", a bandwidth of at least " +
                                std::to_string(static_cast<int>(p.min_bandwidth_m)) + " m"
                          : "") +
                "); ";
    if (surfaces)
        text += "a published surface carries no kernel or bandwidth in its tags or map caption, "
                "since with them it can be deconvolved back towards the points (Wang et al. "
                "2019); --summary-json keeps them for the analyst. --adaptive is refused: its "
                "bandwidths shrink where offences are densest";
    else
        text.resize(text.size() - 2);
    return text;
}

void add_run_options(CLI::App& command, RunOptions& run)
{
    command
        .add_option("--threads", run.threads,
                    "Worker threads (0 = all cores, the default). Results do not depend on it")
        ->check(CLI::Range(0, 4096).description(""))
        ->type_name("N")
        ->group("Run");
    command.add_flag("--quiet,-q", run.quiet, "Print nothing but errors")->group("Run");
    command
        .add_option("--memory-limit", run.memory_limit,
                    "The memory a run may plan to use (e.g. 8G, 500M; default: 80% of this "
                    "machine's memory). Over it, kde (and every --tiles-dir run) computes and "
                    "writes its grid 512 rows at a time; the other commands refuse before "
                    "computing, with the figures")
        ->group("Run");
    command.add_flag("--overwrite", run.overwrite, "Replace existing output files")
        ->group("Output");
    command
        .add_option("--summary-json", run.summary_json_path,
                    "Write the run summary as JSON for scripts")
        ->check(output_file("json"))
        ->group("Output");
}

std::string human_bytes(double bytes)
{
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 5)
    {
        bytes /= 1024.0;
        ++u;
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f %s", bytes, units[u]);
    return buffer;
}

double memory_limit_bytes(const RunOptions& run)
{
    if (run.memory_limit.empty())
        return 0.8 * static_cast<double>(::sysconf(_SC_PHYS_PAGES)) *
               static_cast<double>(::sysconf(_SC_PAGE_SIZE));
    double value = 0;
    std::size_t used = 0;
    try
    {
        value = std::stod(run.memory_limit, &used);
    }
    catch (const std::exception&)
    {
        used = 0;
    }
    const std::string unit = engine::fold(engine::trim(run.memory_limit.substr(used)));
    double scale = 0;
    for (const auto& [name, factor] : {std::pair<const char*, double>{"", 1.0},
                                       {"b", 1.0},
                                       {"k", 1024.0},
                                       {"kb", 1024.0},
                                       {"m", 1048576.0},
                                       {"mb", 1048576.0},
                                       {"g", 1073741824.0},
                                       {"gb", 1073741824.0},
                                       {"t", 1099511627776.0},
                                       {"tb", 1099511627776.0}})
        if (unit == name)
            scale = factor;
    if (used == 0 || !(value > 0) || !std::isfinite(value) || scale == 0)
        throw Error(Errc::Usage, "--memory-limit '" + run.memory_limit +
                                     "' is not an amount of memory; write e.g. 8G or 500M");
    return value * scale;
}

std::size_t area_name_field(const io::AreaLayer& layer)
{
    for (std::size_t i = 0; i < layer.field_names.size(); ++i)
    {
        const std::string f = engine::fold(layer.field_names[i]);
        if (f.size() >= 2 && f.compare(f.size() - 2, 2, "nm") == 0)
            return i;
    }
    for (std::size_t i = 0; i < layer.field_names.size(); ++i)
        if (engine::fold(layer.field_names[i]).find("name") != std::string::npos)
            return i;
    return 0;
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

nlohmann::json offences_json(const io::OffenceTable& table)
{
    nlohmann::json rejected = nlohmann::json::object();
    for (std::size_t r = 0; r < io::reject_reason_count; ++r)
        if (table.rejected_by_reason[r] > 0)
            rejected[std::string(io::to_string(static_cast<io::RejectReason>(r)))] =
                table.rejected_by_reason[r];
    nlohmann::json out = {{"format", table.format},
                          {"source_crs", table.source_crs.label()},
                          {"fields", table.fields_used},
                          {"records_read", table.records_read},
                          {"used", table.incidents.size()},
                          {"kept_without_location", table.unlocated.size()},
                          {"rejected", table.rejected_count()},
                          {"rejected_by_reason", rejected},
                          {"files", table.files.size()},
                          {"files_skipped", table.files_skipped},
                          {"covers",
                           {{"months", table.coverage.describe()},
                            {"basis", table.coverage.basis},
                            {"last_month_partial", table.coverage.last_month_partial()}}},
                          {"seconds",
                           {{"parse", table.seconds.parse},
                            {"project", table.seconds.project},
                            {"link", table.seconds.link}}}};
    if (!table.hours_label.empty())
        out["hours"] = {{"filter", table.hours_label},
                        {"weight_kept", table.hours_kept},
                        {"meaning", "each offence weighs the share of its time window inside"}};
    return out;
}

void check_outputs(const RunOptions& run, std::initializer_list<const std::string*> paths)
{
    for (const auto* path : paths)
        if (!path->empty())
            io::check_output_path(*path, run.overwrite);
}

void make_output_folder(const std::string& folder)
{
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (!std::filesystem::is_directory(folder))
        throw Error(Errc::Io, folder + ": cannot create the output folder");
}

namespace
{
nlohmann::json distribution_json(const distributed::DistributionReport& report)
{
    nlohmann::json ranks = nlohmann::json::array();
    for (const auto& share : report.shares)
        ranks.push_back({{"rank", share.rank},
                         {"records", share.offences},
                         {"parts", share.tiles},
                         {"cells", share.cells},
                         {"bytes_read", share.bytes_read},
                         {"compute_seconds", share.compute_seconds},
                         {"finish_seconds", share.finish_seconds},
                         {"bytes_sent", share.traffic.bytes_sent},
                         {"bytes_received", share.traffic.bytes_received},
                         {"communication_seconds", share.traffic.seconds}});
    return {{"work", report.work},
            {"parts", report.tiles},
            {"tile_rows", report.tile_rows},
            {"seconds", report.seconds},
            {"distribute_seconds", report.distribute_seconds},
            {"bytes_exchanged", report.bytes_exchanged()},
            {"per_rank", ranks}};
}
} // namespace

nlohmann::json summary_json(std::string_view command, nlohmann::json fields)
{
    fields["command"] = command;
    fields["version"] = HOTSPOT_VERSION_STRING;
    return fields;
}

void write_summary(const RunOptions& run, const nlohmann::json& summary)
{
    if (run.summary_json_path.empty())
        return;
    nlohmann::json out = summary;
    // Under mpirun: how each job was shared out over the ranks.
    if (const auto& reports = run.executor.reports(); !reports.empty())
    {
        nlohmann::json jobs = nlohmann::json::array();
        for (const auto& report : reports)
            jobs.push_back(distribution_json(report));
        out["distributed"] = {{"ranks", reports.front().ranks}, {"jobs", jobs}};
    }
    io::write_text_file(run.summary_json_path, io::without_passwords(out.dump(2)) + "\n",
                        run.overwrite);
}

std::shared_ptr<const io::AreaLayer> load_areas(const RunOptions& run, const std::string& path,
                                                const std::string& layer, const io::Crs& crs)
{
    return run.cache ? run.cache->areas(path, layer, crs)
                     : std::make_shared<const io::AreaLayer>(io::read_areas(path, layer, crs));
}

std::shared_ptr<const engine::AreaIndex> load_area_index(const RunOptions& run,
                                                         const std::string& path,
                                                         const std::string& layer,
                                                         const io::Crs& crs)
{
    return run.cache ? run.cache->area_index(path, layer, crs)
                     : std::make_shared<const engine::AreaIndex>(
                           io::shapes(*load_areas(run, path, layer, crs)));
}

std::shared_ptr<const std::vector<io::Place>>
load_places(const RunOptions& run, const std::string& path, const io::Crs& crs)
{
    return run.cache ? run.cache->places(path, crs)
                     : std::make_shared<const std::vector<io::Place>>(io::read_places(path, crs));
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

engine::Box2 parse_extent(const std::string& text)
{
    std::vector<double> v;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ','))
    {
        double value = 0;
        if (!io::parse_number(item, value))
        {
            v.clear();
            break;
        }
        v.push_back(value);
    }
    if (v.size() != 4)
        throw Error(Errc::Usage,
                    "--extent takes four numbers xmin,ymin,xmax,ymax in metres (got '" + text +
                        "')");
    if (!(v[0] < v[2] && v[1] < v[3]))
        throw Error(Errc::Usage, "--extent needs xmin < xmax and ymin < ymax (got '" + text + "')");
    return {v[0], v[1], v[2], v[3]};
}

namespace
{
using Units = std::span<const std::pair<std::string_view, double>>;

// A number with an optional unit from `units` (the longest that fits is listed first), in the
// first unit's base.
std::optional<double> parse_measure(std::string_view text, Units units)
{
    text = engine::trim(text);
    double scale = 1.0;
    for (const auto& [unit, base] : units)
        if (text.size() > unit.size() &&
            engine::same_text(text.substr(text.size() - unit.size()), unit))
        {
            const std::string_view number = engine::trim(text.substr(0, text.size() - unit.size()));
            // "5km" is kilometres, not "5k" metres: the number must end in a digit or a point.
            if (!number.empty() &&
                (std::isdigit(static_cast<unsigned char>(number.back())) || number.back() == '.'))
            {
                text = number;
                scale = base;
                break;
            }
        }
    double value = 0;
    if (!io::parse_number(text, value))
        return std::nullopt;
    return value * scale;
}

constexpr std::pair<std::string_view, double> length_units[] = {
    {"km", 1000.0}, {"m", 1.0}, {"ft", 0.3048}, {"mi", 1609.344}, {"yd", 0.9144}};
constexpr std::pair<std::string_view, double> area_units[] = {{"km2", 1e6},
                                                              {"sqkm", 1e6},
                                                              {"m2", 1.0},
                                                              {"sqm", 1.0},
                                                              {"ha", 1e4},
                                                              {"sqft", engine::m2_per_sq_ft},
                                                              {"sqmi", engine::m2_per_sq_mile}};

// Rewrites a value with a unit (or a list of them: "0,100,200m") as the bare number in the base
// unit, so that options read plain numbers.
CLI::Validator unit_validator(Units units, std::string name)
{
    return CLI::Validator(
        [units](std::string& value)
        {
            std::string out;
            std::size_t start = 0;
            bool changed = false;
            while (start <= value.size())
            {
                std::size_t end = value.find(',', start);
                if (end == std::string::npos)
                    end = value.size();
                const std::string item = value.substr(start, end - start);
                std::string converted = item;
                double bare = 0;
                if (const auto m = parse_measure(item, units); m && !io::parse_number(item, bare))
                {
                    char buffer[64];
                    std::snprintf(buffer, sizeof buffer, "%.17g", *m);
                    converted = buffer;
                    changed = true;
                }
                out += (start == 0 ? "" : ",") + converted;
                start = end + 1;
            }
            if (changed)
                value = out;
            return std::string();
        },
        "", std::move(name));
}
} // namespace

std::optional<double> parse_length_m(std::string_view text)
{
    return parse_measure(text, length_units);
}

CLI::Validator length_unit()
{
    return unit_validator(length_units, "length unit");
}

CLI::Validator area_unit()
{
    return unit_validator(area_units, "area unit");
}

void require_positive(double value, const std::string& option)
{
    if (!(value > 0) || !std::isfinite(value))
        throw Error(Errc::Usage, option + " must be a positive number of metres (got " +
                                     std::to_string(value) + ")");
}

std::unique_ptr<tbb::global_control> limit_threads(const RunOptions& run)
{
    if (run.threads <= 0)
        return nullptr;
    return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                 static_cast<std::size_t>(run.threads));
}

namespace
{
// Runs a parsed command and turns what it throws into a message and an exit code.
int run_command(const Command& c)
{
    const distributed::World& world = distributed::World::current();
    try
    {
        const auto threads = limit_threads(*c.run);
        Reporter reporter(c.run->quiet || !world.root());
        const nlohmann::json summary = c.execute(reporter);
        for (const auto& report : c.run->executor.reports())
        {
            const std::string records = std::to_string(report.records_held());
            reporter.info(
                "ranks      " + std::to_string(report.ranks) + ": " +
                (report.tile_rows > 0 ? std::to_string(report.tiles) + " tiles of " +
                                            std::to_string(report.tile_rows) + " rows, " + records +
                                            " offences held in all"
                 : report.work == "reading"
                     ? records + " records read in " + std::to_string(report.tiles) +
                           " pieces of the input"
                     : records + " records in " + std::to_string(report.tiles) + " slices") +
                ", " + human_bytes(static_cast<double>(report.bytes_exchanged())) + " exchanged, " +
                fixed(report.seconds, 2) + " s");
        }
        // A batch says in its summary whether every query succeeded.
        if (summary.contains("failed") && summary["failed"].get<int>() > 0)
            return exit_code_some_queries_failed;
        return 0;
    }
    catch (const Error& e)
    {
        // A batch's ranks fail together; rank 0 says why.
        if (world.root())
            std::fprintf(stderr, "hotspot: %s\n", io::without_passwords(e.what()).c_str());
        return exit_code(e.code());
    }
    catch (const std::bad_alloc&)
    {
        std::fprintf(stderr, "hotspot: out of memory\n");
        return exit_code(Errc::Internal);
    }
    catch (const std::exception& e)
    {
        std::fprintf(stderr, "hotspot: internal error: %s\n",
                     io::without_passwords(e.what()).c_str());
        return exit_code(Errc::Internal);
    }
}
} // namespace

namespace
{
// "--bandwith" -> " Did you mean --bandwidth?" among `command`'s options ("" when none is near).
std::string did_you_mean(const std::string& wanted, const std::vector<std::string>& candidates)
{
    std::string best;
    std::size_t best_distance = 3; // two edits at most: a slip, not another word
    for (const auto& c : candidates)
        if (const std::size_t d = engine::edit_distance(wanted, c); d < best_distance)
        {
            best_distance = d;
            best = c;
        }
    return best.empty() ? std::string() : " Did you mean " + best + "?";
}

// CLI11's messages in the analyst's words: an unknown option or command with the nearest one,
// an option given twice, a value that is not a number.
std::string usage_message(const CLI::ParseError& e, CLI::App& app,
                          const std::vector<std::string>& command_names, int argc, char** argv)
{
    const std::string what = e.what();
    CLI::App* command = nullptr;
    for (CLI::App* sub : app.get_subcommands({}))
        if (sub->parsed())
            command = sub;
    if (!command)
    {
        // No command was recognised: the first word is a misspelt one.
        for (int i = 1; i < argc; ++i)
            if (argv[i][0] != '-')
                return "unknown command '" + std::string(argv[i]) + "'." +
                       did_you_mean(argv[i], command_names) +
                       " Commands: " + engine::join(command_names);
        return what;
    }
    const std::string name = command->get_name();
    std::vector<std::string> options;
    for (const CLI::Option* o : command->get_options())
        for (const auto& long_name : o->get_lnames())
            options.push_back("--" + long_name);
    // A mistyped option is the more useful thing to report than the required ones it hid.
    std::vector<std::string> unknown;
    for (const auto& token : command->remaining())
        if (token.rfind("--", 0) == 0)
        {
            const std::string option = token.substr(0, token.find('='));
            unknown.push_back("unknown option " + option + " for " + name + "." +
                              did_you_mean(option, options));
        }
    if (!unknown.empty())
        return engine::join(unknown, "\n");
    if (const auto remaining = command->remaining(); !remaining.empty())
        return name + " takes no value '" + remaining.front() +
               "' here: is an option's name missing before it?";
    // "--cell: At Most 1 required but received 2"
    if (const auto at = what.find(": At Most 1 required but received"); at != std::string::npos)
    {
        const std::string option = what.substr(0, at);
        int times = 0;
        for (int i = 1; i < argc; ++i)
            times +=
                std::string(argv[i]) == option || std::string(argv[i]).rfind(option + "=", 0) == 0;
        return times > 1
                   ? option + " given " +
                         (times == 2 ? std::string("twice") : std::to_string(times) + " times") +
                         ": give it once"
                   : option + " takes one value: " + what.substr(what.find("received"));
    }
    // "Could not convert: --cell = 25x"
    if (const auto at = what.find("Could not convert: "); at != std::string::npos)
    {
        const std::string rest = what.substr(at + 19);
        const auto eq = rest.find(" = ");
        if (eq != std::string::npos)
            return rest.substr(0, eq) + ": '" + rest.substr(eq + 3) + "' is not a number";
    }
    return what;
}
} // namespace

int run_cli(int argc, char** argv)
{
    CLI::App app{"hotspot: crime hotspot analysis for police analysts and patrol planners.\n"
                 "Reads geocoded offences, computes kernel-density surfaces as GeoTIFFs that open "
                 "in QGIS and ArcGIS.",
                 "hotspot"};
    distributed::World& world = distributed::World::current();
    // Rank 0 speaks for the job: help, versions and results are printed once.
    if (!world.root() && !std::freopen("/dev/null", "w", stdout))
        return exit_code(Errc::Io);
    app.set_version_flag("--version",
                         std::string("hotspot ") + HOTSPOT_VERSION_STRING +
                             (distributed::built_with_mpi()
                                  ? ", with MPI (" + distributed::mpi_library_version() +
                                        "): under mpirun, kde, batch, reconcile and tables share "
                                        "their work out over the ranks"
                                  : ", without MPI"));
    app.require_subcommand(0, 1);
    app.footer(conventions_text);
    app.get_formatter()->column_width(34);

    std::string help_topic;
    CLI::App* help =
        app.add_subcommand("help", "Explain the commands, units and bandwidth conventions");
    help->add_option("command", help_topic, "The command to explain");
    bool help_json = false;
    help->add_flag("--json", help_json,
                   "Print the commands and their options (kind, default, choices, help) as JSON, "
                   "for front ends that build their forms from them");

    // Each command: its options, where they land, and how to run it.
    Requests requests;
    std::vector<Command> commands = register_commands(app, requests);
    BatchRequest batch;
    commands.push_back({add_batch_command(app, batch), &batch.run,
                        [&](Reporter& r) { return run_batch(batch, r); }});
    std::vector<std::string> command_names;
    for (const auto& c : commands)
    {
        command_names.push_back(c.app->get_name());
        name_value_types(*c.app);
    }

    try
    {
        app.parse(argc, argv);
    }
    catch (const CLI::CallForHelp& e)
    {
        return app.exit(e);
    }
    catch (const CLI::CallForAllHelp& e)
    {
        return app.exit(e);
    }
    catch (const CLI::CallForVersion& e)
    {
        return app.exit(e);
    }
    catch (const CLI::ParseError& e)
    {
        const std::string message = usage_message(e, app, command_names, argc, argv);
        if (world.root())
            std::fprintf(stderr,
                         "hotspot: %s\nRun 'hotspot help' for the commands and their options.\n",
                         io::without_passwords(message).c_str());
        return exit_code(Errc::Usage);
    }

    if (help->parsed() || app.get_subcommands().empty())
    {
        if (help_json)
        {
            std::vector<Command> described;
            std::copy_if(commands.begin(), commands.end(), std::back_inserter(described),
                         [&](const Command& c)
                         { return help_topic.empty() || c.app->get_name() == help_topic; });
            if (described.empty())
            {
                std::fprintf(stderr, "hotspot: no command '%s'; commands are: %s\n",
                             help_topic.c_str(), engine::join(command_names).c_str());
                return exit_code(Errc::Usage);
            }
            std::printf("%s\n", describe_commands(described).dump(2).c_str());
            return 0;
        }
        if (help_topic.empty())
            std::printf("%s", app.get_formatter()
                                  ->make_help(&app, "hotspot", CLI::AppFormatMode::Normal)
                                  .c_str());
        else
        {
            const auto it =
                std::find_if(commands.begin(), commands.end(),
                             [&](const Command& c) { return c.app->get_name() == help_topic; });
            if (it == commands.end())
            {
                std::fprintf(stderr, "hotspot: no command '%s'; commands are: %s\n",
                             help_topic.c_str(), engine::join(command_names).c_str());
                return exit_code(Errc::Usage);
            }
            std::printf("%s", it->app->help("hotspot").c_str());
        }
        return app.get_subcommands().empty() && argc > 1 ? exit_code(Errc::Usage) : 0;
    }

    const auto parsed = std::find_if(commands.begin(), commands.end(),
                                     [](const Command& c) { return c.app->parsed(); });
    // Under mpirun a batch shares its queries out itself; any other command runs on rank 0, and
    // the other ranks compute the tiles of its density surfaces until it is done.
    if (world.distributed() && parsed != commands.end() && parsed->app != commands.back().app)
    {
        distributed::set_strip_finisher(finish_tile_strip);
        if (!world.root())
        {
            const auto threads = limit_threads(*parsed->run);
            return distributed::serve(world);
        }
        parsed->run->executor = distributed::Executor(world);
        const int code = run_command(*parsed);
        distributed::stop_serving(world, code);
        return code;
    }
    return parsed == commands.end() ? 0 : run_command(*parsed);
}

} // namespace hotspot::app
