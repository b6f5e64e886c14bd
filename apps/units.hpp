#pragma once
// Values with units on the command line: lengths and areas with their unit (300m, 1km, 600ft,
// 0.25sqmi), extents, and the checks on them.

#include "hotspot/engine/core/geometry.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace hotspot::app
{

/// "xmin,ymin,xmax,ymax" in metres. Throws Error(Usage).
engine::Box2 parse_extent(const std::string& text);

/// A length with its unit in metres: "300", "300m", "1.5km", "600ft", "0.25mi", "100yd" (feet and
/// miles international). A bare number is metres. nullopt for anything else.
std::optional<double> parse_length_m(std::string_view text);
/// For CLI11: rewrites a length option's value in metres before it is converted ("1.5km" is read
/// as 1500); other values (a selector's name) pass through, as do lists ("100,200m").
CLI::Validator length_unit();
/// Takes an area with its unit (m2, km2, ha, sqft, sqmi; bare numbers are square metres) and
/// gives the option square metres.
CLI::Validator area_unit();

/// Refuses (Error(Usage)) a value that is not a finite number above zero.
void require_positive(double value, const std::string& option);

} // namespace hotspot::app
