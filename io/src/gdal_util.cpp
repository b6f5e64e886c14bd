#include "gdal_util.hpp"

#include <gdal_utils.h>

#include "hotspot/engine/core/text.hpp"

#include <cpl_error.h>

#include <filesystem>
#include <fstream>
#include <mutex>

namespace hotspot::io::detail
{

void ensure_gdal()
{
    static std::once_flag once;
    std::call_once(once,
                   []
                   {
                       GDALAllRegister();
                       CPLSetErrorHandler(CPLQuietErrorHandler);
                   });
}

std::string gdal_error(const std::string& fallback)
{
    const char* message = CPLGetLastErrorMsg();
    return message && *message ? std::string(message) : fallback;
}

namespace
{
// What a file GDAL cannot read as vector data seems to be, from its first bytes: "" when nothing
// tells.
std::string what_it_seems(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) // a database connection, a folder
        return "";
    std::ifstream in(path, std::ios::binary);
    char head[512] = {};
    in.read(head, sizeof head);
    const std::string_view b(head, static_cast<std::size_t>(in.gcount()));
    const auto starts = [&](std::string_view magic) { return b.substr(0, magic.size()) == magic; };
    if (starts("\x89PNG"))
        return "a PNG image";
    if (starts("\xFF\xD8\xFF"))
        return "a JPEG image";
    if (starts("GIF8"))
        return "a GIF image";
    if (starts("%PDF"))
        return "a PDF document";
    if (starts(std::string_view("II*\0", 4)) || starts(std::string_view("MM\0*", 4)))
        return "a TIFF image (a raster, such as a density surface)";
    if (starts("\x89HDF") || starts("CDF\x01") || starts("CDF\x02"))
        return "a netCDF or HDF file (a raster cube)";
    if (b.find('\0') != std::string_view::npos)
        return "a binary file of no format hotspot reads";
    // Text: a table has a separator on its first line.
    const std::string_view first = b.substr(0, b.find('\n'));
    if (first.find_first_of(",;\t|") == std::string_view::npos)
        return "text, but not a table: its first line ('" +
               std::string(first.substr(0, 60)) + "') has no comma, semicolon, tab or bar";
    return "";
}
} // namespace

DatasetPtr open_vector(const std::string& path)
{
    ensure_gdal();
    if (!std::filesystem::exists(path) && path.rfind("/vsi", 0) != 0 &&
        path.find(':') == std::string::npos)
        throw Error(Errc::Io, path + ": no such file");
    CPLErrorReset();
    DatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds)
    {
        const std::string gdal_says = gdal_error("format not recognised");
        if (const std::string seems = what_it_seems(path); !seems.empty())
            throw Error(Errc::BadData,
                        path + ": seems to be " + seems +
                            ", not offences or areas: give a table of records (CSV with "
                            "coordinate columns, police.uk CSV) or vector data (GeoPackage, "
                            "GeoJSON, Shapefile, FlatGeobuf)");
        throw Error(Errc::Io, path + ": cannot be opened as a vector data source (" + gdal_says +
                                  ")");
    }
    return ds;
}

OGRLayer* pick_layer(GDALDataset& dataset, const std::string& path, const std::string& layer)
{
    if (dataset.GetLayerCount() == 0)
        throw Error(Errc::BadData, path + ": holds no layer");
    if (layer.empty())
        return dataset.GetLayer(0);
    if (OGRLayer* found = dataset.GetLayerByName(layer.c_str()))
        return found;
    std::vector<std::string> names;
    for (int i = 0; i < dataset.GetLayerCount(); ++i)
        names.emplace_back(dataset.GetLayer(i)->GetName());
    throw Error(Errc::Usage,
                path + ": no layer named '" + layer + "'; layers are: " + engine::join(names));
}

