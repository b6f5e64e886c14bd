#pragma once
// How styled outputs look in a GIS: the legend's range and the SLD copies of the styles.

#include <CLI/CLI.hpp>

#include <limits>

namespace hotspot::app
{

struct StyleOptions
{
    /// The density legend's top, in the surface's units (NaN: each surface's peak).
    double legend_max = std::numeric_limits<double>::quiet_NaN();
    bool sld = false; ///< also write each style as SLD beside its output
};

/// --legend-max, for commands that draw or style a density surface.
void add_legend_option(CLI::App& command, StyleOptions& style);
/// --sld, for commands that write styled outputs.
void add_sld_option(CLI::App& command, StyleOptions& style);

/// Refuses a legend top that is not a positive number.
void check_style_options(const StyleOptions& style);

} // namespace hotspot::app
