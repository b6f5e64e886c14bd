// Offences from any OGR vector source: point geometries, or a table with coordinate columns.

#include "gdal_util.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/csv.hpp"
#include "offence_readers.hpp"

#include <algorithm>
#include <deque>

namespace hotspot::io::detail
{

namespace
{
std::int64_t feature_row(OGRFeature& feature, std::int64_t sequence)
{
    return feature.GetFID() == OGRNullFID ? sequence : feature.GetFID();
}
} // namespace

SourcePart read_ogr_part(const PartRequest& q)
{
    const std::string& path = q.file.path;
    const OffenceSource& source = q.source;
    SourcePart part;
    part.path = path;
    auto dataset = open_vector(path);
    const SourceLayer layer = open_layer(*dataset, path, source.layer, source.sql);
    const std::vector<std::string> names = field_names(*layer);
    const bool has_geometry = layer->GetGeomType() != wkbNone;
    const FieldRoles roles = detect_roles(path, names, source, !has_geometry);
    part.format = dataset->GetDriver() ? dataset->GetDriver()->GetDescription() : "OGR";
    part.fields_used = describe_roles(names, roles);
    part.has_dates = roles.date >= 0;
    part.has_types = roles.type >= 0;
    // Not "fid": that is the feature id column a GeoPackage or PostGIS table written from these
    // records has of its own.
    part.field_names.push_back("source_fid");
    part.field_names.insert(part.field_names.end(), names.begin(), names.end());
    if (has_geometry)
        part.field_names.push_back("geometry_wkt");
    for (const auto& n : part.field_names)
        part.raw_header += (part.raw_header.empty() ? "" : ",") + csv_quote(n);

    if (!source.crs.empty())
        part.source_crs = parse_crs(source.crs);
    else if (const OGRSpatialReference* srs = layer->GetSpatialRef())
    {
        char* wkt = nullptr;
        const char* wkt_options[] = {"FORMAT=WKT2_2018", nullptr};
        srs->exportToWkt(&wkt, wkt_options);
        part.source_crs = parse_crs(wkt ? wkt : "");
        CPLFree(wkt);
    }
    else
        throw Error(Errc::Usage,
                    path +
                        ": the layer has no CRS; give it with --crs (for example --crs EPSG:4326)");

    ClassifierSetup setup{roles,
                          part.source_crs.geographic,
                          q.options.keep_raw,
                          q.options.list_rejected,
                          true,
                          q.filter,
                          roles.x >= 0 ? names[static_cast<std::size_t>(roles.x)] : "x",
                          roles.y >= 0 ? names[static_cast<std::size_t>(roles.y)] : "y"};
    setup.drop_untimed = source.drop_untimed;
    Classifier classifier(setup, part.columns);
    // The record texts kept must outlive the reading: a deque of owned strings never moves them.
    auto owned = std::make_shared<std::deque<std::string>>();
    part.storage.push_back(owned);
    std::vector<std::string> values(names.size());
    std::string problem;
    std::int64_t sequence = 0;
    const GIntBig expected = layer->GetFeatureCount(FALSE);
    const std::size_t bytes = file_size(path);
    std::size_t reported = 0;
    layer->ResetReading();
    while (FeaturePtr feature{layer->GetNextFeature()})
    {
        ++sequence;
        if (q.bytes_read && expected > 0 && sequence % 65536 == 0)
        {
            const auto done = static_cast<std::size_t>(
                static_cast<double>(bytes) *
                std::min(1.0, static_cast<double>(sequence) / static_cast<double>(expected)));
            q.bytes_read(done - std::min(done, reported));
            reported = std::max(done, reported);
        }
        RowValues r;
        r.row = record_key(q.file_index, feature_row(*feature, sequence));
        for (std::size_t i = 0; i < names.size(); ++i)
            values[i] = feature->IsFieldSetAndNotNull(static_cast<int>(i))
                            ? feature->GetFieldAsString(static_cast<int>(i))
                            : "";
        const auto value = [&](int i) -> std::string_view {
            return i >= 0 ? std::string_view(values[static_cast<std::size_t>(i)])
                          : std::string_view();
        };
        r.date = value(roles.date);
        r.time = value(roles.time);
        r.end_date = value(roles.end_date);
        r.end_time = value(roles.end_time);
        r.type = value(roles.type);
        r.id = value(roles.id);
        r.code = value(roles.code);
        r.weight = value(roles.weight);
        std::string geometry_wkt;
        if (has_geometry)
        {
            const OGRGeometry* g = feature->GetGeometryRef();
            if (!g || g->IsEmpty())
                r.location_problem = "no geometry";
            else if (wkbFlatten(g->getGeometryType()) == wkbPoint)
            {
                r.has_point = true;
                r.point_x = g->toPoint()->getX();
                r.point_y = g->toPoint()->getY();
            }
            else if (wkbFlatten(g->getGeometryType()) == wkbMultiPoint &&
                     g->toMultiPoint()->getNumGeometries() == 1)
            {
                r.has_point = true;
                r.point_x = g->toMultiPoint()->getGeometryRef(0)->getX();
                r.point_y = g->toMultiPoint()->getGeometryRef(0)->getY();
            }
            else
            {
                problem = std::string("a ") + g->getGeometryName() + ", not a point";
                r.location_problem = problem;
            }
            if (q.options.keep_raw && g)
                geometry_wkt = g->exportToWkt();
        }
        else
        {
            r.x = value(roles.x);
            r.y = value(roles.y);
        }
        if (q.options.keep_raw)
        {
            std::string raw = std::to_string(feature_row(*feature, sequence));
            for (const auto& v : values)
                raw += "," + csv_quote(v);
            if (has_geometry)
                raw += "," + csv_quote(geometry_wkt);
            r.raw = owned->emplace_back(std::move(raw));
        }
        classifier.add(r);
    }
    if (q.bytes_read)
        q.bytes_read(bytes - std::min(bytes, reported));

    const std::string layer_name = source.layer, sql = source.sql;
    const int id_field = roles.id;
    part.read_ids = [path, layer_name, sql, id_field](const std::vector<std::int64_t>& wanted)
    {
        std::vector<std::string> ids(wanted.size());
        auto again = open_vector(path);
        const SourceLayer l = open_layer(*again, path, layer_name, sql);
        std::int64_t n = 0;
        l->ResetReading();
        while (FeaturePtr f{l->GetNextFeature()})
        {
            const std::int64_t row = feature_row(*f, ++n);
            const auto it = std::lower_bound(wanted.begin(), wanted.end(), row);
            if (it != wanted.end() && *it == row && id_field >= 0)
                ids[static_cast<std::size_t>(it - wanted.begin())] =
                    std::string(engine::trim(f->GetFieldAsString(id_field)));
        }
        return ids;
    };
    return part;
}

} // namespace hotspot::io::detail
