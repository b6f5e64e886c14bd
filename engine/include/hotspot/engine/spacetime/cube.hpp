#pragma once
// A space-time cube: offences counted per grid cell and time step, the input of emerging hot spot
// analysis (as ArcGIS's Create Space Time Cube By Aggregating Points).

#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/core/incidents.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot::engine
{

enum class StepUnit
{
    Month,
    Week,
    Day,
};

/// The length of a time step: `count` months, weeks or days.
struct TimeStep
{
    int count = 1;
    StepUnit unit = StepUnit::Month;
    bool needs_days() const { return unit != StepUnit::Month; }
};
/// "1M", "3M", "1W", "2W", "7D" (also lower case); nullopt for anything else.
std::optional<TimeStep> parse_time_step(std::string_view text);
std::string to_string(const TimeStep& step);

/// Bins of `steps` time steps by `locations` cells. Steps are aligned to end with the last
/// offence's month or day (as ArcGIS aligns a cube's steps to its end time), so that the final
/// step is whole and the first may be shorter.
struct SpaceTimeCube
{
    GridSpec grid;
    std::vector<std::int64_t> locations; ///< raster index (row * cols + col) of each, ascending
    std::int32_t steps = 0;
    TimeStep step;
    /// First and last month (month steps) or day (week and day steps) of each step.
    std::vector<std::int32_t> step_first, step_last;
    std::vector<double> values; ///< values[t * locations.size() + l]: offences (or weights)
    bool first_step_partial = false;
    std::int64_t counted = 0;      ///< offences in a bin
    std::int64_t undated = 0;      ///< offences without the date the step needs
    std::int64_t outside_area = 0; ///< offences outside the grid or the mask

    double at(std::int32_t t, std::size_t l) const
    {
        return values[static_cast<std::size_t>(t) * locations.size() + l];
    }
    /// "2019-09", "2019-07..2019-09", "2019-09-02..2019-09-08".
    std::string step_label(std::int32_t t) const;
    /// The first day of step t, as days since 1970-01-01.
    DayIndex step_start_day(std::int32_t t) const;
};

/// Counts `incidents` (their weights when `weighted`) into a cube on `grid`. The locations are the
/// cells of `mask` when given (cells outside it hold none), else the cells with an offence in any
/// step. Throws Error(BadData) when no offence has the date the step needs, or none falls inside.
SpaceTimeCube build_cube(const Incidents& incidents, const GridSpec& grid,
                         const Raster<std::uint8_t>* mask, const TimeStep& step, bool weighted);

} // namespace hotspot::engine
