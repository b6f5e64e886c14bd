#pragma once

#include "hotspot/engine/areas/tables.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace hotspot::io
{

/// Offence categories from CSV text with the columns category, source, ho_codes (separated by
/// spaces), police_uk_types (separated by semicolons), description. Throws Error(BadData) naming
/// the source and line on malformed rows, duplicate names, or Home Office codes not in the index.
std::vector<engine::Category> parse_categories(std::string_view csv,
                                               const std::string& source_name);

/// The categories shipped with hotspot (data/categories.csv, compiled in), or those of `path`.
std::vector<engine::Category> load_categories(const std::string& path = "");

/// Every Home Office code of the shipped Offence Classification Index (data/offence_codes.csv).
std::vector<std::string> known_ho_codes();

} // namespace hotspot::io
