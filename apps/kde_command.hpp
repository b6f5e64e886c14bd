#pragma once

#include "cli.hpp"
#include "density.hpp"
#include "style_options.hpp"

#include <string>

namespace hotspot::app
{

/// Everything `hotspot kde` needs, filled from the command line (or a batch file).
struct KdeRequest
{
    OffenceInput input;
    DensitySpec density;
    std::string out_path;
    std::string tiles_dir; ///< instead of one COG: a folder of tiles and a VRT
    bool float64 = false;
    StyleOptions style;
    RunOptions run;
};

CLI::App* add_kde_command(CLI::App& app, KdeRequest& request);

/// A surface handed back in memory (the Python module's kde): what the GeoTIFF holds.
struct KdeSurface
{
    engine::Raster<double> values; ///< as published; nodata_value outside the study area
    io::Crs crs;
    std::vector<std::pair<std::string, std::string>> tags; ///< the GeoTIFF's HOTSPOT_* metadata
    std::string unit;
};

/// Runs the request; returns the run summary (also written to --summary-json). With `in_memory`
/// the surface is also handed back there, and --out may be left empty (nothing is written then).
nlohmann::json run_kde(const KdeRequest& request, Reporter& reporter,
                       KdeSurface* in_memory = nullptr);

} // namespace hotspot::app
