#pragma once
// The table of commands: each registers its options and runs from the request they fill. The
// command line and the batch use the same table, so a batch query is exactly a command's options.

#include "batch_command.hpp"
#include "compare_command.hpp"
#include "evaluate_command.hpp"
#include "hotspots_command.hpp"
#include "kde_command.hpp"
#include "near_repeat_command.hpp"
#include "patrol_plan_command.hpp"
#include "predict_command.hpp"
#include "reconcile_command.hpp"
#include "snap_points_command.hpp"
#include "tables_command.hpp"
#include "trends_command.hpp"
#include "when_command.hpp"

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot::app
{

/// The requests of every analysis command, filled by parsing.
struct Requests
{
    KdeRequest kde;
    ReconcileRequest reconcile;
    TablesRequest tables;
    HotspotsRequest hotspots;
    HotspotsRequest map;
    EvaluateRequest evaluate;
    DisplacementRequest displacement;
    CompareRequest compare;
    SnapPointsRequest snap_points;
    TrendsRequest trends;
    NearRepeatRequest near_repeat;
    PredictRequest predict;
    WhenRequest when;
    PatrolPlanRequest patrol_plan;
    BatchRequest batch;
};

struct Command
{
    CLI::App* app;
    RunOptions* run;
    std::function<nlohmann::json(Reporter&)> execute;
    // What a batch checks against the data before anything runs: the offences read, and the
    // density options where the command computes a surface, unless it is given one in `surface`.
    const OffenceInput* input = nullptr;
    const DensitySpec* density = nullptr;
    const std::string* surface = nullptr;
};

/// A command's place in a batch: the option naming its main output, the file that output is
/// given inside the query's folder (none: the folder itself), and how long the command tends to run
/// (the batch starts the heaviest first).
struct BatchPlace
{
    std::string_view option;
    std::string_view file;
    int weight;
};

/// One analysis command: its name, what registers it, and its place in a batch.
struct CommandEntry
{
    std::string_view name;
    Command (*add)(CLI::App& app, Requests& requests);
    BatchPlace batch;
};

/// The analysis commands, in the order `hotspot --help` lists them: every one runs in a batch.
std::span<const CommandEntry> analysis_commands();

/// The analysis command named `name`, or nullptr.
const CommandEntry* find_analysis_command(std::string_view name);

/// Every command's name, the batch last.
std::vector<std::string> command_names();

/// Registers on `app`, writing into `requests`, the analysis command named `only`, or every
/// analysis command when `only` names none. A run registers only the command it runs: CLI11 checks
/// each new option's names against every option before it, which took a quarter of a sanitized
/// process's start-up when all fifteen commands were registered.
std::vector<Command> register_commands(CLI::App& app, Requests& requests,
                                       std::string_view only = {});

/// As register_commands, the batch included (last when every command is registered): the command
/// line's and the Python module's.
std::vector<Command> register_every_command(CLI::App& app, Requests& requests,
                                            std::string_view only = {});

/// The commands and their options as `hotspot help --json` prints them: for each option its
/// name, the parameter name front ends use (--crime-type: CRIME_TYPE), its kind, default, choices,
/// help and the options it excludes or needs.
nlohmann::json describe_commands(const std::vector<Command>& commands);

} // namespace hotspot::app
