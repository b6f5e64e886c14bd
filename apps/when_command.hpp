#pragma once

#include "cli.hpp"

#include <string>

namespace hotspot::app
{

/// `hotspot when`: when offences happen, by hour of the week (aoristic analysis), for the whole
/// area, each area of a boundary layer and each hotspot.
struct WhenRequest
{
    OffenceInput input;
    std::string boundaries;
    std::string boundaries_layer;
    std::string area_field;
    std::string hotspots;
    std::string by = "none";
    std::string week_starts = "monday";
    int permutations = 9999;
    std::uint64_t seed = 1;
    double alpha = 0.05;
    std::string timezone;
    std::string charts = "png,svg";
    std::string out_dir;
    RunOptions run;
};

CLI::App* add_when_command(CLI::App& app, WhenRequest& request);
nlohmann::json run_when(const WhenRequest& request, Reporter& reporter);

} // namespace hotspot::app
