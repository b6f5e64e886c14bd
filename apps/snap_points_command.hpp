#pragma once

#include "cli.hpp"

#include <string>

namespace hotspot::app
{

/// `hotspot snap-points`: the coordinates that carry many records (police.uk snap points,
/// default geocodes), with their counts and crime types.
struct SnapPointsRequest
{
    OffenceInput input;
    std::size_t min_records = 10;
    std::string out_path; ///< .csv, .gpkg, .geojson or .fgb
    RunOptions run;
};

CLI::App* add_snap_points_command(CLI::App& app, SnapPointsRequest& request);
nlohmann::json run_snap_points(const SnapPointsRequest& request, Reporter& reporter);

} // namespace hotspot::app
