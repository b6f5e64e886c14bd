#include "area_groups.hpp"

#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/density/study_window.hpp"

#include <algorithm>
#include <map>

namespace hotspot::app
{

namespace
{
// One group per distinct name, over features given as names and shapes.
AreaGrouping group(const std::vector<engine::MultiPolygon>& feature_shapes,
                   const engine::AreaIndex& index, const engine::Incidents& inc, std::string kind,
                   const std::vector<std::string>& feature_names)
{
    AreaGrouping g;
    g.kind = std::move(kind);
    std::map<std::string, std::int32_t> by_name;
    std::vector<std::int32_t> group_of_feature(feature_shapes.size());
    for (std::size_t f = 0; f < feature_shapes.size(); ++f)
    {
        const auto [it, added] =
            by_name.emplace(feature_names[f], static_cast<std::int32_t>(g.names.size()));
        if (added)
        {
            g.names.push_back(feature_names[f]);
            g.area_m2.push_back(0);
            g.shapes.emplace_back();
        }
        group_of_feature[f] = it->second;
        const auto k = static_cast<std::size_t>(it->second);
        g.shapes[k].insert(g.shapes[k].end(), feature_shapes[f].begin(), feature_shapes[f].end());
        g.area_m2[k] += engine::area_m2(feature_shapes[f]);
    }
    std::vector<std::int32_t> feature(inc.size(), -1);
    engine::locate_points(index, inc.x.data(), inc.y.data(), inc.size(), 0.0, feature.data());
    g.of.resize(inc.size());
    for (std::size_t i = 0; i < inc.size(); ++i)
        g.of[i] = feature[i] >= 0 ? group_of_feature[static_cast<std::size_t>(feature[i])] : -1;
    return g;
}
} // namespace

AreaGrouping group_by_areas(const RunOptions& run, const std::string& path,
                            const std::string& layer_name, const std::string& name_field,
                            const io::OffenceTable& table, Reporter& reporter)
{
    const auto layer = load_areas(run, path, layer_name, table.target_crs);
    const std::size_t field = name_field.empty()
                                  ? area_name_field(*layer)
                                  : io::field_index(*layer, name_field, "--area-field");
    const auto index = load_area_index(run, path, layer_name, table.target_crs);
    AreaGrouping g =
        group(io::shapes(*layer), *index, table.incidents, "area", io::field_values(*layer, field));
    reporter.info("areas      " + path + ": " + std::to_string(g.names.size()) + " areas by " +
                  layer->field_names[field]);
    return g;
}

AreaGrouping group_by_hotspots(const RunOptions& run, const std::string& path,
                               const io::OffenceTable& table, Reporter& reporter)
{
    const auto layer = load_areas(run, path, "", table.target_crs);
    const auto has = [&](const char* f)
    {
        return std::find(layer->field_names.begin(), layer->field_names.end(), f) !=
               layer->field_names.end();
    };
    if (!has("rank") || !has("name"))
        throw Error(Errc::Usage, path + ": not a hotspots layer (it has no rank and name fields); "
                                        "give the GeoPackage `hotspot hotspots` wrote");
    const auto ranks = io::field_values(*layer, io::field_index(*layer, "rank", "rank"));
    const auto names = io::field_values(*layer, io::field_index(*layer, "name", "name"));
    std::vector<std::string> labels;
    for (std::size_t f = 0; f < names.size(); ++f)
        labels.push_back("#" + ranks[f] + " " + names[f]);
    const auto index = load_area_index(run, path, "", table.target_crs);
    AreaGrouping g = group(io::shapes(*layer), *index, table.incidents, "hotspot", labels);
    reporter.info("hotspots   " + path + ": " + std::to_string(g.names.size()) + " hotspots");
    return g;
}

} // namespace hotspot::app

namespace hotspot::app
{

AreaGrouping group_by_shapes(std::string kind, std::vector<std::string> names,
                             std::vector<engine::MultiPolygon> shapes,
                             const io::OffenceTable& table)
{
    const engine::AreaIndex index(shapes);
    return group(shapes, index, table.incidents, std::move(kind), names);
}

} // namespace hotspot::app
