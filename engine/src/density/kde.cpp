#include "hotspot/engine/density/kde.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <type_traits>
#include <vector>

namespace hotspot::engine
{

namespace
{
// Mass of a 2-D Gaussian beyond radius R is exp(-R^2 / (2 sigma^2)); we cut where that is 1e-6.
const double gaussian_cutoff_sigmas = std::sqrt(2.0 * std::log(1e6));

// Each kernel as A * g(q), with q = d^2 / R^2 over the support radius R. g is the kernel's profile
// where q < 1 and may be anything finite beyond; the caller multiplies it by the support mask (the
// support is open: an offence exactly R away does not count). Written in q so that the hot loop
// needs no square root except for the triangular kernel.
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
// exp(-d^2 / (2 sigma^2)) with d^2 = q R^2 and R = c sigma. It factors into exp(-k qx) exp(-k qy),
// which the band loop uses to take one exponential per column and per row instead of one per cell.
struct GaussianShape
{
    // c^2 / 2 = ln(1e6)
    static double g(double q)
    {
        return std::exp(-0.5 * gaussian_cutoff_sigmas * gaussian_cutoff_sigmas * q);
    }
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

// An offence as one band of rows sees it: where it is, its weight times the kernel and unit
// constant, and the rows it may reach (widened by one on each side; the exact test is q < 1 per
// cell).
struct BandMember
{
    double x;
    double y;
    double scaled;
    std::int32_t first_row;
    std::int32_t last_row;
};

// An offence with a bandwidth of its own (adaptive kernels): its support in place of the shared
// one. Kept apart so that fixed-bandwidth surfaces copy 32 bytes an offence, not 56.
struct AdaptiveMember : BandMember
{
    double r2;
    double inv_r2;
    double radius_cells;
};

// What every band shares.
struct BandGeometry
{
    const double* center_x;
    double origin_x;
    double origin_y;
    double cell_m;
    double inv_cell;
    std::int64_t cols;
    double r2;
    double inv_r2;
    double radius_cells;
};

// Adds every member's kernel to the rows [first, last] of the output, members in order.
// The support test is a multiplication by 0 or 1 rather than a branch so that the inner loop
// vectorises; an AVX2 clone is chosen at run time where the CPU has it. Without fused multiply-add
// both clones compute the same bits.
// clang does not clone templates; its builds (the fuzz build) take the default code.
#if defined(__clang__)
#define HOTSPOT_AVX2_CLONES
#else
#define HOTSPOT_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#endif
template <class Shape, class Member>
HOTSPOT_AVX2_CLONES void accumulate_band(double* __restrict out, std::int64_t first,
                                         std::int64_t last, const Member* members,
                                         std::size_t count, const BandGeometry& shared)
{
    const double* __restrict center_x = shared.center_x;
    constexpr bool separable = std::is_same_v<Shape, GaussianShape>;
    constexpr bool adaptive = std::is_same_v<Member, AdaptiveMember>;
    std::vector<double> column_factor;
    BandGeometry g = shared;
    for (std::size_t k = 0; k < count; ++k)
    {
        const Member& m = members[k];
        if constexpr (adaptive)
        {
            g.r2 = m.r2;
            g.inv_r2 = m.inv_r2;
            g.radius_cells = m.radius_cells;
        }
        // Columns whose centres may lie within the support, the same for every row: a little more
        // arithmetic than a per-row range, but no square root or rounding per row. floor and ceil
        // leave a whole cell of slack, so rounding can never drop a cell the exact test keeps.
        const double c_first = std::floor((m.x - g.origin_x) * g.inv_cell - g.radius_cells - 0.5);
        const double c_last = std::ceil((m.x - g.origin_x) * g.inv_cell + g.radius_cells - 0.5);
        const std::int64_t c0 = static_cast<std::int64_t>(std::max(c_first, 0.0));
        const std::int64_t c1 =
            static_cast<std::int64_t>(std::min(c_last, static_cast<double>(g.cols - 1)));
        if (m.last_row < first)
            continue;
        const std::int64_t row_end = std::min<std::int64_t>(last, m.last_row);
        if constexpr (separable)
        {
            column_factor.resize(static_cast<std::size_t>(std::max<std::int64_t>(0, c1 - c0 + 1)));
            for (std::int64_t c = c0; c <= c1; ++c)
            {
                const double dx = center_x[c] - m.x;
                column_factor[static_cast<std::size_t>(c - c0)] = Shape::g(dx * dx * g.inv_r2);
            }
        }
        for (std::int64_t row = std::max<std::int64_t>(first, m.first_row); row <= row_end; ++row)
        {
            const double dy = g.origin_y - (static_cast<double>(row) + 0.5) * g.cell_m - m.y;
            const double dy2 = dy * dy;
            if (dy2 >= g.r2)
                continue;
            double* __restrict row_out = out + (row - first) * g.cols;
            if constexpr (separable)
            {
                const double row_scaled = m.scaled * Shape::g(dy2 * g.inv_r2);
                const double* __restrict factor = column_factor.data() - c0;
                for (std::int64_t c = c0; c <= c1; ++c)
                {
                    const double dx = center_x[c] - m.x;
                    const double q = (dx * dx + dy2) * g.inv_r2;
                    const double inside = q < 1.0 ? 1.0 : 0.0;
                    row_out[c] += row_scaled * (factor[c] * inside);
                }
                continue;
            }
            for (std::int64_t c = c0; c <= c1; ++c)
            {
                const double dx = center_x[c] - m.x;
                const double q = (dx * dx + dy2) * g.inv_r2;
                const double inside = q < 1.0 ? 1.0 : 0.0;
                row_out[c] += m.scaled * (Shape::g(q) * inside);
            }
        }
    }
}

// Rows per band: each band is one task, owns its rows of the output, and adds the offences that
// reach it in a fixed order (see below), so each cell's sum is the same whatever the thread count.
// Small enough for a band of a few thousand columns to stay in L2.
constexpr std::int64_t band_rows = 16;

// Offences per strip at most, so that the copies the kernel reads stay small however many there
// are (2 million offences of 32 bytes: 64 MB).
constexpr std::size_t strip_members = 2'000'000;

// Where a strip's rows go: the whole surface's memory, or a buffer handed on when the strip is
// done.
struct StripTarget
{
    std::function<double*(std::int64_t first_row, std::int64_t row_count)> rows;
    std::function<void(std::int64_t first_row, std::int64_t row_count)> done;
};

// Computes the rows of the surface a strip of bands at a time. Within a strip each band is one
// task, as described above, reading the offences that reach it in the order (band of their first
// row, input order); the strips only decide which offences are copied at once, so every cell's sum
// is the same whatever the strips and the threads.
// Only the bands [band_begin, band_end) are computed; their cells equal the whole surface's.
template <class Shape, class Member>
void estimate(const Incidents& incidents, const GridSpec& grid, const KdeOptions& options,
              std::int64_t band_begin, std::int64_t band_end, std::int64_t strip_bands,
              const StripTarget& target, const RunContext& context)
{
    constexpr bool adaptive = std::is_same_v<Member, AdaptiveMember>;
    const auto bandwidth_of = [&](std::size_t i)
    { return adaptive ? options.point_bandwidth_m[i] : options.bandwidth_m; };
    const double radius = kernel_support_radius(options.kernel, options.bandwidth_m);
    const double unit_scale = units_factor(options.units, grid);
    const double scale = kernel_constant(options.kernel, options.bandwidth_m) * unit_scale;
    const std::int64_t cols = grid.cols;
    const std::int64_t rows = grid.rows;

    std::vector<double> center_x(static_cast<std::size_t>(cols));
    for (std::int64_t c = 0; c < cols; ++c)
        center_x[static_cast<std::size_t>(c)] = grid.center_x(c);
    const BandGeometry geometry{center_x.data(), grid.origin_x,           grid.origin_y,
                                grid.cell_m,     1.0 / grid.cell_m,       cols,
                                radius * radius, 1.0 / (radius * radius), radius / grid.cell_m};

    // Rows each offence can reach, widened by one on each side; an empty range when it reaches
    // none.
    const std::size_t n = incidents.size();
    const auto reach = [&](std::size_t i) -> std::pair<std::int32_t, std::int32_t>
    {
        const double r = adaptive ? kernel_support_radius(options.kernel, bandwidth_of(i)) : radius;
        const RowsReached rows_reached = kde_rows_reached(grid, r, incidents.x[i], incidents.y[i]);
        return {static_cast<std::int32_t>(rows_reached.first),
                static_cast<std::int32_t>(rows_reached.last)};
    };

    const std::int64_t band_count = band_end - band_begin;
    // The most bands one offence reaches: it bounds how far before a strip its offences start.
    // The offences in fixed blocks, so that the passes below run in parallel and still place
    // every offence where one serial pass would.
    const std::size_t block_size = 1 << 16;
    const std::size_t blocks = (n + block_size - 1) / block_size;
    const auto for_blocks = [&](auto&& body)
    {
        tbb::parallel_for(std::size_t{0}, blocks,
                          [&](std::size_t k)
                          { body(k, k * block_size, std::min(n, (k + 1) * block_size)); });
    };
    std::vector<std::int64_t> block_span(blocks, 1);
    for_blocks(
        [&](std::size_t k, std::size_t begin, std::size_t end)
        {
            for (std::size_t i = begin; i < end; ++i)
                if (const auto [first, last] = reach(i); last >= first)
                    block_span[k] = std::max<std::int64_t>(
                        block_span[k], last / band_rows - first / band_rows + 1);
        });
    std::int64_t span = 1;
    for (const auto b : block_span)
        span = std::max(span, b);
    std::atomic<std::int64_t> bands_done{0};
    for (std::int64_t strip_first = band_begin; strip_first < band_end; strip_first += strip_bands)
    {
        const std::int64_t strip_end = std::min(band_end, strip_first + strip_bands);
        const std::int64_t row_first = strip_first * band_rows;
        const std::int64_t row_last = std::min(rows, strip_end * band_rows) - 1;
        // The offences reaching the strip, ordered by the band of their first row (a stable
        // counting sort, so input order within a band), stored contiguously. Band b then reads
        // one slice: the offences whose first band lies within `span` bands before it, skipping
        // the few that end above it. Bands before the strip are counted from `base`.
        const std::int64_t base = std::max<std::int64_t>(0, strip_first - span + 1);
        const std::size_t slots = static_cast<std::size_t>(strip_end - base);
        // Counts per block and band, then each block's first place in each band.
        // Visits, block by block in parallel, each offence reaching the strip with its slot.
        const auto for_reaching = [&](auto&& visit)
        {
            for_blocks(
                [&](std::size_t k, std::size_t begin, std::size_t end)
                {
                    for (std::size_t i = begin; i < end; ++i)
                    {
                        const auto [first, last] = reach(i);
                        if (last >= row_first && first <= row_last)
                            visit(k * slots + static_cast<std::size_t>(first / band_rows - base), i,
                                  first, last);
                    }
                });
        };
        std::vector<std::size_t> counts(blocks * slots, 0);
        for_reaching([&](std::size_t slot, std::size_t, std::int32_t, std::int32_t)
                     { ++counts[slot]; });
        std::vector<std::size_t> band_start(slots + 1, 0);
        std::size_t total = 0;
        for (std::size_t b = 0; b < slots; ++b)
        {
            band_start[b] = total;
            for (std::size_t k = 0; k < blocks; ++k)
            {
                const std::size_t c = counts[k * slots + b];
                counts[k * slots + b] = total; // block k's first place in band b
                total += c;
            }
        }
        band_start[slots] = total;
        std::vector<Member> members(total);
        for_reaching(
            [&](std::size_t slot, std::size_t i, std::int32_t first, std::int32_t last)
            {
                if constexpr (adaptive)
                {
                    const double h = bandwidth_of(i);
                    const double r = kernel_support_radius(options.kernel, h);
                    members[counts[slot]++] = {
                        {incidents.x[i], incidents.y[i],
                         kernel_constant(options.kernel, h) * unit_scale * incidents.weight_of(i),
                         first, last},
                        r * r,
                        1.0 / (r * r),
                        r / grid.cell_m};
                }
                else
                    members[counts[slot]++] = {incidents.x[i], incidents.y[i],
                                               scale * incidents.weight_of(i), first, last};
            });

        double* out = target.rows(row_first, row_last - row_first + 1);
        tbb::parallel_for(
            tbb::blocked_range<std::int64_t>(strip_first, strip_end),
            [&](const tbb::blocked_range<std::int64_t>& range)
            {
                for (std::int64_t b = range.begin(); b != range.end(); ++b)
                {
                    const std::int64_t first = b * band_rows;
                    const std::int64_t last = std::min(rows, first + band_rows) - 1;
                    const std::size_t begin = band_start[static_cast<std::size_t>(
                        std::max<std::int64_t>(base, b - span + 1) - base)];
                    const std::size_t end = band_start[static_cast<std::size_t>(b - base) + 1];
                    accumulate_band<Shape, Member>(out + (first - row_first) * cols, first, last,
                                                   members.data() + begin, end - begin, geometry);
                    context.report(static_cast<double>(++bands_done) /
                                   static_cast<double>(band_count));
                }
            });
        if (target.done)
            target.done(row_first, row_last - row_first + 1);
    }
}

void check_request(const Incidents& incidents, const GridSpec& grid, const KdeOptions& options)
{
    if (!options.point_bandwidth_m.empty())
    {
        if (options.point_bandwidth_m.size() != incidents.size())
            throw Error(Errc::Internal, "kde: one bandwidth per offence expected");
        for (const double h : options.point_bandwidth_m)
            if (!(h > 0) || !std::isfinite(h))
                throw Error(Errc::Usage, "kde: every adaptive bandwidth must be positive");
    }
    if (!(options.bandwidth_m > 0) || !std::isfinite(options.bandwidth_m))
        throw Error(Errc::Usage, "kde: bandwidth must be a positive number of metres (got " +
                                     std::to_string(options.bandwidth_m) + ")");
    if (grid.cols <= 0 || grid.rows <= 0 || !(grid.cell_m > 0))
        throw Error(Errc::Usage, "kde: the grid is empty");
    if (incidents.size() >= std::numeric_limits<std::uint32_t>::max())
        throw Error(Errc::Usage, "kde: more than 4 billion offences in one surface");
}

template <class Member>
void run_estimate_with(const Incidents& incidents, const GridSpec& grid, const KdeOptions& options,
                       std::int64_t band_begin, std::int64_t band_end, std::int64_t strip_bands,
                       const StripTarget& target, const RunContext& context)
{
    switch (options.kernel)
    {
    case Kernel::Quartic:
        return estimate<QuarticShape, Member>(incidents, grid, options, band_begin, band_end,
                                              strip_bands, target, context);
    case Kernel::Epanechnikov:
        return estimate<EpanechnikovShape, Member>(incidents, grid, options, band_begin, band_end,
                                                   strip_bands, target, context);
    case Kernel::Triweight:
        return estimate<TriweightShape, Member>(incidents, grid, options, band_begin, band_end,
                                                strip_bands, target, context);
    case Kernel::Triangular:
        return estimate<TriangularShape, Member>(incidents, grid, options, band_begin, band_end,
                                                 strip_bands, target, context);
    case Kernel::Uniform:
        return estimate<UniformShape, Member>(incidents, grid, options, band_begin, band_end,
                                              strip_bands, target, context);
    case Kernel::Gaussian:
        return estimate<GaussianShape, Member>(incidents, grid, options, band_begin, band_end,
                                               strip_bands, target, context);
    }
    throw Error(Errc::Internal, "kde: unknown kernel");
}

void run_estimate(const Incidents& incidents, const GridSpec& grid, const KdeOptions& options,
                  std::int64_t band_begin, std::int64_t band_end, std::int64_t strip_bands,
                  const StripTarget& target, const RunContext& context)
{
    if (options.point_bandwidth_m.empty())
        run_estimate_with<BandMember>(incidents, grid, options, band_begin, band_end, strip_bands,
                                      target, context);
    else
        run_estimate_with<AdaptiveMember>(incidents, grid, options, band_begin, band_end,
                                          strip_bands, target, context);
}

std::int64_t band_count_of(const GridSpec& grid)
{
    return (grid.rows + band_rows - 1) / band_rows;
}
} // namespace

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

std::string bandwidth_meaning(Kernel kernel, double bandwidth_m)
{
    const auto metres = [](double m)
    {
        char buffer[48];
        std::snprintf(buffer, sizeof buffer, m >= 100 ? "%.0f m" : "%.1f m", m);
        return std::string(buffer);
    };
    if (kernel != Kernel::Gaussian)
        return "radius " + metres(bandwidth_m);
    return "sigma " + metres(bandwidth_m) + ": 95% of each offence's weight within " +
           metres(std::sqrt(-2.0 * std::log(0.05)) * bandwidth_m);
}

double kernel_support_radius(Kernel kernel, double bandwidth_m)
{
    return kernel == Kernel::Gaussian ? gaussian_cutoff_sigmas * bandwidth_m : bandwidth_m;
}

double kernel_value(Kernel kernel, double bandwidth_m, double d2)
{
    const double radius = kernel_support_radius(kernel, bandwidth_m);
    const double q = d2 / (radius * radius);
    if (!(q < 1.0))
        return 0.0;
    const double a = kernel_constant(kernel, bandwidth_m);
    switch (kernel)
    {
    case Kernel::Quartic:
        return a * QuarticShape::g(q);
    case Kernel::Epanechnikov:
        return a * EpanechnikovShape::g(q);
    case Kernel::Triweight:
        return a * TriweightShape::g(q);
    case Kernel::Triangular:
        return a * TriangularShape::g(q);
    case Kernel::Uniform:
        return a * UniformShape::g(q);
    case Kernel::Gaussian:
        return a * GaussianShape::g(q);
    }
    return 0.0;
}

Raster<double> estimate_kde(const Incidents& incidents, const GridSpec& grid,
                            const KdeOptions& options, const RunContext& context)
{
    check_request(incidents, grid, options);
    Raster<double> out(grid, 0.0);
    const std::int64_t band_count = band_count_of(grid);
    const std::int64_t strips = static_cast<std::int64_t>(
        std::max<std::size_t>(1, (incidents.size() + strip_members - 1) / strip_members));
    const StripTarget target{[&](std::int64_t first, std::int64_t)
                             { return &out.values[static_cast<std::size_t>(first * grid.cols)]; },
                             {}};
    run_estimate(incidents, grid, options, 0, band_count,
                 std::max<std::int64_t>(1, (band_count + strips - 1) / strips), target, context);
    return out;
}

void estimate_kde_strips(const Incidents& incidents, const GridSpec& grid,
                         const KdeOptions& options, std::int64_t rows_per_strip,
                         const StripSink& sink, const RunContext& context)
{
    check_request(incidents, grid, options);
    const std::int64_t strip_bands =
        std::max<std::int64_t>(1, (rows_per_strip + band_rows - 1) / band_rows);
    std::vector<double> buffer;
    const StripTarget target{[&](std::int64_t, std::int64_t count)
                             {
                                 buffer.assign(static_cast<std::size_t>(count * grid.cols), 0.0);
                                 return buffer.data();
                             },
                             [&](std::int64_t first, std::int64_t count)
                             { sink(first, count, buffer); }};
    run_estimate(incidents, grid, options, 0, band_count_of(grid), strip_bands, target, context);
}

std::vector<double> estimate_kde_rows(const Incidents& incidents, const GridSpec& grid,
                                      const KdeOptions& options, std::int64_t first_row,
                                      std::int64_t row_count, const RunContext& context)
{
    check_request(incidents, grid, options);
    if (first_row < 0 || row_count <= 0 || first_row % band_rows != 0 ||
        first_row + row_count > grid.rows ||
        (row_count % band_rows != 0 && first_row + row_count != grid.rows))
        throw Error(Errc::Internal, "kde: rows " + std::to_string(first_row) + " + " +
                                        std::to_string(row_count) +
                                        " are not whole bands of the grid");
    std::vector<double> out(static_cast<std::size_t>(row_count * grid.cols), 0.0);
    const std::int64_t band_begin = first_row / band_rows;
    const std::int64_t band_end = (first_row + row_count + band_rows - 1) / band_rows;
    const StripTarget target{
        [&](std::int64_t first, std::int64_t)
        { return &out[static_cast<std::size_t>((first - first_row) * grid.cols)]; },
        {}};
    run_estimate(incidents, grid, options, band_begin, band_end, band_end - band_begin, target,
                 context);
    return out;
}

RowsReached kde_rows_reached(const GridSpec& grid, double radius_m, double x, double y)
{
    const double east = grid.origin_x + static_cast<double>(grid.cols) * grid.cell_m;
    if (!(x > grid.origin_x - radius_m && x < east + radius_m))
        return {};
    const double first = std::ceil((grid.origin_y - y - radius_m) / grid.cell_m - 0.5) - 1.0;
    const double last = std::floor((grid.origin_y - y + radius_m) / grid.cell_m - 0.5) + 1.0;
    if (last < 0.0 || first > static_cast<double>(grid.rows - 1))
        return {};
    return {static_cast<std::int64_t>(std::max(first, 0.0)),
            static_cast<std::int64_t>(std::min(last, static_cast<double>(grid.rows - 1)))};
}

std::int64_t kde_strip_rows(std::int64_t rows)
{
    return std::max<std::int64_t>(band_rows, (rows + band_rows - 1) / band_rows * band_rows);
}

} // namespace hotspot::engine
