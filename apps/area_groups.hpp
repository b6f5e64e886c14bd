#pragma once
// Offences grouped by the polygons they lie in: the areas of a boundary layer, or hotspots from a
// `hotspot hotspots` GeoPackage. Shared by `when` and `patrol-plan`.

#include "cli.hpp"

#include <string>
#include <vector>

namespace hotspot::app
{

struct AreaGrouping
{
    std::string kind; ///< "area" or "hotspot"
    std::vector<std::string> names;
    std::vector<std::int32_t> of;             ///< per offence: its group, -1 in none
    std::vector<double> area_m2;              ///< per group: its polygons' area
    std::vector<engine::MultiPolygon> shapes; ///< per group: its polygons
};

/// The areas of a boundary layer, one group per distinct value of `name_field` (empty: a field
/// called like a name): two polygons of one district are one district.
AreaGrouping group_by_areas(const RunOptions& run, const std::string& path,
                            const std::string& layer, const std::string& name_field,
                            const io::OffenceTable& table, Reporter& reporter);

/// Groups of the given shapes and names (hotspots computed in the same run), in `table`'s CRS.
AreaGrouping group_by_shapes(std::string kind, std::vector<std::string> names,
                             std::vector<engine::MultiPolygon> shapes,
                             const io::OffenceTable& table);

/// The hotspots of a GeoPackage `hotspot hotspots` wrote, in rank order, named "#1 Brenchley
/// Gardens". Throws Error(Usage) for a layer without rank and name fields.
AreaGrouping group_by_hotspots(const RunOptions& run, const std::string& path,
                               const io::OffenceTable& table, Reporter& reporter);

} // namespace hotspot::app
