#include "hotspot/io/offences.hpp"

#include "gdal_util.hpp"
#include "hotspot/engine/text.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <filesystem>
#include <unordered_map>

#include <tbb/parallel_sort.h>

namespace hotspot::io
{

namespace
{
using engine::MonthIndex;
using engine::trim;

constexpr std::array<std::string_view, reject_reason_count> reason_names{
    "malformed_row",   "bad_date",         "outside_period",    "excluded_crime_type",
    "no_location",     "not_a_point",      "bad_coordinate",    "out_of_range",
    "swapped_lat_lon", "outside_crs_area", "projection_failed", "bad_weight",
    "duplicate_id"};

// Index of the field named `wanted` (ignoring case), or -1.
int find_field(const std::vector<std::string>& names, std::string_view wanted)
{
    for (std::size_t i = 0; i < names.size(); ++i)
        if (engine::same_text(names[i], wanted))
            return static_cast<int>(i);
    return -1;
}

int find_any(const std::vector<std::string>& names,
             std::initializer_list<std::string_view> candidates)
{
    for (const auto candidate : candidates)
        if (const int i = find_field(names, candidate); i >= 0)
            return i;
    return -1;
}

// The index of an explicitly named field, or of the first detected candidate; -1 when neither.
int resolve_field(const std::string& path, const std::vector<std::string>& names,
                  const std::string& explicit_name, const std::string& option,
                  std::initializer_list<std::string_view> candidates)
{
    if (!explicit_name.empty())
    {
        const int i = find_field(names, explicit_name);
        if (i < 0)
            throw Error(Errc::Usage, path + ": " + option + " '" + explicit_name +
                                         "' is not a field; fields are: " + engine::join(names));
        return i;
    }
    return find_any(names, candidates);
}

bool is_lonlat_name(std::string_view name)
{
    for (const auto candidate : {"longitude", "lon", "lng", "long", "latitude", "lat"})
        if (engine::same_text(name, candidate))
            return true;
    return false;
}

// Lets a map keyed by std::string be searched with a string_view, without building a string per
// row.
struct TextHash
{
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const
    {
        return std::hash<std::string_view>{}(text);
    }
};

struct FieldRoles
{
    int x = -1, y = -1, date = -1, type = -1, id = -1, weight = -1, code = -1;
};

// One record as the readers hand it over: text fields, or a point from a geometry.
struct RowValues
{
    std::int64_t row = 0;
    std::string_view malformed; // non-empty: why the record's shape is wrong
    bool has_point = false;     // from a geometry rather than text
    double point_x = 0, point_y = 0;
    std::string_view location_problem; // geometry sources: "no geometry", "a LineString"...
    std::string_view x, y, date, type, id, weight, code;
    std::string_view raw;
};

struct Candidate
{
    std::int64_t row;
    double x, y, weight;
    MonthIndex month;
    std::int32_t type;
    std::string_view id;
    std::string_view code;
    std::string_view raw;
};

// Applies the filters and checks to each record, in a fixed order so that every record gets one
// reason: the analyst's own filters first (period, crime type), then the location, then the weight.
class Classifier
{
  public:
    Classifier(const FieldRoles& roles, bool geographic, bool keep_raw, OffenceTable& table)
        : m_roles(roles), m_geographic(geographic), m_keep_raw(keep_raw), m_table(table)
    {
    }

