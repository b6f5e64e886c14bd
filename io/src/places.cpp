#include "hotspot/io/places.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/offences.hpp"

#include <cmath>
#include <map>

namespace hotspot::io
{

namespace
{
std::string short_name(const std::string& name)
{
    const auto paren = name.find(" (");
    return std::string(engine::trim(paren == std::string::npos ? name : name.substr(0, paren)));
}
} // namespace

std::vector<Place> read_places(const std::string& path, const Crs& target, const std::string& crs)
{
    // A gazetteer is a point source whose "type" is the place's name: the offence reader does the
    // rest (CSV or GDAL, coordinate columns, CRS, reprojection, bad rows).
    OffenceSource source;
    source.paths = {path};
    source.crs = crs;
    source.type_field = "name";
    ReadOptions options;
    options.target_crs = target.wkt;
    options.reject_duplicates = false;
    OffenceTable table;
    try
    {
        table = read_offences(source, {}, options);
    }
    catch (const Error& e)
    {
        throw Error(e.code(), std::string("places: ") + e.what());
    }
    std::vector<Place> places;
    const auto& inc = table.incidents;
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        const std::string& full =
            inc.crime_type[i] >= 0
                ? inc.crime_type_names[static_cast<std::size_t>(inc.crime_type[i])]
                : "";
        places.push_back({short_name(full), full, {inc.x[i], inc.y[i]}});
    }
    if (places.empty())
        throw Error(Errc::BadData, path + ": holds no place");
    // Two places of one name (two Ringlestones) keep the gazetteer's qualifiers, so that maps and
    // patrol lists can tell them apart.
    std::map<std::string, int> uses;
    for (const auto& place : places)
        ++uses[engine::fold(place.name)];
    for (auto& place : places)
        if (uses[engine::fold(place.name)] > 1)
            place.name = place.full_name;
    return places;
}

const Place& nearest_place(const std::vector<Place>& places, engine::Point2 p, double& distance_m)
{
    if (places.empty())
        throw Error(Errc::BadData, "places: the gazetteer is empty");
    const Place* best = &places.front();
    distance_m = std::numeric_limits<double>::infinity();
    for (const auto& place : places)
    {
        const double d = std::hypot(place.location.x - p.x, place.location.y - p.y);
        if (d < distance_m)
        {
            distance_m = d;
            best = &place;
        }
    }
    return *best;
}

std::vector<const Place*> find_places(const std::vector<Place>& places, const std::string& name)
{
    std::vector<const Place*> found;
    std::vector<std::string> names;
    for (const auto& place : places)
    {
        if (engine::same_text(place.name, name) || engine::same_text(place.full_name, name))
            found.push_back(&place);
        names.push_back(place.name);
    }
    if (found.empty())
        throw Error(Errc::Usage, "no place called '" + name + "' in the gazetteer; nearest: " +
                                     engine::join(engine::near_matches(name, names)));
    return found;
}

} // namespace hotspot::io
