#pragma once
// Format detection: which columns of a source hold the coordinates, date, crime type, id, weight
// and code, by name or by the headers police.uk and common exports use.

#include "hotspot/io/offences.hpp"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot::io::detail
{

struct FieldRoles
{
    int x = -1, y = -1, date = -1, type = -1, id = -1, weight = -1, code = -1;
    int time = -1, end_date = -1, end_time = -1; ///< the window an offence happened in
    int coarser_month = -1; ///< a Month field left aside for the finer date field chosen
};

/// Index of the field named `wanted` (ignoring case), or -1.
int find_field(const std::vector<std::string>& names, std::string_view wanted);

/// The roles of a source's fields: named explicitly in `source`, or detected from the header.
/// Throws Error(Usage) naming `path` for an explicit name that is not a field, or (when `need_xy`)
/// for coordinates that cannot be found.
FieldRoles detect_roles(const std::string& path, const std::vector<std::string>& names,
                        const OffenceSource& source, bool need_xy);

/// "x='Longitude', y='Latitude', ..." for the run's account.
std::string describe_roles(const std::vector<std::string>& names, const FieldRoles& roles);

/// A police.uk street-level CSV header (Crime ID, Month, Longitude, Latitude, Crime type...).
bool is_police_uk_header(const std::vector<std::string>& names);

/// The source with police.uk's field names filled in where the analyst named none.
OffenceSource with_police_uk_fields(OffenceSource source);

/// True for column names that hold longitude or latitude.
bool is_lonlat_name(std::string_view name);

/// True for a path read as CSV text (.csv, .txt) rather than through OGR.
bool is_csv_path(const std::string& path);

} // namespace hotspot::io::detail
