#pragma once

#include "cli.hpp"
#include "style_options.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hotspot::app
{

/// `hotspot trends`: emerging hot spot analysis over a space-time cube.
struct TrendsRequest
{
    OffenceInput input;
    std::optional<double> cell_m; ///< default: the shorter side of the extent / 250, readable
    std::string extent;
    std::vector<std::string> boundaries;
    std::string boundaries_layer;
    std::string area;
    std::string time_step = "1M";
    std::optional<double> band_m; ///< default: two cells
    int time_window = 1;
    std::string global_window = "cube"; ///< cube (ArcGIS's default), neighbourhood or step
    double alpha = 0.05;
    int min_count = 0;
    std::string publish;
    std::string title;
    int map_width_px = 1600;
    std::string out_dir;
    StyleOptions style;
    RunOptions run;
};

CLI::App* add_trends_command(CLI::App& app, TrendsRequest& request);
nlohmann::json run_trends(const TrendsRequest& request, Reporter& reporter);

} // namespace hotspot::app
