#pragma once

#include "density.hpp"

#include <string>
#include <vector>

namespace hotspot::app
{

/// `hotspot compare`: where one set of offences is denser than another (relative risk), or where
/// this period differs from the last (change), each cell tested.
struct CompareRequest
{
    OffenceInput input;
    std::vector<std::string> cases;    ///< crime types of the case set
    std::vector<std::string> controls; ///< crime types of the controls (default: every offence)
    std::string this_period;           ///< YYYY-MM or YYYY-MM..YYYY-MM
    std::string last_period;
    DensitySpec density;
    double alpha = 0.05;
    std::string out_dir;
    RunOptions run;
};

CLI::App* add_compare_command(CLI::App& app, CompareRequest& request);
nlohmann::json run_compare(const CompareRequest& request, Reporter& reporter);

} // namespace hotspot::app
