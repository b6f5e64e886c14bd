#pragma once
// Pieces every hotspot command shares: the offence input options, run options, and exit codes.

#include "hotspot/distributed/executor.hpp"
#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/engine/density/kde.hpp"
#include "hotspot/io/areas.hpp"
#include "hotspot/io/harm.hpp"
#include "hotspot/io/offences.hpp"
#include "hotspot/io/places.hpp"
#include "reporter.hpp"

#include <tbb/global_control.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

class DataCache;

/// Options about the run rather than the analysis.
struct RunOptions
{
    int threads = 0; ///< 0: all cores
    bool quiet = false;
    bool overwrite = false;
    std::string summary_json_path;
    std::string memory_limit;         ///< "12G", "800M", bytes; empty: 80% of physical memory
    std::shared_ptr<DataCache> cache; ///< set by a batch: sources shared by its queries
    /// Where the heavy stages run: this process, or under mpirun (on rank 0) every rank, which
    /// keeps how each stage was shared out for the summary.
    distributed::Executor executor;
};

/// Refuses, before any work, each given output path that cannot be written (empty ones are not
/// asked for).
void check_outputs(const RunOptions& run, std::initializer_list<const std::string*> paths);

/// Creates an output folder (and its parents); throws Error(Io) when it cannot.
void make_output_folder(const std::string& folder);

/// A run summary: the command, hotspot's version, and the command's own `fields`.
nlohmann::json summary_json(std::string_view command, nlohmann::json fields);

/// Writes the run summary to --summary-json, when it was asked for.
void write_summary(const RunOptions& run, const nlohmann::json& summary);

/// A boundary layer, read (or shared from the run's cache) in `crs`.
std::shared_ptr<const io::AreaLayer> load_areas(const RunOptions& run, const std::string& path,
                                                const std::string& layer, const io::Crs& crs);
/// The spatial index of a boundary layer, built (or shared) in `crs`.
std::shared_ptr<const engine::AreaIndex> load_area_index(const RunOptions& run,
                                                         const std::string& path,
                                                         const std::string& layer,
                                                         const io::Crs& crs);
/// A gazetteer, read (or shared) in `crs`.
std::shared_ptr<const std::vector<io::Place>>
load_places(const RunOptions& run, const std::string& path, const io::Crs& crs);

void add_offence_options(CLI::App& command, OffenceInput& input);
void add_run_options(CLI::App& command, RunOptions& run);

/// Holds TBB to --threads while it lives (nothing to hold for 0: all cores).
std::unique_ptr<tbb::global_control> limit_threads(const RunOptions& run);

/// A --publish preset: disclosure control for outputs that leave the force, in one word.
struct PublishPreset
{
    std::string name;
    int min_count = 0;          ///< cells, hotspots and table counts of fewer offences withheld
    double min_bandwidth_m = 0; ///< surfaces: no narrower kernel, and its size left out of the file
    std::string audience;
};

/// The presets, for help texts and messages.
const std::vector<PublishPreset>& publish_presets();
/// The preset called `name`; nullptr for ""; Error(Usage) naming the presets for any other name.
const PublishPreset* find_publish_preset(const std::string& name);
/// The --min-count to apply: the preset's, or the analyst's own where it is higher. A lower one is
/// refused (Error(Usage)): a preset is a floor; so is a negative one.
int publish_min_count(const std::string& publish, int min_count);
/// The --publish option's help.
std::string publish_help(bool surfaces);

/// The field that names a boundary feature: one called like a name (WD13NM, name), else the
/// first.
std::size_t area_name_field(const io::AreaLayer& layer);

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

/// The account of records, for --summary-json.
nlohmann::json offences_json(const io::OffenceTable& table);

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

/// "xmin,ymin,xmax,ymax" in metres. Throws Error(Usage).
engine::Box2 parse_extent(const std::string& text);

/// The memory a run may plan to use, in bytes: --memory-limit, or 80% of physical memory.
/// Throws Error(Usage) for a limit it cannot read.
double memory_limit_bytes(const RunOptions& run);
/// "1.5 GiB".
std::string human_bytes(double bytes);

/// A length with its unit in metres: "300", "300m", "1.5km", "600ft", "0.25mi", "100yd" (feet and
/// miles international). A bare number is metres. nullopt for anything else.
std::optional<double> parse_length_m(std::string_view text);
/// For CLI11: rewrites a length option's value in metres before it is converted ("1.5km" is read
/// as 1500); other values (a selector's name) pass through, as do lists ("100,200m").
CLI::Validator length_unit();
/// Takes an area with its unit (m2, km2, ha, sqft, sqmi; bare numbers are square metres) and
/// gives the option square metres.
CLI::Validator area_unit();

/// Refuses (Error(Usage)) a value that is not a finite number above zero.
void require_positive(double value, const std::string& option);

/// Runs the command line; returns the process exit code. Never throws.
int run_cli(int argc, char** argv);

} // namespace hotspot::app
