#include "hotspot/io/vector.hpp"

#include "gdal_util.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/postgis.hpp"

#include <cpl_conv.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string_view>

namespace hotspot::io
{

namespace
{
namespace fs = std::filesystem;

const char* driver_for(const std::string& path)
{
    if (is_postgis(path))
        return "PostgreSQL";
    const std::string ext = engine::fold(fs::path(path).extension().string());
    if (ext == ".gpkg")
        return "GPKG";
    if (ext == ".geojson" || ext == ".json")
        return "GeoJSON";
    if (ext == ".fgb")
        return "FlatGeobuf";
    if (ext == ".shp")
        return "ESRI Shapefile";
    return nullptr;
}

// A shapefile is several files: the .shp and those beside it with the same stem.
std::vector<fs::path> shapefile_parts(const fs::path& shp)
{
    std::vector<fs::path> parts;
    for (const char* ext : {".dbf", ".shx", ".prj", ".cpg", ".shp"}) // the .shp moved last
        parts.push_back(fs::path(shp).replace_extension(ext));
    return parts;
}

bool is_shapefile(const std::string& path)
{
    return engine::fold(fs::path(path).extension().string()) == ".shp";
}

OGRFieldType ogr_type(FieldType type)
{
    switch (type)
    {
    case FieldType::Real:
        return OFTReal;
    case FieldType::Integer:
        return OFTInteger64;
    case FieldType::Text:
        return OFTString;
    }
    return OFTString;
}

OGRLinearRing* to_ogr(const engine::Ring& ring)
{
    auto* out = new OGRLinearRing;
    for (const auto& p : ring)
        out->addPoint(p.x, p.y);
    out->closeRings();
    return out;
}

// A PostGIS database opened for writing, or Error(Io) naming it (never its password).
detail::DatasetPtr connect_postgis(const std::string& path)
{
    detail::ensure_gdal();
    CPLErrorReset();
    detail::DatasetPtr ds(GDALDataset::FromHandle(
        GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, nullptr, nullptr, nullptr)));
    if (!ds)
        throw Error(Errc::Io, "cannot connect to " + describe_connection(path) + " (" +
                                  detail::gdal_error() + ")");
    return ds;
}

// "table hotspots in database crime on db.force.local"
std::string describe_table(const std::string& path, const std::string& table)
{
    return "table " + table + " in " + describe_connection(path);
}

Error table_exists(const std::string& path, const std::string& table)
{
    return Error(Errc::Io,
                 describe_table(path, table) + " already exists; add --overwrite to replace it");
}

void create_fields(OGRLayer& layer, const std::vector<VectorField>& fields, const std::string& what)
{
    for (const auto& f : fields)
    {
        OGRFieldDefn defn(f.name.c_str(), ogr_type(f.type));
        if (layer.CreateField(&defn) != OGRERR_NONE)
            throw Error(Errc::Io, what + ": cannot create field '" + f.name + "' (" +
                                      detail::gdal_error() + ")");
    }
}

// GeoPackage inserts are fast only in a transaction: one for the whole layer, as ogr2ogr -gt
// unlimited does (the file is a temporary until commit, so nothing partial is ever seen).
} // namespace

