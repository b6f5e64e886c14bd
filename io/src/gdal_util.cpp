#include "gdal_util.hpp"

#include "hotspot/engine/core/text.hpp"

#include <cpl_error.h>

#include <filesystem>
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

DatasetPtr open_vector(const std::string& path)
{
    ensure_gdal();
    if (!std::filesystem::exists(path) && path.rfind("/vsi", 0) != 0 &&
        path.find(':') == std::string::npos)
        throw Error(Errc::Io, path + ": no such file");
    CPLErrorReset();
    DatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds)
        throw Error(Errc::Io, path + ": cannot be opened as a vector data source (" +
                                  gdal_error("format not recognised") + ")");
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
