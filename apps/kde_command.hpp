#pragma once

#include "cli.hpp"
#include "hotspot/engine/kde.hpp"

#include <optional>
#include <string>

namespace hotspot::app
{

/// Everything `hotspot kde` needs, filled from the command line (or, later, a batch file).
struct KdeRequest
{
    OffenceInput input;
    std::string kernel = "quartic";
    std::optional<double> bandwidth_m; ///< default: the ArcGIS rule
    std::string units = "per-km2";
    std::optional<double> cell_m;      ///< default: shorter extent side / 250
    std::string extent;                ///< "xmin,ymin,xmax,ymax" in the target CRS
    std::string boundaries_path;
    std::string boundaries_layer;
    std::string area;
    std::string out_path;
    bool float64 = false;
    RunOptions run;
};

CLI::App* add_kde_command(CLI::App& app, KdeRequest& request);

/// Runs the request; returns the run summary (also written to --summary-json).
nlohmann::json run_kde(const KdeRequest& request, Reporter& reporter);

} // namespace hotspot::app
