#pragma once

#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/io/crs.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hotspot::io
{

/// One polygon feature of a boundary layer (a ward, beat, LSOA or district), in the target CRS.
struct AreaFeature
{
    std::int64_t fid = 0;
    std::vector<std::string> values; ///< attribute values as text, in field order
    engine::MultiPolygon shape;
};

/// A boundary layer read into plain types.
struct AreaLayer
{
    std::string path;
    std::vector<std::string> field_names;
    std::vector<AreaFeature> features;
    Crs source_crs;
    std::vector<std::string> warnings; ///< e.g. invalid polygons repaired
};

/// Reads every polygon feature of a layer, reprojected to `target`. Invalid polygons are repaired
/// (and named in warnings); features without a polygon are skipped with a warning. Throws
/// Error(BadData) when the layer holds no polygon.
AreaLayer read_areas(const std::string& path, const std::string& layer, const Crs& target);

/// Residents per area from a CSV: the area code in its first column, the residents in a column
/// called residents, population or usual_residents (else the second). Throws Error(BadData) naming
/// the file and line for a count that is not a number of 0 or more, or a code given twice.
std::map<std::string, double> read_area_populations(const std::string& path);

/// The fields of a layer, without reading its features. Throws Error like read_areas.
std::vector<std::string> layer_field_names(const std::string& path, const std::string& layer);

/// True for a layer of the Office for National Statistics' geographies, known by their code
/// fields (LAD13CD, WD13CD, LSOA11CD, OA11CD...): its map credit is Ordnance Survey's and ONS's.
bool is_ons_geography(const std::vector<std::string>& field_names);

/// The position of `field` in the layer's fields (ignoring case). Throws Error(Usage) naming
/// `option` and listing the real fields when there is no such field.
std::size_t field_index(const AreaLayer& layer, const std::string& field,
                        const std::string& option);

/// Every feature's value of one field, in feature order.
std::vector<std::string> field_values(const AreaLayer& layer, std::size_t field);

/// Every feature's shape, in feature order.
std::vector<engine::MultiPolygon> shapes(const AreaLayer& layer);

/// Reads renamed, merged and split codes from a CSV with the columns old_code,new_code.
/// Throws Error naming the file and line on anything else.
std::vector<std::pair<std::string, std::string>> read_aliases(const std::string& path);

/// The features whose value in some text field equals `name_or_code` (ignoring case and spaces):
/// "Maidstone" picks every feature whose district name is Maidstone. Throws Error(Usage) listing
/// the nearest values when nothing matches. "*" is every feature of the layer.
std::vector<std::size_t> find_area(const AreaLayer& layer, const std::string& name_or_code);

} // namespace hotspot::io
