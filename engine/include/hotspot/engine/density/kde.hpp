#pragma once

#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/core/names.hpp"
#include "hotspot/engine/core/run_context.hpp"

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace hotspot::engine
{

/// Kernel shapes. For all but Gaussian the bandwidth r is the support radius (as in ArcGIS and the
/// QGIS Heatmap): K(d) = 0 for d >= r. For Gaussian the bandwidth is the standard deviation sigma.
enum class Kernel
{
    Quartic,      ///< 3/(pi r^2) (1 - (d/r)^2)^2, the ArcGIS and QGIS default
    Epanechnikov, ///< 2/(pi r^2) (1 - (d/r)^2)
    Triweight,    ///< 4/(pi r^2) (1 - (d/r)^2)^3
    Triangular,   ///< 3/(pi r^2) (1 - d/r)
    Uniform,      ///< 1/(pi r^2)
    Gaussian, ///< 1/(2 pi sigma^2) exp(-d^2 / (2 sigma^2)), truncated where the mass beyond is 1e-6
};

/// What a density cell holds.
enum class DensityUnits
{
    PerKm2, ///< offences per square kilometre (ArcGIS "Densities" in km^2)
    PerM2,  ///< offences per square metre (ArcGIS and QGIS "Scaled" raw value)
    Count,  ///< expected offences in the cell: density times cell area
};

inline constexpr std::array<Named<Kernel>, 6> kernel_names{{{Kernel::Quartic, "quartic"},
                                                            {Kernel::Epanechnikov, "epanechnikov"},
                                                            {Kernel::Triweight, "triweight"},
                                                            {Kernel::Triangular, "triangular"},
                                                            {Kernel::Uniform, "uniform"},
                                                            {Kernel::Gaussian, "gaussian"}}};
inline constexpr std::array<Named<DensityUnits>, 3> density_unit_names{
    {{DensityUnits::PerKm2, "per-km2"},
     {DensityUnits::PerM2, "per-m2"},
     {DensityUnits::Count, "count"}}};

constexpr std::string_view to_string(Kernel kernel)
{
    return name_in(kernel_names, kernel);
}
constexpr std::string_view to_string(DensityUnits units)
{
    return name_in(density_unit_names, units);
}
/// A readable unit label for raster metadata and legends, e.g. "offences per km²".
std::string_view unit_label(DensityUnits units);

/// The distance beyond which the kernel is zero, metres.
double kernel_support_radius(Kernel kernel, double bandwidth_m);
/// What a bandwidth means for a kernel, for every output that shows one: "radius 300 m" for the
/// compact kernels; "sigma 300 m: 95% of each offence's weight within 734 m" for the Gaussian
/// (a 2-D Gaussian holds 95% of its mass within sqrt(-2 ln 0.05) = 2.448 sigma).
std::string bandwidth_meaning(Kernel kernel, double bandwidth_m);

/// K at squared distance `d2` (m²) from its centre, per m²; 0 at and beyond the support radius.
double kernel_value(Kernel kernel, double bandwidth_m, double d2);

struct KdeOptions
{
    Kernel kernel = Kernel::Quartic;
    double bandwidth_m = 0.0; ///< support radius, or sigma for Gaussian, metres; must be > 0
    DensityUnits units = DensityUnits::PerKm2;
    /// Adaptive kernels: one bandwidth per offence, in the offences' order (bandwidth_m is then
    /// their largest, and sets the reach of the grid checks); empty for a fixed bandwidth.
    std::vector<double> point_bandwidth_m;
};

/// density(c) = sum_i w_i K(|c - x_i|) at every cell centre c, in the chosen units.
/// Every incident within the kernel's reach of a cell contributes, wherever it lies, so there is no
/// edge effect at the grid border. The sum for each cell runs over incidents in input order, so the
/// result is bit-identical whatever the number of threads.
Raster<double> estimate_kde(const Incidents& incidents, const GridSpec& grid,
                            const KdeOptions& options, const RunContext& context = {});

/// Receives a finished strip of a surface: `row_count` rows from `first_row`, row-major.
using StripSink = std::function<void(std::int64_t first_row, std::int64_t row_count,
                                     const std::vector<double>& values)>;

/// The same surface as estimate_kde, bit for bit, handed over a strip of rows at a time from the
/// north, for grids too large to hold: memory is one strip and the offences that reach it.
/// `rows_per_strip` is rounded up to kde_strip_rows.
void estimate_kde_strips(const Incidents& incidents, const GridSpec& grid,
                         const KdeOptions& options, std::int64_t rows_per_strip,
                         const StripSink& sink, const RunContext& context = {});

/// Rows [first_row, first_row + row_count) of the estimate_kde surface, bit for bit, computed from
/// whichever offences are given: every offence that reaches those rows must be among them, in
/// input order (offences that reach none may be left out). This is how the surface is shared out
/// between processes (a tile of rows each). `first_row` is a multiple of kde_strip_rows(1) and the
/// rows are whole bands of 16 but at the grid's south edge.
std::vector<double> estimate_kde_rows(const Incidents& incidents, const GridSpec& grid,
                                      const KdeOptions& options, std::int64_t first_row,
                                      std::int64_t row_count, const RunContext& context = {});

/// The rows an offence at (x, y) whose kernel reaches `radius_m` may touch, widened by one on each
/// side and clipped to the grid; empty (last < first) when it touches none. The kernel uses exactly
/// this range, so it says which offences a tile of rows needs.
struct RowsReached
{
    std::int64_t first = 0;
    std::int64_t last = -1;
};
RowsReached kde_rows_reached(const GridSpec& grid, double radius_m, double x, double y);

/// `rows` rounded up to the rows the kernel computes at once (16): strips of that many rows.
std::int64_t kde_strip_rows(std::int64_t rows);

} // namespace hotspot::engine
