#pragma once

#include "hotspot/engine/core/grid.hpp"
#include "hotspot/io/crs.hpp"

#include <limits>
#include <map>
#include <memory>
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
    /// Also write the QGIS style beside it (density.tif: density.qml; see raster_style_qml): the
    /// maps' ramp from 0 to the surface's peak, 0 transparent, the unit in the legend.
    bool qgis_style = false;
    /// The style's legend tops out here instead of at the surface's peak (higher values take the
    /// top colour), so that surfaces styled alike compare; NaN: the peak.
    double legend_max = std::numeric_limits<double>::quiet_NaN();
    /// With qgis_style, also write the style as SLD beside it (density.sld).
    bool sld = false;
};

/// Writes a Cloud Optimized GeoTIFF (tiled, DEFLATE with the floating-point predictor, average
/// overviews) with the CRS, geotransform, nodata and metadata, atomically: on failure nothing is
/// left at `path`.
void write_geotiff(const std::string& path, const engine::Raster<double>& raster, const Crs& crs,
                   const GeoTiffOptions& options);

/// The same Cloud Optimized GeoTIFF as write_geotiff, for surfaces too large to hold: rows arrive
/// a strip at a time and are staged in a temporary tiled GeoTIFF beside the output (removed
/// whatever happens), which GDAL then copies into the COG a block at a time.
class GeoTiffStripWriter
{
  public:
    /// Refuses (Error(Io)) an output that cannot be written, before any work. `nodata` is the
    /// value finish's options give: GDAL must know it before the first row comes.
    GeoTiffStripWriter(const std::string& path, const engine::GridSpec& grid, bool float64,
                       bool overwrite, double nodata);
    ~GeoTiffStripWriter();
    GeoTiffStripWriter(const GeoTiffStripWriter&) = delete;
    GeoTiffStripWriter& operator=(const GeoTiffStripWriter&) = delete;

    /// Rows [first_row, first_row + row_count), row-major, nodata already in place.
    void write_rows(std::int64_t first_row, std::int64_t row_count, const double* values);
    /// Writes the COG at the path, atomically, with these tags, description and unit; their
    /// nodata must be the one the writer was made with (Error(Internal) otherwise).
    void finish(const Crs& crs, const GeoTiffOptions& options);

  private:
    struct Staged;     // the GDAL dataset: GDAL stays out of the headers
    double m_peak = 0; // for the style's legend
    std::string m_path;
    engine::GridSpec m_grid;
    bool m_overwrite;
    double m_nodata;
    std::string m_staging;
    std::unique_ptr<Staged> m_staged;
};

/// A surface too large for one file or one node as a folder of tiles: one Cloud Optimized GeoTIFF
/// per strip of rows (`rows_0000000.tif`, named by its first row, each with the CRS, nodata and
/// tags) and `density.vrt`, a GDAL VRT that mosaics them and opens in QGIS as one raster.
/// `gdal_translate -of COG folder/density.vrt one.tif` makes one COG of it. The folder is staged
/// beside its place and appears whole or not at all.
class GeoTiffTileWriter
{
  public:
    /// Refuses (Error(Io)) a folder that exists (without options.overwrite) or cannot be made.
    GeoTiffTileWriter(const std::string& folder, const engine::GridSpec& grid, const Crs& crs,
                      GeoTiffOptions options);
    ~GeoTiffTileWriter();
    GeoTiffTileWriter(const GeoTiffTileWriter&) = delete;
    GeoTiffTileWriter& operator=(const GeoTiffTileWriter&) = delete;
    /// Rows [first_row, first_row + row_count) as one tile, row-major, nodata already in place.
    void write_rows(std::int64_t first_row, std::int64_t row_count, const double* values);
    /// A tile another process wrote into staging() with write_tile (a rank of an MPI job).
    void adopt_rows(std::int64_t first_row);
    /// Where the tiles are written until finish (beside the folder, so on its filesystem).
    const std::string& staging() const { return m_staging; }
    const engine::GridSpec& grid() const { return m_grid; }
    const Crs& crs() const { return m_crs; }
    const GeoTiffOptions& options() const { return m_options; }
    /// Writes the VRT and puts the folder in place; returns the VRT's path there.
    std::string finish();

  private:
    std::string m_folder;
    engine::GridSpec m_grid;
    Crs m_crs;
    GeoTiffOptions m_options;
    std::string m_staging;
    std::vector<std::string> m_tiles; ///< file names, in row order
};

/// Rows [first_row, first_row + row_count) of `grid` as the tile GeoTiffTileWriter writes, in
/// `folder`; returns its file name.
std::string write_tile(const std::string& folder, const engine::GridSpec& grid,
                       std::int64_t first_row, std::int64_t row_count, const double* values,
                       const Crs& crs, const GeoTiffOptions& options);

/// The memory GDAL's block cache takes while a GeoTiffStripWriter writes, in bytes (it caps it).
constexpr std::size_t strip_writer_cache_bytes = std::size_t{128} << 20;

/// A single-band GeoTIFF read back whole, for tests and for surfaces given as input.
struct GeoTiffContents
{
    engine::Raster<double> raster;
    Crs crs;
    bool has_crs = false;
    std::optional<double> nodata;
    std::map<std::string, std::string> metadata;
    std::string unit;      ///< the band's unit
    std::string data_type; ///< "Float32", "Float64"...
    std::string layout;    ///< IMAGE_STRUCTURE LAYOUT, "COG" for a cloud optimized GeoTIFF
    std::string compression;
    int overview_count = 0;
    double geotransform[6] = {0, 1, 0, 0, 0, -1};
};
GeoTiffContents read_geotiff(const std::string& path);

} // namespace hotspot::io
