#pragma once

#include "cli.hpp"

#include <string>

namespace hotspot::app
{

/// `hotspot near-repeat`: the Knox test, as Ratcliffe's Near Repeat Calculator.
struct NearRepeatRequest
{
    OffenceInput input;
    std::string space_bands = "0,100,200,300,400";
    std::string time_bands = "0,7,14,21,28";
    std::string metric = "euclidean";
    int permutations = 999;
    std::uint64_t seed = 1;
    double alpha = 0.05;
    std::string out_path;
    RunOptions run;
};

CLI::App* add_near_repeat_command(CLI::App& app, NearRepeatRequest& request);
nlohmann::json run_near_repeat(const NearRepeatRequest& request, Reporter& reporter);

} // namespace hotspot::app
