#pragma once

#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/io/crs.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace hotspot::io
{

enum class FieldType
{
    Text,
    Real,
    Integer,
};

struct VectorField
{
    std::string name;
    FieldType type = FieldType::Text;
};

/// One attribute value; monostate writes a null.
using FieldValue = std::variant<std::monostate, std::string, double, std::int64_t>;

enum class GeometryKind
{
    Point,
    MultiPolygon,
};

/// Writes one vector layer, chosen by extension: GeoPackage (.gpkg), GeoJSON (.geojson, written
/// as RFC 7946 in WGS 84 longitude/latitude), FlatGeobuf (.fgb) or a shapefile (.shp, with its
/// .dbf, .shx, .prj and .cpg; field names of at most 10 characters). The file appears at `path`
/// only on commit(); a writer destroyed without commit leaves nothing behind. A "PG:" connection
/// string writes the PostGIS table `layer_name` in one transaction: the rows (and the replacement
/// of an old table, with `overwrite`) are seen only on commit; without it the old table stays as it
/// was.
class VectorWriter
{
  public:
    /// Throws Error(Usage) for an unsupported extension and Error(Io) when the file cannot be made.
    VectorWriter(const std::string& path, const std::string& layer_name, const Crs& crs,
                 GeometryKind kind, std::vector<VectorField> fields, bool overwrite);
    ~VectorWriter();
    VectorWriter(const VectorWriter&) = delete;
    VectorWriter& operator=(const VectorWriter&) = delete;

    /// A point feature; no location writes a null geometry.
    void add_point(const std::optional<engine::Point2>& where,
                   const std::vector<FieldValue>& values);
    void add_polygon(const engine::MultiPolygon& shape, const std::vector<FieldValue>& values);
    /// Layer metadata (key, value): the parameters a layer was made with. GeoPackage keeps them in
    /// its metadata tables (QGIS shows them under the layer's properties; `ogrinfo -so` lists
    /// them); formats without layer metadata (GeoJSON, PostGIS) leave them out.
    void set_metadata(const std::map<std::string, std::string>& items);
    /// The layer's default style (a QGIS .qml document, and the same as SLD): a GeoPackage keeps
    /// it in its layer_styles table, which QGIS applies when it opens the layer; other formats
    /// leave it out.
    void set_default_style(const std::string& qml, const std::string& sld);
    /// Closes the file and moves it into place.
    void commit();

  private:
    void finish(); // commit without the disk-full wording
    void open_postgis(const std::string& table, const Crs& crs, GeometryKind kind);
    void create_postgis_table(const Crs& crs, GeometryKind kind);
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Refuses, before any work, an output VectorWriter could not write: a file (its format, folder,
/// and whether it exists without `overwrite`), or a PostGIS connection (it connects, and checks
/// that `table` is named, well formed and, without `overwrite`, not there yet). Error(Usage) or
/// Error(Io).
void check_vector_output(const std::string& path, const std::string& table, bool overwrite);

/// A shape as ISO well-known binary, little-endian: what GIS libraries (shapely, geopandas) read.
std::string wkb_of(const engine::MultiPolygon& shape);

/// True when `path` names a vector format VectorWriter writes.
bool is_vector_output(const std::string& path);

} // namespace hotspot::io