SourceLayer open_layer(GDALDataset& dataset, const std::string& path, const std::string& layer,
                       const std::string& sql)
{
    if (sql.empty())
        return SourceLayer(dataset, pick_layer(dataset, path, layer), false);
    if (!layer.empty())
        throw Error(Errc::Usage, "--layer and --sql: give one of them");
    CPLErrorReset();
    OGRLayer* rows = dataset.ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (!rows)
        throw Error(Errc::Usage, path + ": the --sql query failed (" +
                                     gdal_error("it returned no rows set") + "): " + sql);
    return SourceLayer(dataset, rows, true);
}

void place_on_grid(GDALDataset& dataset, const engine::GridSpec& g, const Crs& crs)
{
    double transform[6] = {g.origin_x, g.cell_m, 0.0, g.origin_y, 0.0, -g.cell_m};
    dataset.SetGeoTransform(transform);
    const OGRSpatialReference srs = to_ogr(crs);
    dataset.SetSpatialRef(&srs);
}

DatasetPtr memory_raster(const engine::Raster<double>& raster, const Crs& crs, GDALDataType type,
                         const std::string& what)
{
    ensure_gdal();
    const auto& g = raster.grid;
    const auto cols = static_cast<int>(g.cols), rows = static_cast<int>(g.rows);
    DatasetPtr staged(
        GetGDALDriverManager()->GetDriverByName("MEM")->Create("", cols, rows, 1, type, nullptr));
    if (!staged)
        throw Error(Errc::Io, what + ": cannot stage the raster in memory (" + gdal_error() + ")");
    place_on_grid(*staged, g, crs);
    if (staged->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, cols, rows,
                                           const_cast<double*>(raster.values.data()), cols, rows,
                                           GDT_Float64, 0, 0, nullptr) != CE_None)
        throw Error(Errc::Io, what + ": cannot stage the raster (" + gdal_error() + ")");
    return staged;
}

namespace
{
// GDAL's utilities take their options as an argv list.
std::vector<char*> argv_of(std::vector<std::string>& args)
{
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    return argv;
}

struct OptionsDeleter
{
    void operator()(GDALWarpAppOptions* o) const { GDALWarpAppOptionsFree(o); }
    void operator()(GDALTranslateOptions* o) const { GDALTranslateOptionsFree(o); }
};
} // namespace

DatasetPtr warp(GDALDataset& source, std::vector<std::string> args, const std::string& failure)
{
    auto argv = argv_of(args);
    std::unique_ptr<GDALWarpAppOptions, OptionsDeleter> options(
        GDALWarpAppOptionsNew(argv.data(), nullptr));
    GDALDatasetH sources[] = {GDALDataset::ToHandle(&source)};
    CPLErrorReset();
    DatasetPtr out(
        GDALDataset::FromHandle(GDALWarp("", nullptr, 1, sources, options.get(), nullptr)));
    if (!out)
        throw Error(Errc::Io, failure + " (" + gdal_error() + ")");
    return out;
}

DatasetPtr translate(GDALDataset& source, std::vector<std::string> args, const std::string& failure)
{
    auto argv = argv_of(args);
    std::unique_ptr<GDALTranslateOptions, OptionsDeleter> options(
        GDALTranslateOptionsNew(argv.data(), nullptr));
    CPLErrorReset();
    DatasetPtr out(GDALDataset::FromHandle(
        GDALTranslate("", GDALDataset::ToHandle(&source), options.get(), nullptr)));
    if (!out)
        throw Error(Errc::Io, failure + " (" + gdal_error() + ")");
    return out;
}

OGRSpatialReference to_ogr(const Crs& crs)
{
    OGRSpatialReference srs;
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (crs.authority.rfind("EPSG:", 0) == 0)
        srs.importFromEPSG(std::stoi(crs.authority.substr(5)));
    else
        srs.importFromWkt(crs.wkt.c_str());
    return srs;
}

std::vector<std::string> field_names(OGRLayer& layer)
{
    std::vector<std::string> names;
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i)
        names.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
    return names;
}

} // namespace hotspot::io::detail