void check_vector_output(const std::string& path, const std::string& table, bool overwrite)
{
    if (!is_postgis(path))
    {
        if (!driver_for(path))
            throw Error(Errc::Usage, path +
                                         ": write vector outputs as .gpkg, .geojson, .fgb or .shp, "
                                         "or to PostGIS as PG:... with --table");
        if (!table.empty())
            throw Error(Errc::Usage, "--table goes with --out PG:...");
        check_output_path(path, overwrite);
        return;
    }
    if (table.empty())
        throw Error(Errc::Usage, "--out PG:... needs --table NAME (the table to write)");
    // An identifier, or schema.identifier: letters, digits and _, not starting with a digit.
    const auto identifier = [](std::string_view part)
    {
        return !part.empty() && !std::isdigit(static_cast<unsigned char>(part[0])) &&
               std::all_of(part.begin(), part.end(),
                           [](char c)
                           { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
    };
    const auto dot = table.find('.');
    const bool well_formed = dot == std::string::npos
                                 ? identifier(table)
                                 : identifier(std::string_view(table).substr(0, dot)) &&
                                       identifier(std::string_view(table).substr(dot + 1));
    if (!well_formed)
        throw Error(Errc::Usage, "--table " + table +
                                     ": a table name is letters, digits and _ (schema.table "
                                     "allowed), not starting with a digit");
    // The connection is checked with --overwrite too: a wrong database fails before any work.
    const detail::DatasetPtr database = connect_postgis(path);
    if (!overwrite && database->GetLayerByName(table.c_str()))
        throw table_exists(path, table);
}

bool is_vector_output(const std::string& path)
{
    return driver_for(path) != nullptr;
}

struct VectorWriter::Impl
{
    std::string path;
    std::string tmp;
    std::string table;     ///< PostGIS: the table written, in one transaction
    std::string described; ///< PostGIS: "table t in database d on host h", no password
    bool overwrite = false;
    bool committed = false;
    detail::DatasetPtr dataset;
    OGRLayer* layer = nullptr;
    std::vector<VectorField> fields;
    std::int64_t written = 0;
    bool transactions = false;
    std::string style_qml, style_sld; ///< the layer's default style, for a GeoPackage

    void write(std::unique_ptr<OGRGeometry> geometry, const std::vector<FieldValue>& values)
    {
        if (transactions && written == 0)
            dataset->StartTransaction();
        detail::FeaturePtr feature(OGRFeature::CreateFeature(layer->GetLayerDefn()));
        for (std::size_t i = 0; i < values.size() && i < fields.size(); ++i)
        {
            const int f = static_cast<int>(i);
            if (const auto* text = std::get_if<std::string>(&values[i]))
                feature->SetField(f, text->c_str());
            else if (const auto* real = std::get_if<double>(&values[i]))
            {
                if (std::isfinite(*real))
                    feature->SetField(f, *real);
                else
                    feature->SetFieldNull(f);
            }
            else if (const auto* integer = std::get_if<std::int64_t>(&values[i]))
                feature->SetField(f, static_cast<GIntBig>(*integer));
            else
                feature->SetFieldNull(f);
        }
        if (geometry)
            feature->SetGeometryDirectly(geometry.release());
        if (layer->CreateFeature(feature.get()) != OGRERR_NONE)
            throw reworded_if_disk_full(Error(Errc::Io, (table.empty() ? path : described) +
                                                            ": cannot write feature " +
                                                            std::to_string(written + 1) + " (" +
                                                            detail::gdal_error() + ")"),
                                        path, tmp);
        ++written;
    }
};

// A PostGIS table is written in one transaction, the old table's removal included: until commit
// nobody sees the new rows, and a run that fails (or is killed: the server rolls back what a lost
// connection left open) leaves the previous table as it was.
void VectorWriter::open_postgis(const std::string& table, const Crs& crs, GeometryKind kind)
{
    Impl& w = *m_impl;
    w.table = table;
    w.described = describe_table(w.path, table);
    w.dataset = connect_postgis(w.path);
    if (w.dataset->StartTransaction(TRUE) != OGRERR_NONE)
        throw Error(Errc::Io,
                    w.described + ": cannot start a transaction (" + detail::gdal_error() + ")");
    try
    {
        create_postgis_table(crs, kind);
    }
    catch (...)
    {
        w.dataset->RollbackTransaction();
        w.dataset.reset();
        throw;
    }
}

void VectorWriter::create_postgis_table(const Crs& crs, GeometryKind kind)
{
    Impl& w = *m_impl;
    const std::string& table = w.table;
    if (w.dataset->GetLayerByName(table.c_str()) && !w.overwrite)
        throw table_exists(w.path, table);
    OGRSpatialReference srs = detail::to_ogr(crs);
    CPLStringList options;
    options.SetNameValue("OVERWRITE", "YES");
    options.SetNameValue("GEOMETRY_NAME", "geom");
    options.SetNameValue("LAUNDER", "NO"); // the columns keep the names the files have
    options.SetNameValue("SPATIAL_INDEX", "GIST");
    w.layer = w.dataset->CreateLayer(table.c_str(), &srs,
                                     kind == GeometryKind::Point ? wkbPoint : wkbMultiPolygon,
                                     options.List());
    if (!w.layer)
        throw Error(Errc::Io, w.described + ": cannot be created (" + detail::gdal_error() + ")");
    create_fields(*w.layer, w.fields, w.described);
}

VectorWriter::VectorWriter(const std::string& path, const std::string& layer_name, const Crs& crs,
                           GeometryKind kind, std::vector<VectorField> fields, bool overwrite)
    : m_impl(std::make_unique<Impl>())
{
    detail::ensure_gdal();
    if (is_postgis(path))
    {
        m_impl->path = path;
        m_impl->overwrite = overwrite;
        m_impl->fields = std::move(fields);
        open_postgis(layer_name, crs, kind);
        return;
    }
    const char* driver_name = driver_for(path);
    if (!driver_name)
        throw Error(Errc::Usage, path + ": write vector outputs as .gpkg, .geojson, .fgb or .shp");
    check_output_path(path, overwrite);
    if (is_shapefile(path))
        for (const auto& field : fields)
            if (field.name.size() > 10)
                throw Error(Errc::Usage, path +
                                             ": a shapefile keeps field names of at most 10 "
                                             "characters, and this layer has '" +
                                             field.name + "': write it as .gpkg");
    m_impl->path = path;
    m_impl->overwrite = overwrite;
    m_impl->fields = std::move(fields);
    m_impl->tmp = temp_path_beside(path);
    fs::remove(m_impl->tmp);
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name);
    if (!driver)
        throw Error(Errc::Internal, std::string("this GDAL has no ") + driver_name + " driver");
    // SQLite's default page cache is small: a GeoPackage of a few hundred thousand records is
    // written twice as fast with a larger one. The option is read when the file opens;
    // thread-local, so writers on other threads are not affected.
    CPLSetThreadLocalConfigOption("OGR_SQLITE_CACHE", "512");
    m_impl->dataset.reset(driver->Create(m_impl->tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    CPLSetThreadLocalConfigOption("OGR_SQLITE_CACHE", nullptr);
    if (!m_impl->dataset)
        throw Error(Errc::Io, path + ": cannot be created (" + detail::gdal_error() + ")");

    OGRSpatialReference srs = detail::to_ogr(crs);
    CPLStringList layer_options;
    if (std::string(driver_name) == "GeoJSON")
        layer_options.SetNameValue("RFC7946",
                                   "YES"); // reprojected to WGS 84 as the standard requires
    if (std::string(driver_name) == "GPKG")
        layer_options.SetNameValue("SPATIAL_INDEX", "NO"); // built at the end, in one pass
    m_impl->layer = m_impl->dataset->CreateLayer(
        layer_name.c_str(), &srs, kind == GeometryKind::Point ? wkbPoint : wkbMultiPolygon,
        layer_options.List());
    if (!m_impl->layer)
        throw Error(Errc::Io, path + ": cannot create layer (" + detail::gdal_error() + ")");
    create_fields(*m_impl->layer, m_impl->fields, path);
    m_impl->transactions = m_impl->dataset->TestCapability(ODsCTransactions) != 0;
}

VectorWriter::~VectorWriter()
{
    if (!m_impl->committed && !m_impl->table.empty())
    {
        if (m_impl->dataset)
            m_impl->dataset->RollbackTransaction();
        m_impl->dataset.reset();
    }
    else if (!m_impl->committed)
    {
        m_impl->dataset.reset();
        std::error_code ignored;
        fs::remove(m_impl->tmp, ignored);
        if (is_shapefile(m_impl->tmp))
            for (const auto& part : shapefile_parts(m_impl->tmp))
                fs::remove(part, ignored);
    }
}

void VectorWriter::add_point(const std::optional<engine::Point2>& where,
                             const std::vector<FieldValue>& values)
{
    std::unique_ptr<OGRGeometry> point;
    if (where && std::isfinite(where->x) && std::isfinite(where->y))
        point = std::make_unique<OGRPoint>(where->x, where->y);
    else if (std::string(m_impl->dataset->GetDriver()->GetDescription()) == "FlatGeobuf")
        // GDAL's FlatGeobuf writer drops a feature without a geometry without a word: refuse
        // rather than lose the record.
        throw Error(Errc::Usage, m_impl->path + ": FlatGeobuf cannot hold a record without a " +
                                     "location (feature " + std::to_string(m_impl->written + 1) +
                                     "); write .gpkg or .geojson to keep every record");
    m_impl->write(std::move(point), values);
}

namespace
{
std::unique_ptr<OGRMultiPolygon> to_ogr(const engine::MultiPolygon& shape)
{
    auto multi = std::make_unique<OGRMultiPolygon>();
    for (const auto& polygon : shape)
    {
        auto* p = new OGRPolygon;
        p->addRingDirectly(to_ogr(polygon.outer));
        for (const auto& hole : polygon.holes)
            p->addRingDirectly(to_ogr(hole));
        multi->addGeometryDirectly(p);
    }
    return multi;
}
} // namespace

void VectorWriter::add_polygon(const engine::MultiPolygon& shape,
                               const std::vector<FieldValue>& values)
{
    m_impl->write(to_ogr(shape), values);
}

std::string wkb_of(const engine::MultiPolygon& shape)
{
    const auto multi = to_ogr(shape);
    std::string bytes(static_cast<std::size_t>(multi->WkbSize()), '\0');
    multi->exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(bytes.data()), wkbVariantIso);
    return bytes;
}

void VectorWriter::set_metadata(const std::map<std::string, std::string>& items)
{
    if (!m_impl->table.empty())
        return;
    for (const auto& [key, value] : items)
        m_impl->layer->SetMetadataItem(key.c_str(), value.c_str());
}

void VectorWriter::set_default_style(const std::string& qml, const std::string& sld)
{
    m_impl->style_qml = qml;
    m_impl->style_sld = sld;
}

namespace
{
// QGIS's layer_styles table (the QGIS GeoPackage styling extension): QGIS applies the row marked
// useAsDefault for a layer when it opens that layer.
void write_default_style(GDALDataset& dataset, OGRLayer& layer, const std::string& qml,
                         const std::string& sld)
{
    OGRLayer* styles = dataset.GetLayerByName("layer_styles");
    if (!styles)
    {
        styles = dataset.CreateLayer("layer_styles", nullptr, wkbNone, nullptr);
        if (!styles)
            throw Error(Errc::Io,
                        "cannot add the layer_styles table (" + detail::gdal_error() + ")");
        const std::pair<const char*, OGRFieldType> columns[] = {{"f_table_catalog", OFTString},
                                                                {"f_table_schema", OFTString},
                                                                {"f_table_name", OFTString},
                                                                {"f_geometry_column", OFTString},
                                                                {"styleName", OFTString},
                                                                {"styleQML", OFTString},
                                                                {"styleSLD", OFTString},
                                                                {"useAsDefault", OFTInteger},
                                                                {"description", OFTString},
                                                                {"owner", OFTString},
                                                                {"ui", OFTString},
                                                                {"update_time", OFTDateTime}};
        for (const auto& [name, type] : columns)
        {
            OGRFieldDefn field(name, type);
            if (std::string_view(name) == "useAsDefault")
                field.SetSubType(OFSTBoolean);
            if (styles->CreateField(&field) != OGRERR_NONE)
                throw Error(Errc::Io,
                            "cannot add the layer_styles table (" + detail::gdal_error() + ")");
        }
    }
    detail::FeaturePtr row(OGRFeature::CreateFeature(styles->GetLayerDefn()));
    row->SetField("f_table_catalog", "");
    row->SetField("f_table_schema", "");
    row->SetField("f_table_name", layer.GetName());
    row->SetField("f_geometry_column", layer.GetGeometryColumn());
    row->SetField("styleName", layer.GetName());
    row->SetField("styleQML", qml.c_str());
    row->SetField("styleSLD", sld.c_str());
    row->SetField("useAsDefault", 1);
    row->SetField("description", "hotspot's style");
    row->SetField("owner", "");
    row->SetField("ui", "");
    if (styles->CreateFeature(row.get()) != OGRERR_NONE)
        throw Error(Errc::Io, "cannot write the layer's style (" + detail::gdal_error() + ")");
}
} // namespace

void VectorWriter::commit()
{
    try
    {
        finish();
    }
    catch (const Error& e)
    {
        throw reworded_if_disk_full(e, m_impl->path, m_impl->tmp);
    }
}

void VectorWriter::finish()
{
    CPLErrorReset();
    if (!m_impl->table.empty())
    {
        if (m_impl->dataset->CommitTransaction() != OGRERR_NONE)
            throw Error(Errc::Io,
                        m_impl->described + ": cannot be written (" + detail::gdal_error() + ")");
        m_impl->dataset.reset();
        m_impl->committed = true;
        return;
    }
    if (m_impl->transactions && m_impl->written > 0 &&
        m_impl->dataset->CommitTransaction() != OGRERR_NONE)
        throw Error(Errc::Io, m_impl->path + ": cannot be written (" + detail::gdal_error() + ")");
    if (std::string(m_impl->dataset->GetDriver()->GetDescription()) == "GPKG")
    {
        // The R-tree filled once from the finished table is much faster than one insert per
        // feature.
        const std::string sql = std::string("SELECT CreateSpatialIndex('") +
                                m_impl->layer->GetName() + "', '" +
                                m_impl->layer->GetGeometryColumn() + "')";
        CPLErrorReset();
        m_impl->dataset->ReleaseResultSet(
            m_impl->dataset->ExecuteSQL(sql.c_str(), nullptr, nullptr));
        if (CPLGetLastErrorType() == CE_Failure)
            throw Error(Errc::Io, m_impl->path + ": cannot build the spatial index (" +
                                      detail::gdal_error() + ")");
        if (!m_impl->style_qml.empty())
            write_default_style(*m_impl->dataset, *m_impl->layer, m_impl->style_qml,
                                m_impl->style_sld);
    }
    m_impl->dataset.reset(); // close and flush
    if (CPLGetLastErrorType() == CE_Failure)
        throw Error(Errc::Io, m_impl->path + ": cannot be written (" + detail::gdal_error() + ")");
    std::error_code ec;
    if (!m_impl->overwrite && fs::exists(m_impl->path))
        throw Error(Errc::Io, m_impl->path + ": already exists; add --overwrite to replace it");
    if (is_shapefile(m_impl->path))
    {
        // Each part moved into place whole; the .shp last, so that a reader that finds it finds
        // the others.
        for (const auto& part : shapefile_parts(m_impl->tmp))
            if (fs::exists(part))
            {
                const fs::path into = fs::path(m_impl->path).replace_extension(part.extension());
                fs::rename(part, into, ec);
                if (ec)
                    throw Error(Errc::Io,
                                into.string() + ": cannot be written (" + ec.message() + ")");
            }
        m_impl->committed = true;
        return;
    }
    fs::rename(m_impl->tmp, m_impl->path, ec);
    if (ec)
        throw Error(Errc::Io, m_impl->path + ": cannot be written (" + ec.message() + ")");
    m_impl->committed = true;
}

} // namespace hotspot::io
