#include "style_options.hpp"

#include "hotspot/engine/core/error.hpp"

#include <cmath>

namespace hotspot::app
{

void add_legend_option(CLI::App& command, StyleOptions& style)
{
    command
        .add_option("--legend-max", style.legend_max,
                    "Top of the density legend, in the surface's units, for its QGIS style "
                    "and maps (default: the surface's peak). Higher values take the top "
                    "colour: weekly surfaces styled to one top compare by eye")
        ->group("Output");
}

void add_sld_option(CLI::App& command, StyleOptions& style)
{
    command
        .add_flag("--sld", style.sld,
                  "Also write each styled output's style as SLD 1.1 beside it (density.sld, "
                  "hotspots.sld...), for GeoServer and MapServer")
        ->group("Output");
}

void check_style_options(const StyleOptions& style)
{
    if (!std::isnan(style.legend_max) && !(style.legend_max > 0 && std::isfinite(style.legend_max)))
        throw Error(Errc::Usage, "--legend-max must be a positive number in the surface's units");
}

} // namespace hotspot::app
