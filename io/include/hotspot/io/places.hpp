#pragma once

#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/io/crs.hpp"

#include <string>
#include <vector>

namespace hotspot::io
{

/// A named place of a gazetteer, in the target CRS.
struct Place
{
    std::string name; ///< without a trailing parenthetical note: "Brenchley Gardens"
    std::string full_name;
    engine::Point2 location;
};

/// Reads a gazetteer: a CSV with a name column (name, place, place_name) and longitude/latitude
/// (or x/y with a crs column or `crs`) columns, or any GDAL point layer with a name field.
/// Throws Error naming the file and the missing column.
std::vector<Place> read_places(const std::string& path, const Crs& target,
                               const std::string& crs = "");

/// The place nearest to p. Throws Error(BadData) when there is none.
const Place& nearest_place(const std::vector<Place>& places, engine::Point2 p, double& distance_m);

/// The places called `name` (ignoring case and the parenthetical note). Throws Error(Usage) listing
/// the nearest names when none is.
std::vector<const Place*> find_places(const std::vector<Place>& places, const std::string& name);

} // namespace hotspot::io
