#pragma once
// Reference tables shipped with hotspot, as the CSV text of data/*.csv.

namespace hotspot::data
{

/// data/offence_codes.csv: the Home Office Offence Classification Index (ho_code, offence,
/// offence_group, sub_group, note).
extern const char* const offence_codes_csv;

/// data/categories.csv: offence categories as sets of Home Office codes and of police.uk crime
/// types (category, source, ho_codes, police_uk_types, description).
extern const char* const categories_csv;

} // namespace hotspot::data
