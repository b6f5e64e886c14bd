#pragma once
// Area tables: offences counted by area, category and period, with every combination present
// (zeros included), and period-on-period comparison as the Community Safety report prints it.

#include <cstdint>
#include <string>
#include <vector>

namespace hotspot::engine
{

/// An offence category as a set of Home Office offence codes and of police.uk crime types.
/// Categories may overlap (Violent Crime contains Robbery).
struct Category
{
    std::string name;
    std::vector<std::string> ho_codes;
    std::vector<std::string> police_uk_types;
    std::string description;
};

/// What the data's type field holds.
enum class CategoryBasis
{
    HoCode,    ///< Home Office offence codes ("8N", "4/1")
    CrimeType, ///< police.uk crime types ("Violence and sexual offences")
};

/// A Home Office code as compared: upper case, no spaces ("8n " is "8N"; "4/1" stays "4/1").
std::string normalise_ho_code(std::string_view code);

/// For each distinct type value (class) of the data, the indices of the categories it belongs to.
std::vector<std::vector<std::int32_t>>
categories_of_classes(const std::vector<Category>& categories,
                      const std::vector<std::string>& class_names, CategoryBasis basis);

/// Counts by area x category x period; every combination is present, zeros included.
struct CountCube
{
    std::size_t areas = 0;
    std::size_t categories = 0;
    std::size_t periods = 0;
    std::vector<std::int64_t> counts;

    std::int64_t at(std::size_t area, std::size_t category, std::size_t period) const
    {
        return counts[(area * categories + category) * periods + period];
    }
    /// The sum over areas: the force (or borough) total.
    std::int64_t total(std::size_t category, std::size_t period) const;
};

/// Record i counts once in area[i], period[i] and every category of class_of[i]; records with an
/// area, period or class of -1 are not counted.
CountCube count_cube(const std::vector<std::int32_t>& area,
                     const std::vector<std::int32_t>& class_of,
                     const std::vector<std::int32_t>& period,
                     const std::vector<std::vector<std::int32_t>>& categories_of_class,
                     std::size_t areas, std::size_t categories, std::size_t periods);

/// The change from last to this as the report prints it: a percentage to one decimal, rounded half
/// away from zero and computed exactly in integers ("-6.1%", "2.9%", "0.0%"). A last count of 0
/// gives "n/a", 0 against 0 included: a change from nothing has no percentage.
std::string percent_change_text(std::int64_t this_count, std::int64_t last_count);

} // namespace hotspot::engine
