#pragma once
// The hour-by-day heat map of when offences happen: hours of the day across, days of the week
// down, each cell coloured along the maps' viridis ramp from 0 to the busiest hour.

#include "hotspot/engine/spacetime/aoristic.hpp"

#include <bitset>
#include <string>

namespace hotspot::io
{

struct HourChart
{
    engine::HourOfWeek values{};                 ///< by hour of the week from Monday 00:00
    std::bitset<engine::hours_per_week> flagged; ///< outlined: significantly above the rest
    std::string title;
    std::string subtitle;
    std::string reading; ///< a line under the subtitle, in plain words
    std::string unit;    ///< what a value counts, for the legend: "offences (aoristic weight)"
    std::string note;    ///< a line under the chart
    engine::WeekStart week_start = engine::WeekStart::Monday;
};

/// The colour of a chart cell (components 0..1): `value` along the maps' ramp up to `peak`, light
/// grey where it is 0. The web map's popup charts use it too.
void hour_cell_colour(double value, double peak, double& r, double& g, double& b);

/// Writes the chart as PNG, PDF or SVG by the extension, atomically. Throws Error(Usage) for
/// another extension and Error(Io) when it cannot be written.
void render_hour_chart(const HourChart& chart, const std::string& path, bool overwrite);

} // namespace hotspot::io
