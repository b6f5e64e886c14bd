#pragma once

#include "hotspot/engine/grid.hpp"
#include "hotspot/io/crs.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hotspot::io
{

struct GeoTiffOptions
{
    bool float64 = false;    ///< Float64 instead of Float32 samples
    double nodata = -9999.0; ///< the value the raster holds outside its mask
    std::string description; ///< band description, e.g. "kernel density"
    std::string unit;        ///< band unit, e.g. "offences per km²"
    std::vector<std::pair<std::string, std::string>> metadata; ///< written as dataset tags
    bool overwrite = false;
};

/// Writes a Cloud Optimized GeoTIFF (tiled, DEFLATE with the floating-point predictor, average
/// overviews) with the CRS, geotransform, nodata and metadata, atomically: on failure nothing is
/// left at `path`.
void write_geotiff(const std::string& path, const engine::Raster<double>& raster, const Crs& crs,
                   const GeoTiffOptions& options);

/// A single-band GeoTIFF read back whole, for tests and for surfaces given as input.
struct GeoTiffContents
{
    engine::Raster<double> raster;
    Crs crs;
    bool has_crs = false;
    std::optional<double> nodata;
    std::map<std::string, std::string> metadata;
    std::string data_type; ///< "Float32", "Float64"...
    std::string layout;    ///< IMAGE_STRUCTURE LAYOUT, "COG" for a cloud optimized GeoTIFF
    std::string compression;
    int overview_count = 0;
    double geotransform[6] = {0, 1, 0, 0, 0, -1};
};
GeoTiffContents read_geotiff(const std::string& path);

} // namespace hotspot::io