    void add(const RowValues& r)
    {
        ++m_table.records_read;
        if (!r.malformed.empty())
            return reject(r.row, RejectReason::MalformedRow, std::string(r.malformed), r.raw);

        MonthIndex month = engine::no_month;
        if (m_roles.date >= 0)
            if (const auto m = parse_month(r.date))
                month = *m;
        const std::int32_t type = m_roles.type >= 0 ? type_index(trim(r.type)) : -1;

        double x = r.point_x, y = r.point_y;
        const auto unusable = [&](RejectReason reason, std::string detail)
        {
            location_failed(r.row, reason, std::move(detail), month, type, trim(r.id), trim(r.code),
                            r.raw);
        };
        if (!r.location_problem.empty())
        {
            const auto reason = r.location_problem == "no geometry" ? RejectReason::NoLocation
                                                                    : RejectReason::NotAPoint;
            return unusable(reason, std::string(r.location_problem));
        }
        if (!r.has_point)
        {
            const std::string_view xs = trim(r.x), ys = trim(r.y);
            if (xs.empty() && ys.empty())
                return unusable(RejectReason::NoLocation, "no coordinates");
            if (!parse_number(xs, x))
                return unusable(RejectReason::BadCoordinate,
                                x_name() + " '" + std::string(xs) + "' is not a number");
            if (!parse_number(ys, y))
                return unusable(RejectReason::BadCoordinate,
                                y_name() + " '" + std::string(ys) + "' is not a number");
        }
        if (m_geographic && (std::abs(x) > 180.0 || std::abs(y) > 90.0))
        {
            std::string detail =
                "longitude " + number(x) + ", latitude " + number(y) + " out of range";
            if (std::abs(y) > 90.0 && std::abs(x) <= 90.0)
            {
                detail += " (latitude and longitude swapped?)";
                ++m_swapped_out_of_range;
            }
            return unusable(RejectReason::OutOfRange, detail);
        }

        double weight = 1.0;
        if (m_roles.weight >= 0)
        {
            const std::string_view ws = trim(r.weight);
            if (!parse_number(ws, weight))
                return reject(r.row, RejectReason::BadWeight,
                              "weight '" + std::string(ws) + "' is not a number", r.raw);
            if (weight < 0)
                return reject(r.row, RejectReason::BadWeight,
                              "weight " + std::string(ws) + " is negative", r.raw);
        }
        m_candidates.push_back({r.row, x, y, weight, month, type, trim(r.id), trim(r.code), r.raw});
    }

    // A record whose location cannot be used: kept aside with its reason (derive_table decides).
    void location_failed(std::int64_t row, RejectReason reason, std::string detail,
                         MonthIndex month, std::int32_t type, std::string_view id,
                         std::string_view code, std::string_view raw)
    {
        m_table.unlocated.push_back({row, reason, std::move(detail), month, type, id, code,
                                     m_keep_raw ? raw : std::string_view()});
    }

    void reject(std::int64_t row, RejectReason reason, std::string detail, std::string_view raw)
    {
        ++m_table.rejected_by_reason[static_cast<std::size_t>(reason)];
        m_table.rejected.push_back(
            {row, reason, std::move(detail), m_keep_raw ? std::string(raw) : std::string()});
    }

    std::vector<Candidate>& candidates() { return m_candidates; }
    std::int64_t swapped_out_of_range() const { return m_swapped_out_of_range; }

    std::vector<std::string> x_y_names;

  private:
    std::int32_t type_index(std::string_view text)
    {
        if (const auto it = m_type_of.find(text); it != m_type_of.end())
            return it->second;
        // Types are matched ignoring case, so "Burglary" and "BURGLARY" are one type.
        const std::string folded = engine::fold(text);
        std::int32_t index = -1;
        for (std::size_t i = 0; i < m_table.incidents.crime_type_names.size(); ++i)
            if (engine::fold(m_table.incidents.crime_type_names[i]) == folded)
                index = static_cast<std::int32_t>(i);
        if (index < 0)
        {
            index = static_cast<std::int32_t>(m_table.incidents.crime_type_names.size());
            m_table.incidents.crime_type_names.emplace_back(text);
        }
        m_type_of.emplace(std::string(text), index);
        return index;
    }
    std::string x_name() const { return x_y_names.size() == 2 ? x_y_names[0] : "x"; }
    std::string y_name() const { return x_y_names.size() == 2 ? x_y_names[1] : "y"; }
    static std::string number(double v)
    {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.6g", v);
        return buffer;
    }

