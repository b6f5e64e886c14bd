#include "hotspot/io/geotiff.hpp"

#include "gdal_util.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/layer_style.hpp"

#include <cpl_string.h>
#include <gdal_utils.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <filesystem>

namespace hotspot::io
{

namespace
{
void check_size(const std::string& path, const engine::GridSpec& g)
{
    if (g.cols > std::numeric_limits<int>::max() || g.rows > std::numeric_limits<int>::max())
        throw Error(Errc::Usage, path + ": a GeoTIFF cannot hold " + std::to_string(g.cols) +
                                     " x " + std::to_string(g.rows) + " cells");
}

GDALDriver* driver(const char* name)
{
    detail::ensure_gdal();
    GDALDriver* d = GetGDALDriverManager()->GetDriverByName(name);
    if (!d)
        throw Error(Errc::Internal, std::string("this GDAL has no ") + name + " driver");
    return d;
}

// A tile's file name, by its first row: "rows_0000512.tif".
std::string tile_name(std::int64_t first_row)
{
    char name[32];
    std::snprintf(name, sizeof name, "rows_%07lld.tif", static_cast<long long>(first_row));
    return name;
}

// The nodata, band description and unit, and the tags.
void describe(GDALDataset& ds, const GeoTiffOptions& options)
{
    for (const auto& [key, value] : options.metadata)
        ds.SetMetadataItem(key.c_str(), value.c_str());
    ds.SetMetadataItem("TIFFTAG_SOFTWARE", ("hotspot " HOTSPOT_VERSION_STRING));
    GDALRasterBand* band = ds.GetRasterBand(1);
    band->SetNoDataValue(options.nodata);
    if (!options.description.empty())
        band->SetDescription(options.description.c_str());
    if (!options.unit.empty())
        band->SetUnitType(options.unit.c_str());
}

// From this size on (64 blocks of 512 x 512 cells), the COG's blocks are compressed in parallel.
constexpr double parallel_compression_cells = 64.0 * 512 * 512;

// The staged raster as a Cloud Optimized GeoTIFF at `path`, atomically.
void write_cog(const std::string& path, GDALDataset& staged, bool overwrite)
{
    GDALDriver* cog = driver("COG");
    write_atomically(
        path, overwrite,
        [&](const std::string& tmp)
        {
            CPLStringList cog_options;
            cog_options.SetNameValue("COMPRESS", "DEFLATE");
            cog_options.SetNameValue("PREDICTOR", "YES");
            cog_options.SetNameValue("BLOCKSIZE", "512");
            cog_options.SetNameValue("OVERVIEWS", "AUTO");
            cog_options.SetNameValue("RESAMPLING", "AVERAGE");
            cog_options.SetNameValue("BIGTIFF", "IF_SAFER");
            // Blocks compressed by every core: the same bytes, a third less time on a national
            // grid; a small grid's few blocks gain nothing from the threads.
            if (static_cast<double>(staged.GetRasterXSize()) * staged.GetRasterYSize() >
                parallel_compression_cells)
                cog_options.SetNameValue("NUM_THREADS", "ALL_CPUS");
            CPLErrorReset();
            detail::DatasetPtr written(
                cog->CreateCopy(tmp.c_str(), &staged, FALSE, cog_options.List(), nullptr, nullptr));
            if (!written)
                throw Error(Errc::Io, path + ": cannot be written (" + detail::gdal_error() + ")");
            written.reset(); // close, flushing, before the rename
            if (CPLGetLastErrorType() == CE_Failure)
                throw Error(Errc::Io, path + ": cannot be written (" + detail::gdal_error() + ")");
        });
}
} // namespace

namespace
{
// The QGIS style beside the raster, once the raster is in place.
void write_style(const std::string& path, double peak, const GeoTiffOptions& options)
{
    if (!options.qgis_style)
        return;
    const double top = std::isnan(options.legend_max) ? peak : options.legend_max;
    write_text_file(style_path_for(path), raster_style_qml(0, top, options.unit),
                    options.overwrite);
    if (options.sld)
        write_text_file(
            sld_path_for(path),
            raster_style_sld(0, top, options.unit, std::filesystem::path(path).stem().string()),
            options.overwrite);
}

void check_style_outputs(const std::string& path, const GeoTiffOptions& options)
{
    if (!options.qgis_style)
        return;
    check_output_path(style_path_for(path), options.overwrite);
    check_sld_output(path, options.sld, options.overwrite);
}
} // namespace

void write_geotiff(const std::string& path, const engine::Raster<double>& raster, const Crs& crs,
                   const GeoTiffOptions& options)
{
    const auto& g = raster.grid;
    check_size(path, g);
    check_style_outputs(path, options);
    const detail::DatasetPtr staged =
        detail::memory_raster(raster, crs, options.float64 ? GDT_Float64 : GDT_Float32, path);
    describe(*staged, options);
    write_cog(path, *staged, options.overwrite);
    double peak = 0;
    for (const double v : raster.values)
        if (v != options.nodata && v > peak)
            peak = v;
    write_style(path, peak, options);
}

struct GeoTiffStripWriter::Staged
{
    detail::DatasetPtr dataset;
};

GeoTiffStripWriter::GeoTiffStripWriter(const std::string& path, const engine::GridSpec& grid,
                                       bool float64, bool overwrite, double nodata)
    : m_path(path), m_grid(grid), m_overwrite(overwrite), m_nodata(nodata)
{
    check_size(path, grid);
    check_output_path(path, overwrite);
    if (GDALGetCacheMax64() > static_cast<GIntBig>(strip_writer_cache_bytes))
        GDALSetCacheMax64(static_cast<GIntBig>(strip_writer_cache_bytes));
    // Staged beside the output, uncompressed and tiled, so that the COG copy reads it a block at a
    // time; named apart from the COG's own temporary, and marked as a partial of this output.
    m_staging = temp_path_beside(path, "staging");
    CPLStringList options;
    options.SetNameValue("TILED", "YES");
    options.SetNameValue("BLOCKXSIZE", "512");
    options.SetNameValue("BLOCKYSIZE", "512");
    options.SetNameValue("BIGTIFF", "YES");
    m_staged = std::make_unique<Staged>();
    m_staged->dataset.reset(driver("GTiff")->Create(
        m_staging.c_str(), static_cast<int>(grid.cols), static_cast<int>(grid.rows), 1,
        float64 ? GDT_Float64 : GDT_Float32, options.List()));
    if (!m_staged->dataset)
        throw Error(Errc::Io,
                    path + ": cannot stage the raster beside it (" + detail::gdal_error() + ")");
    // Before the first row: GDAL leaves out a block equal to the empty value it knows of when it
    // writes it, and reads it back as nodata. Without nodata yet, a block of zeros (no offence
    // within reach) would be left out and read back as nodata once finish sets it.
    m_staged->dataset->GetRasterBand(1)->SetNoDataValue(nodata);
}

GeoTiffStripWriter::~GeoTiffStripWriter()
{
    m_staged.reset();
    if (!m_staging.empty())
        VSIUnlink(m_staging.c_str());
}

void GeoTiffStripWriter::write_rows(std::int64_t first_row, std::int64_t row_count,
                                    const double* values)
{
    if (m_staged->dataset->GetRasterBand(1)->RasterIO(
            GF_Write, 0, static_cast<int>(first_row), static_cast<int>(m_grid.cols),
            static_cast<int>(row_count), const_cast<double*>(values), static_cast<int>(m_grid.cols),
            static_cast<int>(row_count), GDT_Float64, 0, 0, nullptr) != CE_None)
        throw Error(Errc::Io, m_path + ": cannot write rows " + std::to_string(first_row) + " to " +
                                  std::to_string(first_row + row_count - 1) + " (" +
                                  detail::gdal_error() + ")");
    // Nodata lies below every density, so the largest value is the peak.
    for (std::int64_t k = 0; k < row_count * m_grid.cols; ++k)
        m_peak = std::max(m_peak, values[k]);
}

void GeoTiffStripWriter::finish(const Crs& crs, const GeoTiffOptions& options)
{
    // Another nodata now would turn the blocks GDAL left out as empty into that value.
    if (options.nodata != m_nodata)
        throw Error(Errc::Internal, m_path + ": the strips were staged with nodata " +
                                        std::to_string(m_nodata) + ", not " +
                                        std::to_string(options.nodata));
    detail::place_on_grid(*m_staged->dataset, m_grid, crs);
    describe(*m_staged->dataset, options);
    CPLErrorReset();
    m_staged->dataset->FlushCache();
    if (CPLGetLastErrorType() == CE_Failure)
        throw Error(Errc::Io,
                    m_path + ": cannot write the staged raster (" + detail::gdal_error() + ")");
    check_style_outputs(m_path, options);
    write_cog(m_path, *m_staged->dataset, m_overwrite);
    write_style(m_path, m_peak, options);
}

GeoTiffTileWriter::GeoTiffTileWriter(const std::string& folder, const engine::GridSpec& grid,
                                     const Crs& crs, GeoTiffOptions options)
    : m_folder(folder), m_grid(grid), m_crs(crs), m_options(std::move(options))
{
    check_size(folder, grid);
    check_output_folder(folder, m_options.overwrite);
    m_staging = temp_path_beside(folder);
    std::error_code ec;
    if (!std::filesystem::create_directory(m_staging, ec))
        throw Error(Errc::Io, folder + ": cannot make a folder beside it (" + ec.message() + ")");
}

GeoTiffTileWriter::~GeoTiffTileWriter()
{
    std::error_code ignored;
    if (!m_staging.empty())
        std::filesystem::remove_all(m_staging, ignored);
}

std::string write_tile(const std::string& folder, const engine::GridSpec& grid,
                       std::int64_t first_row, std::int64_t row_count, const double* values,
                       const Crs& crs, const GeoTiffOptions& options)
{
    engine::Raster<double> tile;
    tile.grid = grid;
    tile.grid.origin_y = grid.origin_y - static_cast<double>(first_row) * grid.cell_m;
    tile.grid.rows = row_count;
    tile.values.assign(values, values + row_count * grid.cols);
    const std::string name = tile_name(first_row);
    GeoTiffOptions staged = options;
    staged.overwrite = true; // inside a staging folder
    write_geotiff((std::filesystem::path(folder) / name).string(), tile, crs, staged);
    return name;
}

void GeoTiffTileWriter::write_rows(std::int64_t first_row, std::int64_t row_count,
                                   const double* values)
{
    m_tiles.push_back(
        write_tile(m_staging, m_grid, first_row, row_count, values, m_crs, m_options));
}

void GeoTiffTileWriter::adopt_rows(std::int64_t first_row)
{
    const std::string name = tile_name(first_row);
    if (!std::filesystem::exists(std::filesystem::path(m_staging) / name))
        throw Error(Errc::Io, m_folder + ": the tile " + name + " another rank wrote is not in " +
                                  m_staging +
                                  " (is the folder on a filesystem every node shares?)");
    m_tiles.push_back(name);
}

std::string GeoTiffTileWriter::finish()
{
    const std::filesystem::path staged(m_staging);
    std::vector<std::string> paths;
    for (const auto& t : m_tiles)
        paths.push_back((staged / t).string());
    std::vector<const char*> names;
    for (const auto& p : paths)
        names.push_back(p.c_str());
    const std::string vrt = (staged / "density.vrt").string();
    GDALBuildVRTOptions* options = GDALBuildVRTOptionsNew(nullptr, nullptr);
    int usage_error = 0;
    CPLErrorReset();
    detail::DatasetPtr mosaic(
        GDALDataset::FromHandle(GDALBuildVRT(vrt.c_str(), static_cast<int>(names.size()), nullptr,
                                             names.data(), options, &usage_error)));
    GDALBuildVRTOptionsFree(options);
    if (!mosaic)
        throw Error(Errc::Io,
                    m_folder + ": cannot write density.vrt (" + detail::gdal_error() + ")");
    describe(*mosaic, m_options);
    mosaic.reset(); // close, writing the VRT
    replace_folder(m_staging, m_folder);
    m_staging.clear();
    return (std::filesystem::path(m_folder) / "density.vrt").string();
}

GeoTiffContents read_geotiff(const std::string& path)
{
    detail::ensure_gdal();
    if (!std::filesystem::exists(path))
        throw Error(Errc::Io, path + ": no such file");
    detail::DatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!ds)
        throw Error(Errc::Io,
                    path + ": cannot be opened as a raster (" + detail::gdal_error() + ")");
    GeoTiffContents out;
    ds->GetGeoTransform(out.geotransform);
    if (out.geotransform[2] != 0.0 || out.geotransform[4] != 0.0 ||
        std::abs(out.geotransform[1] + out.geotransform[5]) > 1e-9 * std::abs(out.geotransform[1]))
        throw Error(Errc::BadData, path + ": hotspot needs a north-up raster with square cells");
    engine::GridSpec g{out.geotransform[0], out.geotransform[3], out.geotransform[1],
                       ds->GetRasterXSize(), ds->GetRasterYSize()};
    out.raster = engine::Raster<double>(g, 0.0);
    GDALRasterBand* band = ds->GetRasterBand(1);
    if (band->RasterIO(GF_Read, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows),
                       out.raster.values.data(), static_cast<int>(g.cols), static_cast<int>(g.rows),
                       GDT_Float64, 0, 0, nullptr) != CE_None)
        throw Error(Errc::Io, path + ": cannot be read (" + detail::gdal_error() + ")");
    int has_nodata = 0;
    const double nodata = band->GetNoDataValue(&has_nodata);
    if (has_nodata)
        out.nodata = nodata;
    out.unit = band->GetUnitType();
    if (const OGRSpatialReference* srs = ds->GetSpatialRef())
    {
        char* wkt = nullptr;
        const char* wkt_options[] = {"FORMAT=WKT2_2018", nullptr};
        srs->exportToWkt(&wkt, wkt_options);
        out.crs = parse_crs(wkt ? wkt : "");
        CPLFree(wkt);
        out.has_crs = true;
    }
    if (char** md = ds->GetMetadata())
        for (char** item = md; *item; ++item)
        {
            char* key = nullptr;
            const char* value = CPLParseNameValue(*item, &key);
            if (key && value)
                out.metadata[key] = value;
            CPLFree(key);
        }
    out.data_type = GDALGetDataTypeName(band->GetRasterDataType());
    if (const char* layout = ds->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE"))
        out.layout = layout;
    if (const char* compression = ds->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE"))
        out.compression = compression;
    out.overview_count = band->GetOverviewCount();
    return out;
}

} // namespace hotspot::io
