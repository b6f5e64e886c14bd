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
#include <string>
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
};

/// Registers every analysis command on `app`, writing into `requests`: what a batch query can run.
std::vector<Command> register_commands(CLI::App& app, Requests& requests);

/// Every command, the batch last: the command line's and the Python module's.
std::vector<Command> register_every_command(CLI::App& app, Requests& requests);

/// The commands and their options as `hotspot help --json` prints them: for each option its
/// name, the parameter name front ends use (--crime-type: CRIME_TYPE), its kind, default, choices,
/// help and the options it excludes or needs.
nlohmann::json describe_commands(const std::vector<Command>& commands);

} // namespace hotspot::app
