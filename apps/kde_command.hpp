#pragma once

#include "cli.hpp"
#include "density.hpp"

#include <string>

namespace hotspot::app
{

/// Everything `hotspot kde` needs, filled from the command line (or a batch file).
struct KdeRequest
{
    OffenceInput input;
    DensitySpec density;
    std::string out_path;
    bool float64 = false;
    RunOptions run;
};

CLI::App* add_kde_command(CLI::App& app, KdeRequest& request);

/// Runs the request; returns the run summary (also written to --summary-json).
nlohmann::json run_kde(const KdeRequest& request, Reporter& reporter);

} // namespace hotspot::app
