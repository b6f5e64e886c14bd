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

/// data/harm/ons_css_police_uk.csv and data/harm/ons_css_offence_codes.csv: ONS Crime Severity
/// Score weights by police.uk crime type and by Home Office offence code (key, weight, ...).
extern const char* const harm_ons_css_police_uk_csv;
extern const char* const harm_ons_css_offence_codes_csv;

} // namespace hotspot::data
