#pragma once

#include "cli.hpp"
#include "hotspots_command.hpp"

#include <string>
#include <vector>

namespace hotspot::app
{

/// `hotspot patrol-plan`: who goes where, and when: each shift's visits given to hotspots by the
/// harm expected there in the shift's hours.
struct PatrolPlanRequest
{
    OffenceInput input;
    std::string hotspots;
    HotspotsRequest spots; ///< without --hotspots: how they are computed in the same run
    std::vector<std::string> shifts;
    int visits_per_shift = -1;
    double officer_hours = -1;
    int visit_minutes = 15;
    int travel_minutes = 0;
    std::string strategy = "proportional";
    int visits_per_hotspot = 3;
    int min_visits = 0;
    int max_visits = -1;
    double weeks = 0;
    double shrinkage = 24;
    std::uint64_t seed = 1;
    std::string maps = "png";
    std::string out_dir;
    RunOptions run;
};

CLI::App* add_patrol_plan_command(CLI::App& app, PatrolPlanRequest& request);
nlohmann::json run_patrol_plan(const PatrolPlanRequest& request, Reporter& reporter);

} // namespace hotspot::app
