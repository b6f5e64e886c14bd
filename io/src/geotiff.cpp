#include "hotspot/io/geotiff.hpp"

#include "gdal_util.hpp"
#include "hotspot/io/files.hpp"

#include <cpl_string.h>
#include <ogr_spatialref.h>

#include <filesystem>

namespace hotspot::io
{

void write_geotiff(const std::string& path, const engine::Raster<double>& raster, const Crs& crs,
                   const GeoTiffOptions& options)
{
    detail::ensure_gdal();
    const auto& g = raster.grid;
    if (g.cols > std::numeric_limits<int>::max() || g.rows > std::numeric_limits<int>::max())
        throw Error(Errc::Usage, path + ": a GeoTIFF cannot hold " + std::to_string(g.cols) +
                                     " x " + std::to_string(g.rows) + " cells");
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDriver* cog = GetGDALDriverManager()->GetDriverByName("COG");
    if (!mem || !cog)
        throw Error(Errc::Internal, "this GDAL has no MEM or COG driver");
    const GDALDataType type = options.float64 ? GDT_Float64 : GDT_Float32;
    detail::DatasetPtr staged(
        mem->Create("", static_cast<int>(g.cols), static_cast<int>(g.rows), 1, type, nullptr));
    if (!staged)
        throw Error(Errc::Io,
                    path + ": cannot stage the raster in memory (" + detail::gdal_error() + ")");

    double transform[6] = {g.origin_x, g.cell_m, 0.0, g.origin_y, 0.0, -g.cell_m};
    staged->SetGeoTransform(transform);
    const OGRSpatialReference srs = detail::to_ogr(crs);
    staged->SetSpatialRef(&srs);
    for (const auto& [key, value] : options.metadata)
        staged->SetMetadataItem(key.c_str(), value.c_str());
    staged->SetMetadataItem("TIFFTAG_SOFTWARE", ("hotspot " HOTSPOT_VERSION_STRING));

    GDALRasterBand* band = staged->GetRasterBand(1);
    band->SetNoDataValue(options.nodata);
    if (!options.description.empty())
        band->SetDescription(options.description.c_str());
    if (!options.unit.empty())
        band->SetUnitType(options.unit.c_str());
    if (band->RasterIO(GF_Write, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows),
                       const_cast<double*>(raster.values.data()), static_cast<int>(g.cols),
                       static_cast<int>(g.rows), GDT_Float64, 0, 0, nullptr) != CE_None)
        throw Error(Errc::Io, path + ": cannot stage the raster (" + detail::gdal_error() + ")");

    write_atomically(
        path, options.overwrite,
        [&](const std::string& tmp)
        {
            CPLStringList cog_options;
            cog_options.SetNameValue("COMPRESS", "DEFLATE");
            cog_options.SetNameValue("PREDICTOR", "YES");
            cog_options.SetNameValue("BLOCKSIZE", "512");
            cog_options.SetNameValue("OVERVIEWS", "AUTO");
            cog_options.SetNameValue("RESAMPLING", "AVERAGE");
            CPLErrorReset();
            detail::DatasetPtr written(cog->CreateCopy(tmp.c_str(), staged.get(), FALSE,
                                                       cog_options.List(), nullptr, nullptr));
            if (!written)
                throw Error(Errc::Io, path + ": cannot be written (" + detail::gdal_error() + ")");
            written.reset(); // close, flushing, before the rename
            if (CPLGetLastErrorType() == CE_Failure)
                throw Error(Errc::Io, path + ": cannot be written (" + detail::gdal_error() + ")");
        });
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
