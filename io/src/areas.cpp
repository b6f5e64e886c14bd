#include "hotspot/io/areas.hpp"

#include "gdal_util.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"

#include <ogr_geometry.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace hotspot::io
{

namespace
{
engine::Ring to_ring(const OGRLinearRing& ring)
{
    engine::Ring out;
    out.reserve(static_cast<std::size_t>(ring.getNumPoints()));
    for (int i = 0; i < ring.getNumPoints(); ++i)
        out.push_back({ring.getX(i), ring.getY(i)});
    return out;
}

void append_polygons(const OGRGeometry& g, engine::MultiPolygon& out)
{
    switch (wkbFlatten(g.getGeometryType()))
    {
    case wkbPolygon:
    {
        const OGRPolygon& p = *g.toPolygon();
        if (!p.getExteriorRing())
            return;
        engine::Polygon polygon;
        polygon.outer = to_ring(*p.getExteriorRing());
        for (int i = 0; i < p.getNumInteriorRings(); ++i)
            polygon.holes.push_back(to_ring(*p.getInteriorRing(i)));
        out.push_back(std::move(polygon));
        return;
    }
    case wkbMultiPolygon:
    case wkbGeometryCollection:
        for (const OGRGeometry* part : *g.toGeometryCollection())
            append_polygons(*part, out);
        return;
    default:
        return; // lines and points left over from a repair carry no area
    }
}
// Every ring of every feature, so that the whole layer is transformed in one parallel call.
template <class F> void for_each_ring(std::vector<AreaFeature>& features, F&& f)
{
    for (auto& feature : features)
        for (auto& polygon : feature.shape)
        {
            f(polygon.outer);
            for (auto& hole : polygon.holes)
                f(hole);
        }
}

void project_all(std::vector<AreaFeature>& features, const Reprojector& reproject)
{
    if (reproject.is_identity())
        return;
    std::vector<double> xs, ys;
    for_each_ring(features,
                  [&](const engine::Ring& ring)
                  {
                      for (const auto& p : ring)
                      {
                          xs.push_back(p.x);
                          ys.push_back(p.y);
                      }
                  });
    reproject.transform(xs, ys);
    std::size_t k = 0;
    for_each_ring(features,
                  [&](engine::Ring& ring)
                  {
                      for (auto& p : ring)
                      {
                          p = {xs[k], ys[k]};
                          ++k;
                      }
                  });
}
} // namespace

std::map<std::string, double> read_area_populations(const std::string& path)
{
    const std::string text = read_text_file(path);
    CsvReader reader(text, path);
    std::vector<std::string_view> fields;
    if (!reader.next(fields) || fields.size() < 2)
        throw Error(Errc::BadData, path + ": a population table needs a header and two columns "
                                          "(area code, residents)");
    std::size_t column = 1;
    for (std::size_t f = 1; f < fields.size(); ++f)
        for (const char* name : {"residents", "population", "usual_residents"})
            if (engine::same_text(fields[f], name))
                column = f;
    std::map<std::string, double> out;
    while (reader.next(fields))
    {
        const std::string where = path + ": line " + std::to_string(reader.line());
        double residents = 0;
        if (fields.size() <= column || !parse_number(fields[column], residents) || residents < 0)
            throw Error(Errc::BadData, where + ": residents '" +
                                           std::string(fields.size() > column ? fields[column]
                                                                              : std::string_view()) +
                                           "' is not a count");
        if (!out.emplace(std::string(engine::trim(fields[0])), residents).second)
            throw Error(Errc::BadData,
                        where + ": area " + std::string(engine::trim(fields[0])) + " given twice");
    }
    return out;
}

std::vector<std::string> layer_field_names(const std::string& path, const std::string& layer_name)
{
    auto dataset = detail::open_vector(path);
    return detail::field_names(*detail::pick_layer(*dataset, path, layer_name));
}

bool is_ons_geography(const std::vector<std::string>& field_names)
{
    // ONS codes its geographies' fields as letters, a two-digit year and CD: LAD13CD, WD19CD.
    return std::any_of(field_names.begin(), field_names.end(),
                       [](const std::string& f)
                       {
                           const std::size_t n = f.size();
                           if (n < 5 || (f.substr(n - 2) != "CD" && f.substr(n - 2) != "cd"))
                               return false;
                           if (!std::isdigit(static_cast<unsigned char>(f[n - 3])) ||
                               !std::isdigit(static_cast<unsigned char>(f[n - 4])))
                               return false;
                           return std::all_of(f.begin(), f.end() - 4, [](char c)
                                              { return std::isalpha(static_cast<unsigned char>(c)); });
                       });
}

AreaLayer read_areas(const std::string& path, const std::string& layer_name, const Crs& target)
{
    auto dataset = detail::open_vector(path);
    OGRLayer* layer = detail::pick_layer(*dataset, path, layer_name);
    AreaLayer out;
    out.path = path;
    out.field_names = detail::field_names(*layer);
    const OGRSpatialReference* srs = layer->GetSpatialRef();
    if (!srs)
        throw Error(Errc::BadData, path + ": the boundary layer has no CRS");
    {
        char* wkt = nullptr;
        const char* wkt_options[] = {"FORMAT=WKT2_2018", nullptr};
        srs->exportToWkt(&wkt, wkt_options);
        out.source_crs = parse_crs(wkt ? wkt : "");
        CPLFree(wkt);
    }
    const Reprojector reproject(out.source_crs, target);

    std::int64_t skipped = 0;
    layer->ResetReading();
    while (detail::FeaturePtr feature{layer->GetNextFeature()})
    {
        AreaFeature area;
        area.fid = feature->GetFID();
        for (int i = 0; i < static_cast<int>(out.field_names.size()); ++i)
            area.values.emplace_back(feature->IsFieldSetAndNotNull(i) ? feature->GetFieldAsString(i)
                                                                      : "");
        const OGRGeometry* g = feature->GetGeometryRef();
        if (!g || g->IsEmpty())
        {
            ++skipped;
            continue;
        }
        std::unique_ptr<OGRGeometry> repaired;
        if (!g->IsValid())
        {
            repaired.reset(g->MakeValid());
            if (!repaired)
                throw Error(Errc::BadData, path + ": feature " + std::to_string(area.fid) +
                                               " has an invalid polygon that cannot be repaired");
            std::string label = std::to_string(area.fid);
            if (!area.values.empty())
                label = area.values.front();
            out.warnings.push_back(path + ": repaired the invalid polygon of feature " + label);
            g = repaired.get();
        }
        append_polygons(*g, area.shape);
        if (area.shape.empty())
        {
            ++skipped;
            continue;
        }
        out.features.push_back(std::move(area));
    }
    project_all(out.features, reproject);
    if (skipped > 0)
        out.warnings.push_back(path + ": skipped " + std::to_string(skipped) +
                               " features with no polygon");
    if (out.features.empty())
        throw Error(Errc::BadData, path + ": the layer holds no polygon");
    return out;
}

std::size_t field_index(const AreaLayer& layer, const std::string& field, const std::string& option)
{
    for (std::size_t i = 0; i < layer.field_names.size(); ++i)
        if (engine::same_text(layer.field_names[i], field))
            return i;
    throw Error(Errc::Usage,
                layer.path + ": " + option + " '" + field +
                    "' is not a field; fields are: " + engine::join(layer.field_names));
}

std::vector<std::string> field_values(const AreaLayer& layer, std::size_t field)
{
    std::vector<std::string> out;
    out.reserve(layer.features.size());
    for (const auto& f : layer.features)
        out.push_back(f.values[field]);
    return out;
}

std::vector<engine::MultiPolygon> shapes(const AreaLayer& layer)
{
    std::vector<engine::MultiPolygon> out;
    out.reserve(layer.features.size());
    for (const auto& f : layer.features)
        out.push_back(f.shape);
    return out;
}

std::vector<std::pair<std::string, std::string>> read_aliases(const std::string& path)
{
    const std::string text = read_text_file(path);
    CsvReader reader(text, path);
    std::vector<std::string_view> fields;
    if (!reader.next(fields) || fields.size() < 2 || !engine::same_text(fields[0], "old_code") ||
        !engine::same_text(fields[1], "new_code"))
        throw Error(Errc::BadData,
                    path + ": an alias file starts with the header old_code,new_code");
    std::vector<std::pair<std::string, std::string>> aliases;
    while (reader.next(fields))
    {
        if (fields.size() < 2 || engine::fold(fields[0]).empty() || engine::fold(fields[1]).empty())
            throw Error(Errc::BadData, path + ": line " + std::to_string(reader.line()) +
                                           ": needs an old code and a new code");
        aliases.emplace_back(std::string(fields[0]), std::string(fields[1]));
    }
    return aliases;
}

std::vector<std::size_t> find_area(const AreaLayer& layer, const std::string& name_or_code)
{
    std::vector<std::size_t> found;
    if (name_or_code == "*") // the whole layer: a city of police districts
    {
        for (std::size_t i = 0; i < layer.features.size(); ++i)
            found.push_back(i);
        return found;
    }
    for (std::size_t i = 0; i < layer.features.size(); ++i)
        for (const auto& value : layer.features[i].values)
            if (engine::same_text(value, name_or_code))
            {
                found.push_back(i);
                break;
            }
    if (!found.empty())
        return found;
    std::set<std::string> distinct;
    for (const auto& f : layer.features)
        for (const auto& v : f.values)
            if (!v.empty())
                distinct.insert(v);
    const auto near = engine::near_matches(name_or_code, {distinct.begin(), distinct.end()});
    throw Error(Errc::Usage,
                layer.path + ": no area named or coded '" + name_or_code + "'" +
                    (near.empty() ? std::string() : "; nearest: " + engine::join(near)));
}

} // namespace hotspot::io
