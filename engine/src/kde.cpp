#include "hotspot/engine/kde.hpp"

#include "hotspot/engine/error.hpp"
#include "hotspot/engine/text.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

namespace hotspot::engine
{

namespace
{
struct KernelName
{
    Kernel kernel;
    std::string_view name;
};
constexpr std::array<KernelName, 6> kernel_names{{{Kernel::Quartic, "quartic"},
                                                  {Kernel::Epanechnikov, "epanechnikov"},
                                                  {Kernel::Triweight, "triweight"},
                                                  {Kernel::Triangular, "triangular"},
                                                  {Kernel::Uniform, "uniform"},
                                                  {Kernel::Gaussian, "gaussian"}}};

// Mass of a 2-D Gaussian beyond radius R is exp(-R^2 / (2 sigma^2)); we cut where that is 1e-6.
const double gaussian_cutoff_sigmas = std::sqrt(2.0 * std::log(1e6));

// Each kernel as A * g(q), with q = d^2 / R^2 over the support radius R and g(q) = 0 for q >= 1.
// Written in q so that the hot loop needs no square root except for the triangular kernel.
struct QuarticShape
{
    static double g(double q) { return (1.0 - q) * (1.0 - q); }
};
struct EpanechnikovShape
{
    static double g(double q) { return 1.0 - q; }
};
struct TriweightShape
{
    static double g(double q)
    {
        const double t = 1.0 - q;
        return t * t * t;
    }
};
struct TriangularShape
{
    static double g(double q) { return 1.0 - std::sqrt(q); }
};
struct UniformShape
{
    static double g(double) { return 1.0; }
};
struct GaussianShape
{
    // exp(-d^2 / (2 sigma^2)) with d^2 = q R^2 and R = c sigma.
    static double g(double q) { return std::exp(-0.5 * gaussian_cutoff_sigmas * gaussian_cutoff_sigmas * q); }
};

// Normalising constant A for support radius R (or sigma for Gaussian).
double kernel_constant(Kernel kernel, double bandwidth_m)
{
    const double r2 = bandwidth_m * bandwidth_m;
    switch (kernel)
    {
    case Kernel::Quartic:
        return 3.0 / (std::numbers::pi * r2);
    case Kernel::Epanechnikov:
        return 2.0 / (std::numbers::pi * r2);
    case Kernel::Triweight:
        return 4.0 / (std::numbers::pi * r2);
    case Kernel::Triangular:
        return 3.0 / (std::numbers::pi * r2);
    case Kernel::Uniform:
        return 1.0 / (std::numbers::pi * r2);
    case Kernel::Gaussian:
        return 1.0 / (2.0 * std::numbers::pi * r2);
    }
    return 0.0;
}

double units_factor(DensityUnits units, const GridSpec& grid)
{
    switch (units)
    {
    case DensityUnits::PerKm2:
        return 1e6;
    case DensityUnits::PerM2:
        return 1.0;
    case DensityUnits::Count:
        return grid.cell_area_m2();
    }
    return 1.0;
}

// Adds scaled * g(q) along one grid row. The select keeps the loop branch-free so that it vectorises.
template <class Shape>
void accumulate_row(double* __restrict out, const double* __restrict center_x, std::int64_t n, double px,
                    double dy2, double inv_r2, double scaled)
{
    for (std::int64_t i = 0; i < n; ++i)
    {
        const double dx = center_x[i] - px;
        const double q = (dx * dx + dy2) * inv_r2;
        const double v = q < 1.0 ? Shape::g(q) : 0.0;
        out[i] += scaled * v;
    }
}

// Rows per band: each band is one task, owns its rows of the output, and visits the incidents that
// reach it in input order. Small enough for a band of a few thousand columns to stay in L2.
constexpr std::int64_t band_rows = 8;

template <class Shape>
Raster<double> estimate(const Incidents& incidents, const GridSpec& grid, const KdeOptions& options,
                        const RunContext& context)
{
    const double radius = kernel_support_radius(options.kernel, options.bandwidth_m);
    const double r2 = radius * radius;
    const double inv_r2 = 1.0 / r2;
    const double scale = kernel_constant(options.kernel, options.bandwidth_m) * units_factor(options.units, grid);
    const std::int64_t cols = grid.cols;
    const std::int64_t rows = grid.rows;

    std::vector<double> center_x(static_cast<std::size_t>(cols));
    for (std::int64_t c = 0; c < cols; ++c)
        center_x[static_cast<std::size_t>(c)] = grid.center_x(c);

    // Rows each incident can reach, widened by one on each side: the exact test is q < 1 in the loop.
    struct Reach
    {
        std::int32_t first_row = 0;
        std::int32_t last_row = -1;
    };
    const std::size_t n = incidents.size();
    std::vector<Reach> reach(n);
    const std::int64_t band_count = (rows + band_rows - 1) / band_rows;
    std::vector<std::uint32_t> band_start(static_cast<std::size_t>(band_count) + 1, 0);
    const double west = grid.origin_x - radius;
    const double east = grid.origin_x + static_cast<double>(cols) * grid.cell_m + radius;
    for (std::size_t i = 0; i < n; ++i)
    {
        const double px = incidents.x[i];
        const double py = incidents.y[i];
        if (!(px > west && px < east))
            continue;
        const double first = std::ceil((grid.origin_y - py - radius) / grid.cell_m - 0.5) - 1.0;
        const double last = std::floor((grid.origin_y - py + radius) / grid.cell_m - 0.5) + 1.0;
        if (last < 0.0 || first > static_cast<double>(rows - 1))
            continue;
        reach[i].first_row = static_cast<std::int32_t>(std::max(first, 0.0));
        reach[i].last_row = static_cast<std::int32_t>(std::min(last, static_cast<double>(rows - 1)));
        for (std::int64_t b = reach[i].first_row / band_rows; b <= reach[i].last_row / band_rows; ++b)
            ++band_start[static_cast<std::size_t>(b) + 1];
    }
    for (std::size_t b = 1; b < band_start.size(); ++b)
        band_start[b] += band_start[b - 1];
    std::vector<std::uint32_t> band_members(band_start.back());
    {
        std::vector<std::uint32_t> fill(band_start.begin(), band_start.end() - 1);
        for (std::size_t i = 0; i < n; ++i)
            if (reach[i].last_row >= reach[i].first_row)
                for (std::int64_t b = reach[i].first_row / band_rows; b <= reach[i].last_row / band_rows; ++b)
                    band_members[fill[static_cast<std::size_t>(b)]++] = static_cast<std::uint32_t>(i);
    }

    Raster<double> out(grid, 0.0);
    std::atomic<std::int64_t> bands_done{0};
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, band_count), [&](const tbb::blocked_range<std::int64_t>& range) {
        for (std::int64_t b = range.begin(); b != range.end(); ++b)
        {
            const std::int64_t band_first = b * band_rows;
            const std::int64_t band_last = std::min(rows, band_first + band_rows) - 1;
            for (std::uint32_t k = band_start[static_cast<std::size_t>(b)]; k < band_start[static_cast<std::size_t>(b) + 1]; ++k)
            {
                const std::uint32_t i = band_members[k];
                const double px = incidents.x[i];
                const double py = incidents.y[i];
                const double scaled = scale * incidents.weight[i];
                const std::int64_t row_end = std::min<std::int64_t>(band_last, reach[i].last_row);
                for (std::int64_t row = std::max<std::int64_t>(band_first, reach[i].first_row); row <= row_end; ++row)
                {
                    const double dy = grid.center_y(row) - py;
                    const double dy2 = dy * dy;
                    if (dy2 >= r2)
                        continue;
                    const double half_width = std::sqrt(r2 - dy2);
                    const double c_first = std::floor((px - half_width - grid.origin_x) / grid.cell_m - 0.5);
                    const double c_last = std::ceil((px + half_width - grid.origin_x) / grid.cell_m - 0.5);
                    const std::int64_t c0 = static_cast<std::int64_t>(std::max(c_first, 0.0));
                    const std::int64_t c1 = static_cast<std::int64_t>(std::min(c_last, static_cast<double>(cols - 1)));
                    if (c1 < c0)
                        continue;
                    accumulate_row<Shape>(&out.values[static_cast<std::size_t>(row * cols + c0)],
                                          &center_x[static_cast<std::size_t>(c0)], c1 - c0 + 1, px, dy2, inv_r2, scaled);
                }
            }
            context.report(static_cast<double>(++bands_done) / static_cast<double>(band_count));
        }
    });
    return out;
}
} // namespace