    FieldRoles m_roles;
    bool m_geographic;
    bool m_keep_raw;
    OffenceTable& m_table;
    std::unordered_map<std::string, std::int32_t, TextHash, std::equal_to<>>
        m_type_of; // by exact spelling
    std::vector<Candidate> m_candidates;
    std::int64_t m_swapped_out_of_range = 0;
};

std::string describe_roles(const std::vector<std::string>& names, const FieldRoles& roles)
{
    std::string out;
    const auto add = [&](const char* role, int i)
    {
        if (i < 0)
            return;
        if (!out.empty())
            out += ", ";
        out += std::string(role) + "='" + names[static_cast<std::size_t>(i)] + "'";
    };
    add("x", roles.x);
    add("y", roles.y);
    add("date", roles.date);
    add("type", roles.type);
    add("id", roles.id);
    add("weight", roles.weight);
    add("code", roles.code);
    return out;
}

FieldRoles detect_roles(const std::string& path, const std::vector<std::string>& names,
                        const OffenceSource& s, bool need_xy)
{
    FieldRoles roles;
    if (need_xy)
    {
        roles.x = resolve_field(
            path, names, s.x_field, "--x-field",
            {"x", "easting", "longitude", "lon", "lng", "long", "point_x", "x_coord"});
        roles.y = resolve_field(path, names, s.y_field, "--y-field",
                                {"y", "northing", "latitude", "lat", "point_y", "y_coord"});
        if (roles.x < 0 || roles.y < 0)
            throw Error(Errc::Usage,
                        path +
                            ": no coordinate columns found; name them with --x-field and --y-field "
                            "(fields are: " +
                            engine::join(names) + ")");
    }
    roles.date =
        resolve_field(path, names, s.date_field, "--date-field",
                      {"month", "date", "occurred", "date_occurred", "datetime", "reported_date"});
    roles.type = resolve_field(
        path, names, s.type_field, "--type-field",
        {"crime type", "crime_type", "offence type", "offence_type", "category", "type"});
    roles.id =
        resolve_field(path, names, s.id_field, "--id-field",
                      {"crime id", "crime_id", "incident_id", "offence_id", "crime_ref", "id"});
    roles.weight = resolve_field(path, names, s.weight_field, "--weight-field", {});
    roles.code = resolve_field(path, names, s.code_field, "--code-field", {});
    return roles;
}

void describe_source(OffenceTable& table, const OffenceSource& source,
                     const std::vector<std::string>& names, const FieldRoles& roles)
{
    table.source_path = source.path;
    table.fields_used = describe_roles(names, roles);
    table.has_dates = roles.date >= 0;
    table.has_types = roles.type >= 0;
}

bool is_csv_path(const std::string& path)
{
    const std::string ext = engine::fold(std::filesystem::path(path).extension().string());
    return ext == ".csv" || ext == ".txt";
}

bool is_police_uk_header(const std::vector<std::string>& names)
{
    for (const auto* required : {"Crime ID", "Month", "Longitude", "Latitude", "Crime type"})
        if (std::find(names.begin(), names.end(), required) == names.end())
            return false;
    return true;
}

// The median of a column, for choosing the CRS by where most of the data lie.
double median(std::vector<double> values)
{
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

constexpr std::size_t no_duplicate = static_cast<std::size_t>(-1);

// Everything after the records are read: the target CRS, its area, the projection, duplicates,
// and the final table. Shared by every kind of source.
void finish(OffenceTable& table, Classifier& classifier, const OffenceSource& source,
            const ReadOptions& options)
{
    const std::string& path = source.path;
    auto& candidates = classifier.candidates();
    const std::int64_t located =
        static_cast<std::int64_t>(candidates.size()) + classifier.swapped_out_of_range();
    if (classifier.swapped_out_of_range() > 0 && 2 * classifier.swapped_out_of_range() > located)
        throw Error(
            Errc::BadData,
            path + ": " + std::to_string(classifier.swapped_out_of_range()) + " of " +
                std::to_string(located) +
                " located records have a latitude beyond 90 degrees: longitude and latitude "
                "look swapped (check --x-field and --y-field)");

    // Where the data lie, in longitude/latitude, to choose a CRS and to spot swapped axes.
    const Crs lonlat = wgs84();
    engine::Point2 centre{std::numeric_limits<double>::quiet_NaN(),
                          std::numeric_limits<double>::quiet_NaN()};
    if (!candidates.empty())
    {
        std::vector<double> xs, ys;
        xs.reserve(candidates.size());
        ys.reserve(candidates.size());
        for (const auto& c : candidates)
        {
            xs.push_back(c.x);
            ys.push_back(c.y);
        }
        centre = {median(std::move(xs)), median(std::move(ys))};
        if (!table.source_crs.geographic)
            centre = Reprojector(table.source_crs, lonlat).transform(centre);
    }

    if (options.target_crs.empty())
    {
        if (candidates.empty())
            table.target_crs = parse_crs("EPSG:27700");
        else
        {
            if (table.source_crs.geographic && !in_great_britain(centre.x, centre.y) &&
                in_great_britain(centre.y, centre.x))
                throw Error(Errc::BadData,
                            path + ": the data's centre (longitude " + std::to_string(centre.x) +
                                ", latitude " + std::to_string(centre.y) +
                                ") lies in Great Britain only with longitude and latitude swapped: "
                                "check --x-field and --y-field");
            table.target_crs = default_target_crs(centre.x, centre.y, table.target_crs_reason);
        }
    }
    else
        table.target_crs = parse_crs(options.target_crs);
    require_metric(table.target_crs, "--target-crs");

    // Records outside the target CRS's area of use would be projected with large distortion.
    if (table.source_crs.geographic && table.target_crs.area_of_use)
    {
        const engine::Box2 area = *table.target_crs.area_of_use;
        const auto inside = [&](double lon, double lat)
        { return lon >= area.xmin && lon <= area.xmax && lat >= area.ymin && lat <= area.ymax; };
        std::erase_if(
            candidates,
            [&](const Candidate& c)
            {
                if (inside(c.x, c.y))
                    return false;
                const bool swapped = inside(c.y, c.x);
                classifier.location_failed(
                    c.row, swapped ? RejectReason::SwappedLatLon : RejectReason::OutsideCrsArea,
                    "longitude " + std::to_string(c.x) + ", latitude " + std::to_string(c.y) +
                        (swapped
                             ? " lies in " + table.target_crs.label() + "'s area only when swapped"
                             : " is outside " + table.target_crs.label() + "'s area of use"),
                    c.month, c.type, c.id, c.code, c.raw);
                return true;
            });
    }

    std::vector<double> xs(candidates.size()), ys(candidates.size());
    for (std::size_t i = 0; i < candidates.size(); ++i)
    {
        xs[i] = candidates[i].x;
        ys[i] = candidates[i].y;
    }
    Reprojector(table.source_crs, table.target_crs).transform(xs, ys);

    auto& inc = table.incidents;
    inc.reserve(candidates.size());
    const bool has_code = !source.code_field.empty();
    for (std::size_t i = 0; i < candidates.size(); ++i)
    {
        const Candidate& c = candidates[i];
        if (std::isnan(xs[i]))
        {
            classifier.location_failed(c.row, RejectReason::ProjectionFailed,
                                       "cannot be transformed to " + table.target_crs.label(),
                                       c.month, c.type, c.id, c.code, c.raw);
            continue;
        }
        inc.add(xs[i], ys[i], c.weight, c.month, c.type, c.row);
        table.ids.push_back(c.id);
        if (has_code)
            table.codes.push_back(c.code);
        if (options.keep_raw)
            table.raw.push_back(c.raw);
    }
    std::stable_sort(table.unlocated.begin(), table.unlocated.end(),
                     [](const UnlocatedRecord& a, const UnlocatedRecord& b)
                     { return a.row < b.row; });
    std::stable_sort(table.rejected.begin(), table.rejected.end(),
                     [](const RejectedRecord& a, const RejectedRecord& b)
                     { return a.row < b.row; });
}

OffenceTable read_csv(const OffenceSource& source, const ReadOptions& options)
{
    OffenceTable table;
    const auto file = std::make_shared<const MappedFile>(source.path);
    table.storage = file; // the record and code views point into the mapped file
    const std::string_view text = file->text();
    CsvReader reader(text, source.path);
    std::vector<std::string_view> fields;
    if (!reader.next(fields))
        throw Error(Errc::BadData, source.path + ": the file is empty");
    const std::vector<std::string> names(fields.begin(), fields.end());
    table.raw_header = std::string(text.substr(reader.record_offset(), reader.record_length()));
    table.field_names = names;

    OffenceSource s = source;
    const bool police_uk = is_police_uk_header(names);
    if (police_uk)
    {
        table.format = "police.uk street-level CSV";
        const auto fill = [](std::string& field, const char* value)
        {
            if (field.empty())
                field = value;
        };
        fill(s.x_field, "Longitude");
        fill(s.y_field, "Latitude");
        fill(s.date_field, "Month");
        fill(s.type_field, "Crime type");
        fill(s.id_field, "Crime ID");
    }
    else
        table.format = "CSV";
    const FieldRoles roles = detect_roles(source.path, names, s, true);
    describe_source(table, source, names, roles);

    if (!s.crs.empty())
        table.source_crs = parse_crs(s.crs);
    else if (police_uk || (is_lonlat_name(names[static_cast<std::size_t>(roles.x)]) &&
                           is_lonlat_name(names[static_cast<std::size_t>(roles.y)])))
        table.source_crs = wgs84();
    else
        throw Error(Errc::Usage, source.path + ": coordinates '" +
                                     names[static_cast<std::size_t>(roles.x)] + "', '" +
                                     names[static_cast<std::size_t>(roles.y)] +
                                     "' need their CRS: add --crs (for example --crs EPSG:27700)");

    Classifier classifier(roles, table.source_crs.geographic, options.keep_raw, table);
    classifier.x_y_names = {names[static_cast<std::size_t>(roles.x)],
                            names[static_cast<std::size_t>(roles.y)]};
    const std::size_t expected = names.size();
    const auto field = [&](int i)
    { return i >= 0 ? fields[static_cast<std::size_t>(i)] : std::string_view(); };
    std::string malformed;
    std::int64_t since_report = 0;
    while (reader.next(fields))
    {
        if (options.progress && ++since_report == 65536)
        {
            options.progress(static_cast<double>(reader.record_offset()) /
                             static_cast<double>(text.size()));
            since_report = 0;
        }
        RowValues r;
        r.row = reader.line();
        r.raw = text.substr(reader.record_offset(), reader.record_length());
        if (fields.size() != expected)
        {
            malformed = "expected " + std::to_string(expected) + " fields, found " +
                        std::to_string(fields.size());
            r.malformed = malformed;
        }
        else
        {
            r.x = field(roles.x);
            r.y = field(roles.y);
            r.date = field(roles.date);
            r.type = field(roles.type);
            r.id = field(roles.id);
            r.weight = field(roles.weight);
            r.code = field(roles.code);
        }
        classifier.add(r);
    }
    finish(table, classifier, source, options);
    return table;
}

OffenceTable read_ogr(const OffenceSource& source, const ReadOptions& options)
{
    OffenceTable table;
    auto dataset = detail::open_vector(source.path);
    OGRLayer* layer = detail::pick_layer(*dataset, source.path, source.layer);
    const std::vector<std::string> names = detail::field_names(*layer);
    const bool has_geometry = layer->GetGeomType() != wkbNone;
    const FieldRoles roles = detect_roles(source.path, names, source, !has_geometry);
    table.format = dataset->GetDriver() ? dataset->GetDriver()->GetDescription() : "OGR";
    describe_source(table, source, names, roles);
    table.field_names.push_back("fid");
    table.field_names.insert(table.field_names.end(), names.begin(), names.end());
    if (has_geometry)
        table.field_names.push_back("geometry_wkt");
    for (const auto& n : table.field_names)
        table.raw_header += (table.raw_header.empty() ? "" : ",") + csv_quote(n);

    if (!source.crs.empty())
        table.source_crs = parse_crs(source.crs);
    else if (const OGRSpatialReference* srs = layer->GetSpatialRef())
    {
        char* wkt = nullptr;
        const char* wkt_options[] = {"FORMAT=WKT2_2018", nullptr};
        srs->exportToWkt(&wkt, wkt_options);
        table.source_crs = parse_crs(wkt ? wkt : "");
        CPLFree(wkt);
    }
    else
        throw Error(Errc::Usage,
                    source.path +
                        ": the layer has no CRS; give it with --crs (for example --crs EPSG:4326)");

    Classifier classifier(roles, table.source_crs.geographic, options.keep_raw, table);
    // Views handed to the classifier must outlive it: a deque of owned strings never moves them.
    auto owned = std::make_shared<std::deque<std::string>>();
    table.storage = owned;
    std::deque<std::string>& store = *owned;
    std::vector<std::string> values(names.size());
    std::int64_t sequence = 0;
    const GIntBig expected = options.progress ? layer->GetFeatureCount(FALSE) : -1;
    layer->ResetReading();
    while (detail::FeaturePtr feature{layer->GetNextFeature()})
    {
        ++sequence;
        if (expected > 0 && sequence % 65536 == 0)
            options.progress(
                std::min(1.0, static_cast<double>(sequence) / static_cast<double>(expected)));
        RowValues r;
        r.row = feature->GetFID() == OGRNullFID ? sequence : feature->GetFID();
        for (std::size_t i = 0; i < names.size(); ++i)
            values[i] = feature->IsFieldSetAndNotNull(static_cast<int>(i))
                            ? feature->GetFieldAsString(static_cast<int>(i))
                            : "";
        const auto keep = [&](int i) -> std::string_view
        {
            return i >= 0
                       ? std::string_view(store.emplace_back(values[static_cast<std::size_t>(i)]))
                       : std::string_view();
        };
        r.date = keep(roles.date);
        r.type = keep(roles.type);
        r.id = keep(roles.id);
        r.code = keep(roles.code);
        r.weight = roles.weight >= 0
                       ? std::string_view(values[static_cast<std::size_t>(roles.weight)])
                       : std::string_view();
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
                r.location_problem = std::string_view(
                    store.emplace_back(std::string("a ") + g->getGeometryName() + ", not a point"));
            if (options.keep_raw && g)
                geometry_wkt = g->exportToWkt();
        }
        else
        {
            r.x = values[static_cast<std::size_t>(roles.x)];
            r.y = values[static_cast<std::size_t>(roles.y)];
        }
        if (options.keep_raw)
        {
            std::string raw = std::to_string(r.row);
            for (const auto& v : values)
                raw += "," + csv_quote(v);
            if (has_geometry)
                raw += "," + csv_quote(geometry_wkt);
            r.raw = store.emplace_back(std::move(raw));
        }
        classifier.add(r);
    }
    finish(table, classifier, source, options);
    return table;
}
// For every located record, the previous one carrying the same id (-1 for the first, or no id).
// Sorting (hash, index) pairs and comparing strings only within equal hashes is far faster than a
// hash map over a million police.uk ids of 64 characters.
void link_same_ids(OffenceTable& table)
{
    const std::size_t n = table.ids.size();
    table.previous_with_id.assign(n, -1);
    std::vector<std::pair<std::size_t, std::size_t>> keyed;
    keyed.reserve(n);
    const std::hash<std::string_view> hash;
    for (std::size_t i = 0; i < n; ++i)
        if (!table.ids[i].empty())
            keyed.emplace_back(hash(table.ids[i]), i);
    tbb::parallel_sort(keyed.begin(), keyed.end());
    for (std::size_t a = 0; a < keyed.size();)
    {
        std::size_t b = a + 1;
        while (b < keyed.size() && keyed[b].first == keyed[a].first)
            ++b;
        for (std::size_t j = a + 1; j < b;
             ++j) // indices ascend within a hash: the latest earlier match
            for (std::size_t k = j; k-- > a;)
                if (table.ids[keyed[k].second] == table.ids[keyed[j].second])
                {
                    table.previous_with_id[keyed[j].second] =
                        static_cast<std::int64_t>(keyed[k].second);
                    break;
                }
        a = b;
    }
}
} // namespace

std::string_view to_string(RejectReason reason)
{
    return reason_names[static_cast<std::size_t>(reason)];
}

bool location_is_suspect(RejectReason reason)
{
    return reason == RejectReason::OutOfRange || reason == RejectReason::SwappedLatLon ||
           reason == RejectReason::OutsideCrsArea || reason == RejectReason::ProjectionFailed;
}

std::int64_t OffenceTable::rejected_count() const
{
    std::int64_t total = 0;
    for (const auto n : rejected_by_reason)
        total += n;
    return total;
}

OffenceTable read_all_offences(const OffenceSource& source, const ReadOptions& options)
{
    OffenceTable table =
        is_csv_path(source.path) ? read_csv(source, options) : read_ogr(source, options);
    link_same_ids(table);
    return table;
}

OffenceTable read_offences(const OffenceSource& source, const OffenceFilter& filter,
                           const ReadOptions& options)
{
    if (filter.from && filter.to && *filter.from > *filter.to)
        throw Error(Errc::Usage, "--from " + format_month(*filter.from) + " is after --to " +
                                     format_month(*filter.to));
    return derive_table(read_all_offences(source, options), filter,
                        options); // a temporary: it moves
}

OffenceTable derive_table(OffenceTable all, const OffenceFilter& filter, const ReadOptions& options)
{
    const std::string& path = all.source_path;
    const bool by_period = filter.from || filter.to;
    if (by_period && !all.has_dates)
        throw Error(Errc::Usage,
                    path +
                        ": --from/--to need a date field; name it with --date-field (fields are: " +
                        engine::join(all.field_names) + ")");
    if (!filter.crime_types.empty() && !all.has_types)
        throw Error(
            Errc::Usage,
            path +
                ": --crime-type needs a crime type field; name it with --type-field (fields are: " +
                engine::join(all.field_names) + ")");
    const auto& type_names = all.incidents.crime_type_names;
    std::vector<bool> wanted(type_names.size(), filter.crime_types.empty());
    for (const auto& t : filter.crime_types)
    {
        bool found = false;
        for (std::size_t k = 0; k < type_names.size(); ++k)
            if (engine::same_text(type_names[k], t))
                wanted[k] = found = true;
        if (!found)
            throw Error(Errc::Usage, path + ": --crime-type '" + t +
                                         "' matches no record; crime types in the data are: " +
                                         engine::join(type_names));
    }

    OffenceTable out;
    out.source_crs = all.source_crs;
    out.target_crs = all.target_crs;
    out.target_crs_reason = all.target_crs_reason;
    out.source_path = all.source_path;
    out.format = all.format;
    out.has_dates = all.has_dates;
    out.has_types = all.has_types;
    out.fields_used = all.fields_used;
    out.records_read = all.records_read;
    out.rejected_by_reason = all.rejected_by_reason;
    out.rejected = all.rejected;
    out.raw_header = all.raw_header;
    out.field_names = all.field_names;
    out.storage = all.storage;
    out.warnings = all.warnings;
    out.incidents.crime_type_names = type_names;
    const auto reject =
        [&](std::int64_t row, RejectReason reason, auto&& detail, std::string_view raw)
    {
        ++out.rejected_by_reason[static_cast<std::size_t>(reason)];
        if (options.list_rejected)
            out.rejected.push_back({row, reason, std::string(detail()),
                                    options.keep_raw ? std::string(raw) : std::string()});
    };
    // The analyst's own filters first, as the reader applies them, so every record keeps one
    // reason.
    const auto filtered =
        [&](std::int64_t row, MonthIndex month, std::int32_t type, std::string_view raw)
    {
        // Details are made only when the rejected records are listed: a filter can reject most of a
        // file.
        if (by_period && month == engine::no_month)
            reject(
                row, RejectReason::BadDate, [] { return std::string("no readable date"); }, raw);
        else if ((filter.from && month < *filter.from) || (filter.to && month > *filter.to))
            reject(
                row, RejectReason::OutsidePeriod, [&] { return format_month(month); }, raw);
        else if (!filter.crime_types.empty() &&
                 (type < 0 || !wanted[static_cast<std::size_t>(type)]))
            reject(
                row, RejectReason::ExcludedCrimeType,
                [&]
                { return type >= 0 ? type_names[static_cast<std::size_t>(type)] : std::string(); },
                raw);
        else
            return false;
        return true;
    };

    for (const auto& u : all.unlocated)
    {
        if (filtered(u.row, u.month, u.crime_type, u.raw))
            continue;
        if (options.keep_unlocated)
            out.unlocated.push_back(u);
        else
            reject(
                u.row, u.reason, [&] { return u.detail; }, u.raw);
    }
    const auto& inc = all.incidents;
    std::vector<std::size_t> kept;
    kept.reserve(inc.size());
    for (std::size_t i = 0; i < inc.size(); ++i)
        if (!filtered(inc.source_row[i], inc.month[i], inc.crime_type[i],
                      all.raw.empty() ? std::string_view() : all.raw[i]))
            kept.push_back(i);

    // A kept record is a duplicate when an earlier record with its id is kept too; the earliest
    // such is the one the id was first used on.
    std::vector<std::uint8_t> is_kept(inc.size(), 0);
    for (const auto i : kept)
        is_kept[i] = 1;
    std::vector<std::size_t> first_with_id(kept.size(), no_duplicate);
    if (options.reject_duplicates && !all.previous_with_id.empty())
        for (std::size_t k = 0; k < kept.size(); ++k)
            for (std::int64_t j = all.previous_with_id[kept[k]]; j >= 0;
                 j = all.previous_with_id[static_cast<std::size_t>(j)])
                if (is_kept[static_cast<std::size_t>(j)])
                    first_with_id[k] = static_cast<std::size_t>(j);

    auto& used = out.incidents;
    const bool everything =
        kept.size() == inc.size() && std::all_of(first_with_id.begin(), first_with_id.end(),
                                                 [](std::size_t f) { return f == no_duplicate; });
    if (everything) // nothing filtered out: the columns move over whole
    {
        used = std::move(all.incidents);
        out.ids = std::move(all.ids);
        out.previous_with_id = std::move(all.previous_with_id);
        out.codes = std::move(all.codes);
        if (options.keep_raw)
            out.raw = std::move(all.raw);
    }
    else
        used.reserve(kept.size());
    for (std::size_t k = 0; k < kept.size() && !everything; ++k)
    {
        const std::size_t i = kept[k];
        const std::string_view raw = all.raw.empty() ? std::string_view() : all.raw[i];
        if (first_with_id[k] != no_duplicate)
        {
            reject(
                inc.source_row[i], RejectReason::DuplicateId,
                [&]
                {
                    return "id " + std::string(all.ids[i]) + " first used on row " +
                           std::to_string(inc.source_row[first_with_id[k]]);
                },
                raw);
            continue;
        }
        used.add(inc.x[i], inc.y[i], inc.weight[i], inc.month[i], inc.crime_type[i],
                 inc.source_row[i]);
        out.ids.push_back(all.ids[i]);
        out.previous_with_id.push_back(-1); // within the derived table, ids are unique
        if (!all.codes.empty())
            out.codes.push_back(all.codes[i]);
        if (options.keep_raw && !all.raw.empty())
            out.raw.push_back(raw);
    }
    std::stable_sort(out.rejected.begin(), out.rejected.end(),
                     [](const RejectedRecord& a, const RejectedRecord& b)
                     { return a.row < b.row; });

    if (used.size() == 0 && out.unlocated.empty())
    {
        std::string reasons;
        for (std::size_t r = 0; r < reject_reason_count; ++r)
            if (out.rejected_by_reason[r] > 0)
                reasons += (reasons.empty() ? "" : ", ") + std::string(reason_names[r]) + " " +
                           std::to_string(out.rejected_by_reason[r]);
        throw Error(Errc::BadData, path + ": no offences left to use out of " +
                                       std::to_string(out.records_read) + " records" +
                                       (reasons.empty() ? "" : " (rejected: " + reasons + ")"));
    }
    return out;
}

std::optional<MonthIndex> parse_month(std::string_view text)
{
    text = trim(text);
    const auto digits = [&](std::size_t pos, std::size_t count, int& value)
    {
        if (pos + count > text.size())
            return false;
        value = 0;
        for (std::size_t i = pos; i < pos + count; ++i)
        {
            if (text[i] < '0' || text[i] > '9')
                return false;
            value = value * 10 + (text[i] - '0');
        }
        return true;
    };
    int year = 0, month = 0, day = 0;
    // YYYY-MM, YYYY-MM-DD..., YYYY/MM/DD...
    if (digits(0, 4, year) && text.size() >= 7 && (text[4] == '-' || text[4] == '/') &&
        digits(5, 2, month) && (text.size() == 7 || text[7] == text[4]))
    {
        if (text.size() > 7 && !digits(8, 2, day))
            return std::nullopt;
    }
    // DD/MM/YYYY, as UK systems export dates
    else if (text.size() >= 10 && text[2] == '/' && text[5] == '/' && digits(0, 2, day) &&
             digits(3, 2, month) && digits(6, 4, year))
    {
    }
    else
        return std::nullopt;
    if (month < 1 || month > 12 || day > 31 || year < 1)
        return std::nullopt;
    return engine::make_month(year, month);
}

std::string format_month(MonthIndex month)
{
    if (month == engine::no_month)
        return "no date";
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d", engine::year_of(month),
                  engine::month_of(month));
    return buffer;
}

std::string rejects_csv(const OffenceTable& table)
{
    std::string out = "source_row,reason,detail," + table.raw_header + "\n";
    for (const auto& r : table.rejected)
        out += std::to_string(r.row) + "," + std::string(to_string(r.reason)) + "," +
               csv_quote(r.detail) + "," + r.raw + "\n";
    return out;
}

} // namespace hotspot::io
