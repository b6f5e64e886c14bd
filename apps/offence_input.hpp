#pragma once
// The offences a command reads: --offences and its field, filter, period and CRS options, read
// into a table; what the offences weigh (harm), and the credits a map of them owes.

#include "hotspot/engine/density/kde.hpp"
#include "hotspot/io/harm.hpp"
#include "hotspot/io/offences.hpp"
#include "reporter.hpp"
#include "run_options.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hotspot::app
{

/// Options of every command that reads offences: `--offences FILE` and its field, filter and CRS
/// options.
struct OffenceInput
{
    io::OffenceSource source;
    std::string from;
    std::string to;
    std::vector<std::string> crime_types;
    std::string target_crs;
    std::string rejects_path;
    std::string harm;   ///< a harm table: ons-css, ons-css-codes or a CSV file
    std::string covers; ///< "FROM..TO": the months the source covers, where the analyst knows
    std::vector<std::string> attribution; ///< credits for sources the tool cannot name itself
    /// How the period was asked for, for messages, when not as --from/--to ("--at 2017-03-01
    /// --horizon 1M").
    std::string period_said;
    std::string days;  ///< --days: "fri,sat"
    std::string hours; ///< --hours: "20-04"
};

void add_offence_options(CLI::App& command, OffenceInput& input);

/// The filter the options describe. Throws Error(Usage) on a malformed month.
io::OffenceFilter make_filter(const OffenceInput& input);

/// "Fri, Sat 20:00-04:00" for --days/--hours, "" without them: for titles and tags.
std::string hours_label(const OffenceInput& input);

/// Reads the offences, tells the analyst what was used and rejected, and writes the rejects file.
/// `read` sets how (keep unlocated records, keep their text...); its CRS and progress are filled
/// here.
io::OffenceTable load_offences(const OffenceInput& input, const RunOptions& run, Reporter& reporter,
                               io::ReadOptions read = {});

/// load_offences for the commands that count by date (trends, predict): a source without a date
/// field is refused (Error(BadData)), saying `why` the command needs one.
io::OffenceTable load_dated_offences(const OffenceInput& input, const RunOptions& run,
                                     Reporter& reporter, const std::string& why,
                                     io::ReadOptions read = {});

/// io::top_streets, saying so when the files' fields differ and no street can be given.
std::vector<std::string> top_streets(const io::OffenceTable& table, const std::string& field,
                                     std::size_t groups,
                                     const std::function<std::int32_t(std::size_t)>& group_of,
                                     Reporter& reporter);

/// The file names of the inputs, for metadata: "2019-09-kent-street.csv; 2019-10-kent-street.csv".
std::string source_names(const std::vector<std::string>& paths);

/// The credit line of a map: the sources this run used, and no others. police.uk's Open
/// Government Licence line for police.uk files; Ordnance Survey's and ONS's for boundary layers of
/// ONS geographies and for the ONS Crime Severity Score; --attribution for the rest (without it,
/// the offence files are named as the source).
std::string map_attribution(const io::OffenceTable& table, const OffenceInput& input,
                            const std::vector<std::string>& boundaries,
                            const std::string& boundaries_layer);

/// What a surface of these offences sums: "offences", or the harm table's measure, or the weight
/// field's values ("'score' (weight field)").
std::string weighed_measure(const OffenceInput& input);
/// A density unit that says what was counted: "offences per km²", "ONS Crime Severity Score
/// (sentence days) per km²", "expected 'score' (weight field) per cell".
std::string density_unit(const OffenceInput& input, engine::DensityUnits units);

/// Gives every offence the weight of its crime type in `harm`; types it lacks weigh 0, with a
/// warning that counts them.
void weigh_by_harm(const io::HarmTable& harm, engine::Incidents& incidents, Reporter& reporter);

/// An inclusive range of months.
struct Period
{
    engine::MonthIndex from;
    engine::MonthIndex to;
    bool contains(engine::MonthIndex m) const { return m >= from && m <= to; }
    std::string label() const;
};
/// "YYYY-MM..YYYY-MM" (or one month). Throws Error(Usage) naming `option`.
Period parse_period(const std::string& text, const std::string& option);

/// The offence input restricted to a period (its --from/--to replaced).
OffenceInput restricted_to(const OffenceInput& input, const Period& period);

/// Refuses (Error(BadData)) to count months first..last when the source does not cover them all:
/// a missing month is not a month without crime. The message names the months missing, the
/// months covered and how they were found. `what` says what needed them ("tables 2019-04..08").
/// Nothing is checked where no month is known (a source without dates).
void require_covered(const io::OffenceTable& table, engine::MonthIndex first,
                     engine::MonthIndex last, const std::string& what);

} // namespace hotspot::app
