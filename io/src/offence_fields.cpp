#include "offence_fields.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"

#include <algorithm>
#include <filesystem>

namespace hotspot::io::detail
{

namespace
{
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
} // namespace

int find_field(const std::vector<std::string>& names, std::string_view wanted)
{
    for (std::size_t i = 0; i < names.size(); ++i)
        if (engine::same_text(names[i], wanted))
            return static_cast<int>(i);
    return -1;
}

FieldRoles detect_roles(const std::string& path, const std::vector<std::string>& names,
                        const OffenceSource& s, bool need_xy)
{
    FieldRoles roles;
    if (need_xy)
    {
        roles.x = resolve_field(
            path, names, s.x_field, "--x-field",
            {"x", "easting", "longitude", "lon", "lng", "long", "point_x", "x_coord", "x_coord_cd", "x_coordinate"});
        roles.y = resolve_field(path, names, s.y_field, "--y-field",
                                {"y", "northing", "latitude", "lat", "point_y", "y_coord", "y_coord_cd", "y_coordinate"});
        if (roles.x < 0 || roles.y < 0)
            throw Error(Errc::Usage,
                        path +
                            ": no coordinate columns found; name them with --x-field and --y-field "
                            "(fields are: " +
                            engine::join(names) + ")");
    }
    // A date field is finer than a month field: where a file has both, the date is used (and the
    // run says so).
    roles.date = resolve_field(
        path, names, s.date_field, "--date-field",
        {"date", "datetime", "occurred", "date_occurred", "occ_date", "cmplnt_fr_dt",
         "reported_date", "month"});
    if (s.date_field.empty() && roles.date >= 0)
        if (const int month = find_field(names, "month"); month >= 0 && month != roles.date)
            roles.coarser_month = month;
    // The NYPD complaint layout and common names for a start time and the window's end.
    roles.time = resolve_field(path, names, s.time_field, "--time-field",
                               {"time", "occ_time", "cmplnt_fr_tm", "time_from", "from_time"});
    roles.end_date = resolve_field(path, names, s.end_date_field, "--end-date-field",
                                   {"end_date", "date_to", "to_date", "cmplnt_to_dt"});
    roles.end_time = resolve_field(path, names, s.end_time_field, "--end-time-field",
                                   {"end_time", "time_to", "to_time", "cmplnt_to_tm"});
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
    if (roles.coarser_month >= 0)
        out += " (finer than '" + names[static_cast<std::size_t>(roles.coarser_month)] +
               "', which is left aside)";
    add("time", roles.time);
    add("end date", roles.end_date);
    add("end time", roles.end_time);
    add("type", roles.type);
    add("id", roles.id);
    add("weight", roles.weight);
    add("code", roles.code);
    return out;
}

bool is_police_uk_header(const std::vector<std::string>& names)
{
    for (const auto* required : {"Crime ID", "Month", "Longitude", "Latitude", "Crime type"})
        if (std::find(names.begin(), names.end(), required) == names.end())
            return false;
    return true;
}

OffenceSource with_police_uk_fields(OffenceSource s)
{
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
    return s;
}

bool is_lonlat_name(std::string_view name)
{
    for (const auto candidate : {"longitude", "lon", "lng", "long", "latitude", "lat"})
        if (engine::same_text(name, candidate))
            return true;
    return false;
}

bool is_csv_path(const std::string& path)
{
    const std::string ext = engine::fold(std::filesystem::path(path).extension().string());
    return ext == ".csv" || ext == ".txt";
}

} // namespace hotspot::io::detail
