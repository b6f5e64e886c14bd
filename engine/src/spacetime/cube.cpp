#include "hotspot/engine/spacetime/cube.hpp"

#include "hotspot/engine/core/error.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>

namespace hotspot::engine
{

std::optional<TimeStep> parse_time_step(std::string_view text)
{
    if (text.size() < 2)
        return std::nullopt;
    int count = 0;
    for (std::size_t i = 0; i + 1 < text.size(); ++i)
    {
        if (!std::isdigit(static_cast<unsigned char>(text[i])) || count > 1000)
            return std::nullopt;
        count = count * 10 + (text[i] - '0');
    }
    if (count < 1)
        return std::nullopt;
    switch (std::toupper(static_cast<unsigned char>(text.back())))
    {
    case 'M':
        return TimeStep{count, StepUnit::Month};
    case 'W':
        return TimeStep{count, StepUnit::Week};
    case 'D':
        return TimeStep{count, StepUnit::Day};
    default:
        return std::nullopt;
    }
}

std::string to_string(const TimeStep& step)
{
    const char* unit = step.unit == StepUnit::Month  ? "month"
                       : step.unit == StepUnit::Week ? "week"
                                                     : "day";
    return std::to_string(step.count) + " " + unit + (step.count == 1 ? "" : "s");
}

namespace
{
std::string month_text(MonthIndex m)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d", year_of(m), month_of(m));
    return buffer;
}

// Units (months or days) per step.
int step_units(const TimeStep& step)
{
    return step.unit == StepUnit::Week ? 7 * step.count : step.count;
}
} // namespace

std::string SpaceTimeCube::step_label(std::int32_t t) const
{
    const auto i = static_cast<std::size_t>(t);
    const bool months = step.unit == StepUnit::Month;
    const auto text = [&](std::int32_t v) { return months ? month_text(v) : format_day(v); };
    return step_first[i] == step_last[i] ? text(step_first[i])
                                         : text(step_first[i]) + ".." + text(step_last[i]);
}

DayIndex SpaceTimeCube::step_start_day(std::int32_t t) const
{
    const std::int32_t first = step_first[static_cast<std::size_t>(t)];
    return step.unit == StepUnit::Month ? first_day_of(first) : first;
}

SpaceTimeCube build_cube(const Incidents& inc, const GridSpec& grid,
                         const Raster<std::uint8_t>* mask, const TimeStep& step, bool weighted)
{
    SpaceTimeCube cube;
    cube.grid = grid;
    cube.step = step;
    const bool by_day = step.needs_days();
    const auto time_of = [&](std::size_t i) -> std::int32_t
    {
        if (by_day)
            return inc.day_of(i) == no_day ? std::numeric_limits<std::int32_t>::min()
                                           : inc.day_of(i);
        return inc.month[i] == no_month ? std::numeric_limits<std::int32_t>::min() : inc.month[i];
    };
    constexpr std::int32_t undated = std::numeric_limits<std::int32_t>::min();

    // Which offences count, their cell, and the time span.
    std::vector<std::int64_t> cell(inc.size(), -1);
    std::int32_t first = std::numeric_limits<std::int32_t>::max(), last = undated;
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        const std::int32_t t = time_of(i);
        if (t == undated)
        {
            ++cube.undated;
            continue;
        }
        const std::int64_t c = grid.col_of(inc.x[i]), r = grid.row_of(inc.y[i]);
        if (c < 0 || c >= grid.cols || r < 0 || r >= grid.rows)
        {
            ++cube.outside_area;
            continue;
        }
        const std::int64_t k = r * grid.cols + c;
        if (mask && !mask->values[static_cast<std::size_t>(k)])
        {
            ++cube.outside_area;
            continue;
        }
        cell[i] = k;
        first = std::min(first, t);
        last = std::max(last, t);
    }
    if (last == undated)
        throw Error(Errc::BadData,
                    cube.undated == static_cast<std::int64_t>(inc.size())
                        ? (by_day ? "no offence is dated to the day, which " + to_string(step) +
                                        " steps need (police.uk data gives months only: use "
                                        "--time-step 1M)"
                                  : std::string("no offence has a readable date"))
                        : std::string("no dated offence lies inside the grid and study area"));

    // Steps end with the last offence's month or day.
    const int units = step_units(step);
    const std::int32_t span = last - first + 1;
    cube.steps = (span + units - 1) / units;
    cube.first_step_partial = span % units != 0;
    const std::int32_t origin = last + 1 - cube.steps * units; // first unit of step 0
    for (std::int32_t t = 0; t < cube.steps; ++t)
    {
        cube.step_first.push_back(std::max(first, origin + t * units));
        cube.step_last.push_back(origin + (t + 1) * units - 1);
    }

    // Locations: the mask's cells, else the cells holding an offence.
    std::vector<std::int32_t> location_of(static_cast<std::size_t>(grid.cell_count()), -1);
    if (mask)
    {
        for (std::size_t k = 0; k < mask->values.size(); ++k)
            if (mask->values[k])
                cube.locations.push_back(static_cast<std::int64_t>(k));
    }
    else
    {
        std::vector<std::uint8_t> used(location_of.size(), 0);
        for (const auto k : cell)
            if (k >= 0)
                used[static_cast<std::size_t>(k)] = 1;
        for (std::size_t k = 0; k < used.size(); ++k)
            if (used[k])
                cube.locations.push_back(static_cast<std::int64_t>(k));
    }
    for (std::size_t l = 0; l < cube.locations.size(); ++l)
        location_of[static_cast<std::size_t>(cube.locations[l])] = static_cast<std::int32_t>(l);

    cube.values.assign(static_cast<std::size_t>(cube.steps) * cube.locations.size(), 0.0);
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        if (cell[i] < 0)
            continue;
        const std::int32_t t = (time_of(i) - origin) / units;
        const auto l = static_cast<std::size_t>(location_of[static_cast<std::size_t>(cell[i])]);
        cube.values[static_cast<std::size_t>(t) * cube.locations.size() + l] +=
            weighted ? inc.weight_of(i) : 1.0;
        ++cube.counted;
    }
    return cube;
}

} // namespace hotspot::engine