std::optional<Kernel> parse_kernel(std::string_view name)
{
    for (const auto& k : kernel_names)
        if (same_text(k.name, name))
            return k.kernel;
    return std::nullopt;
}

std::string_view to_string(Kernel kernel)
{
    for (const auto& k : kernel_names)
        if (k.kernel == kernel)
            return k.name;
    return "unknown";
}

std::optional<DensityUnits> parse_units(std::string_view name)
{
    const std::string folded = fold(name);
    if (folded == "per-km2")
        return DensityUnits::PerKm2;
    if (folded == "per-m2")
        return DensityUnits::PerM2;
    if (folded == "count")
        return DensityUnits::Count;
    return std::nullopt;
}

std::string_view to_string(DensityUnits units)
{
    switch (units)
    {
    case DensityUnits::PerKm2:
        return "per-km2";
    case DensityUnits::PerM2:
        return "per-m2";
    case DensityUnits::Count:
        return "count";
    }
    return "unknown";
}

std::string_view unit_label(DensityUnits units)
{
    switch (units)
    {
    case DensityUnits::PerKm2:
        return "offences per km²";
    case DensityUnits::PerM2:
        return "offences per m²";
    case DensityUnits::Count:
        return "expected offences per cell";
    }
    return "";
}

double kernel_support_radius(Kernel kernel, double bandwidth_m)
{
    return kernel == Kernel::Gaussian ? gaussian_cutoff_sigmas * bandwidth_m : bandwidth_m;
}

Raster<double> estimate_kde(const Incidents& incidents, const GridSpec& grid, const KdeOptions& options,
                            const RunContext& context)
{
    if (!(options.bandwidth_m > 0) || !std::isfinite(options.bandwidth_m))
        throw Error(Errc::Usage, "kde: bandwidth must be a positive number of metres (got " +
                                     std::to_string(options.bandwidth_m) + ")");
    if (grid.cols <= 0 || grid.rows <= 0 || !(grid.cell_m > 0))
        throw Error(Errc::Usage, "kde: the grid is empty");
    if (incidents.size() >= std::numeric_limits<std::uint32_t>::max())
        throw Error(Errc::Usage, "kde: more than 4 billion offences in one surface");
    switch (options.kernel)
    {
    case Kernel::Quartic:
        return estimate<QuarticShape>(incidents, grid, options, context);
    case Kernel::Epanechnikov:
        return estimate<EpanechnikovShape>(incidents, grid, options, context);
    case Kernel::Triweight:
        return estimate<TriweightShape>(incidents, grid, options, context);
    case Kernel::Triangular:
        return estimate<TriangularShape>(incidents, grid, options, context);
    case Kernel::Uniform:
        return estimate<UniformShape>(incidents, grid, options, context);
    case Kernel::Gaussian:
        return estimate<GaussianShape>(incidents, grid, options, context);
    }
    throw Error(Errc::Internal, "kde: unknown kernel");
}

} // namespace hotspot::engine
