#pragma once

#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/io/crs.hpp"

#include <cstdint>
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
/// as RFC 7946 in WGS 84 longitude/latitude) or FlatGeobuf (.fgb). The file appears at `path` only
/// on commit(); a writer destroyed without commit leaves nothing behind.
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
    /// Closes the file and moves it into place.
    void commit();

  private:
    void finish(); // commit without the disk-full wording
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// True when `path` names a vector format VectorWriter writes.
bool is_vector_output(const std::string& path);

} // namespace hotspot::io
