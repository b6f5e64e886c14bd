#pragma once
// The streets of offences, from the records' own street field: which field that is, the busiest
// streets of each group of offences (hotspots, patrol cells), and the street names of such a list.

#include "hotspot/io/offences.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hotspot::io
{

/// The field naming each record's street: `name`, else police.uk's Location, else one called
/// street, street_name or address (ignoring case); -1 when there is none. Throws Error(Usage) for
/// a `name` the source lacks, listing its fields.
int street_field(const OffenceTable& table, const std::string& name);

/// The streets with the most offences in each of `groups` groups, three at most, busiest first
/// (ties by name): "High Street 34; Week Street 20; King Street 7". "On or near" is dropped.
/// `group_of(i)` gives offence i's group, or -1. The records' text is read again (CSV read with
/// ReadOptions::text_on_demand) or taken as kept, for the grouped offences only. Empty strings
/// when the source has no street field, or when its files' fields differ (mixed_fields).
std::vector<std::string> top_streets(const OffenceTable& table, const std::string& field,
                                     std::size_t groups,
                                     const std::function<std::int32_t(std::size_t)>& group_of);

/// The streets of a top_streets text, busiest first, without their counts or police.uk's generic
/// locations (Parking Area, Supermarket...), which name no street: "High Street 34; Parking Area
/// 20; Week Street 7" gives High Street and Week Street.
std::vector<std::string> street_names(const std::string& top_streets_text);

} // namespace hotspot::io
