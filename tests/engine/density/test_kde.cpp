#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/density/kde.hpp"
#include "hotspot/engine/density/study_window.hpp"

#include "generators.hpp"

#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include <cmath>
#include <cstring>

using namespace hotspot;
using namespace hotspot::engine;

namespace
{
const Kernel all_kernels[] = {Kernel::Quartic,    Kernel::Epanechnikov, Kernel::Triweight,
                              Kernel::Triangular, Kernel::Uniform,      Kernel::Gaussian};

// The kernels exactly as the documentation states them, per square metre, written independently of
// the engine (which works in q = d^2/r^2).
double reference_kernel(Kernel k, double d, double h)
{
    const double pi = 3.14159265358979323846;
    const double u = d / h;
    switch (k)
    {
    case Kernel::Quartic:
        return d < h ? 3.0 / (pi * h * h) * std::pow(1 - u * u, 2) : 0.0;
    case Kernel::Epanechnikov:
        return d < h ? 2.0 / (pi * h * h) * (1 - u * u) : 0.0;
    case Kernel::Triweight:
        return d < h ? 4.0 / (pi * h * h) * std::pow(1 - u * u, 3) : 0.0;
    case Kernel::Triangular:
        return d < h ? 3.0 / (pi * h * h) * (1 - u) : 0.0;
    case Kernel::Uniform:
        return d < h ? 1.0 / (pi * h * h) : 0.0;
    case Kernel::Gaussian:
    {
        // Truncated where the mass beyond, exp(-R^2/(2 h^2)), is 1e-6.
        const double cutoff = h * std::sqrt(-2.0 * std::log(1e-6));
        return d < cutoff ? std::exp(-d * d / (2 * h * h)) / (2 * pi * h * h) : 0.0;
    }
    }
    return 0;
}

Raster<double> brute_force(const Incidents& inc, const GridSpec& g, Kernel k, double h)
{
    Raster<double> out(g, 0.0);
    for (std::int64_t r = 0; r < g.rows; ++r)
        for (std::int64_t c = 0; c < g.cols; ++c)
        {
            double sum = 0;
            for (std::size_t i = 0; i < inc.size(); ++i)
                sum += inc.weight_of(i) *
                       reference_kernel(
                           k, std::hypot(g.center_x(c) - inc.x[i], g.center_y(r) - inc.y[i]), h);
            out.at(c, r) = sum;
        }
    return out;
}

Incidents single(double x, double y, double w = 1.0)
{
    Incidents inc;
    inc.add(x, y, w);
    return inc;
}

KdeOptions per_m2(Kernel k, double h)
{
    return {.kernel = k, .bandwidth_m = h, .units = DensityUnits::PerM2};
}
} // namespace

TEST_CASE("A single point gives each kernel's formula value at known offsets", "[kde]")
{
    // The point sits on the centre of cell (20, 20); offsets are whole cells of 10 m.
    const GridSpec g{0, 410, 10, 41, 41};
    const Incidents inc = single(205, 205);
    const double h = 100;
    const double pi = 3.14159265358979323846;
    for (const Kernel k : all_kernels)
    {
        const auto s = estimate_kde(inc, g, per_m2(k, h));
        INFO(to_string(k));
        for (const auto& [dc, dr] :
             std::vector<std::pair<int, int>>{{0, 0}, {3, 0}, {0, -5}, {6, 8}, {7, 7}, {9, 4}})
        {
            const double d = 10.0 * std::hypot(dc, dr);
            CHECK(s.at(20 + dc, 20 + dr) ==
                  Approx(reference_kernel(k, d, h)).epsilon(1e-12).margin(1e-300));
        }
    }
    // Hand values: at the centre quartic is 3/(pi h^2); at d = 50 (u = 0.5), (1 - 0.25)^2 = 0.5625
    // of it.
    const auto quartic = estimate_kde(inc, g, per_m2(Kernel::Quartic, h));
    CHECK(quartic.at(20, 20) == Approx(3.0 / (pi * 1e4)).epsilon(1e-14));
    CHECK(quartic.at(25, 20) == Approx(0.5625 * 3.0 / (pi * 1e4)).epsilon(1e-14));
    CHECK(quartic.at(30, 20) == 0.0); // d = r exactly: outside the support
    const auto uniform = estimate_kde(inc, g, per_m2(Kernel::Uniform, h));
    CHECK(uniform.at(30, 20) == 0.0);
    CHECK(uniform.at(29, 20) == Approx(1.0 / (pi * 1e4)).epsilon(1e-14));
}

TEST_CASE("Every kernel's surface integrates to the total weight", "[kde]")
{
    // Interior points on a fine grid (cell = bandwidth / 100): sum of density x cell area = sum of
    // weights.
    const double h = 50;
    Incidents inc = single(1003.7, 998.2, 2.5);
    inc.add(1021.3, 1040.9);
    for (const Kernel k : all_kernels)
    {
        const double reach = kernel_support_radius(k, h);
        const double cell = h / 100;
        const GridSpec g = grid_for_extent(
            {1003.7 - reach - 20, 998.2 - reach - 20, 1021.3 + reach + 20, 1040.9 + reach + 20},
            cell);
        const auto s = estimate_kde(inc, g, per_m2(k, h));
        double integral = 0;
        for (const double v : s.values)
            integral += v * g.cell_area_m2();
        INFO(to_string(k));
        CHECK(integral == Approx(3.5).epsilon(1e-3));
    }
}

TEST_CASE("The surface equals a brute-force sum over all points and cells", "[kde]")
{
    using namespace hotspot::testsupport;
    // Points spill beyond the grid on every side: they must still count where they reach.
    const Incidents inc =
        make_clustered_incidents(test_seed(), 400, {{500, 500, 80, 2}, {150, 800, 120, 1}}, -300,
                                 -300, 1300, 1300, 0.3, true);
    const GridSpec g{13.3, 1007.1, 17.5, 57, 55};
    for (const Kernel k : all_kernels)
    {
        const double h = k == Kernel::Gaussian ? 40 : 130;
        const auto fast = estimate_kde(inc, g, per_m2(k, h));
        const auto slow = brute_force(inc, g, k, h);
        double worst = 0;
        std::size_t nonzero = 0;
        for (std::size_t i = 0; i < slow.values.size(); ++i)
        {
            const double scale = std::max(std::abs(slow.values[i]), 1e-300);
            worst = std::max(worst, std::abs(fast.values[i] - slow.values[i]) / scale);
            nonzero += slow.values[i] > 0;
        }
        INFO(to_string(k));
        CHECK(worst < 1e-9);
        CHECK(nonzero > slow.values.size() / 2);
    }
}

TEST_CASE("An offence beyond the grid counts only where its kernel reaches", "[kde]")
{
    const GridSpec g{0, 100, 10, 10, 10};
    // 30 m west of the grid: reaches the first columns with r = 50, nothing with r = 25.
    const auto reaching = estimate_kde(single(-30, 50), g, per_m2(Kernel::Quartic, 50));
    CHECK(reaching.at(0, 5) == Approx(reference_kernel(Kernel::Quartic, std::hypot(35, 5), 50)));
    CHECK(reaching.at(2, 5) == 0.0);
    const auto beyond = estimate_kde(single(-30, 50), g, per_m2(Kernel::Quartic, 25));
    for (const double v : beyond.values)
        CHECK(v == 0.0);
}

TEST_CASE("Units scale the same surface", "[kde]")
{
    using namespace hotspot::testsupport;
    const Incidents inc =
        make_clustered_incidents(test_seed(), 200, {{500, 500, 100, 1}}, 0, 0, 1000, 1000);
    const GridSpec g{0, 1000, 25, 40, 40};
    KdeOptions o{.kernel = Kernel::Quartic, .bandwidth_m = 150, .units = DensityUnits::PerM2};
    const auto m2 = estimate_kde(inc, g, o);
    o.units = DensityUnits::PerKm2;
    const auto km2 = estimate_kde(inc, g, o);
    o.units = DensityUnits::Count;
    const auto count = estimate_kde(inc, g, o);
    for (std::size_t i = 0; i < m2.values.size(); ++i)
    {
        CHECK(km2.values[i] == Approx(m2.values[i] * 1e6).epsilon(1e-12));
        CHECK(count.values[i] == Approx(m2.values[i] * 625).epsilon(1e-12));
    }
}

TEST_CASE("A weight of 2 counts as two offences", "[kde]")
{
    const GridSpec g{0, 100, 5, 20, 20};
    Incidents two = single(52, 47);
    two.add(52, 47);
    const auto a = estimate_kde(single(52, 47, 2.0), g, per_m2(Kernel::Epanechnikov, 30));
    const auto b = estimate_kde(two, g, per_m2(Kernel::Epanechnikov, 30));
    for (std::size_t i = 0; i < a.values.size(); ++i)
        CHECK(a.values[i] == Approx(b.values[i]).epsilon(1e-14));
}

TEST_CASE("The surface is bit-identical for any thread count", "[kde][threads]")
{
    using namespace hotspot::testsupport;
    const Incidents inc = make_clustered_incidents(test_seed(), 20000, maidstone_like_clusters(),
                                                   566000, 145800, 586000, 165800, 0.2, true);
    const GridSpec g = grid_for_extent({566000, 145800, 586000, 165800}, 50);
    const KdeOptions o{
        .kernel = Kernel::Quartic, .bandwidth_m = 250, .units = DensityUnits::PerKm2};
    std::vector<Raster<double>> results;
    for (const std::size_t threads : {1, 2, 3, 8})
    {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
        results.push_back(estimate_kde(inc, g, o));
    }
    for (std::size_t i = 1; i < results.size(); ++i)
        CHECK(std::memcmp(results[0].values.data(), results[i].values.data(),
                          results[0].values.size() * sizeof(double)) == 0);
}

TEST_CASE("Strip by strip gives the in-memory surface bit for bit", "[kde][strips]")
{
    using namespace hotspot::testsupport;
    const Incidents inc = make_clustered_incidents(test_seed(), 20000, maidstone_like_clusters(),
                                                   565000, 144800, 587000, 166800, 0.2, true);
    const GridSpec g = grid_for_extent({566000, 145800, 586000, 165800}, 50); // 400 x 400
    for (const auto kernel : {Kernel::Quartic, Kernel::Gaussian, Kernel::Uniform})
    {
        const KdeOptions o{.kernel = kernel, .bandwidth_m = 300, .units = DensityUnits::PerKm2};
        const Raster<double> whole = estimate_kde(inc, g, o);
        // Strips of one band, of several, not dividing the rows, and wider than the grid.
        for (const std::int64_t strip : {1, 16, 48, 100, 1000})
        {
            INFO("kernel " << to_string(kernel) << ", strips of " << strip << " rows");
            std::vector<double> joined;
            std::int64_t next_row = 0;
            estimate_kde_strips(
                inc, g, o, strip,
                [&](std::int64_t first, std::int64_t count, const std::vector<double>& values)
                {
                    CHECK(first == next_row);
                    CHECK(count <= kde_strip_rows(strip));
                    CHECK(values.size() == static_cast<std::size_t>(count * g.cols));
                    joined.insert(joined.end(), values.begin(), values.end());
                    next_row = first + count;
                });
            CHECK(next_row == g.rows);
            REQUIRE(joined.size() == whole.values.size());
            CHECK(std::memcmp(joined.data(), whole.values.data(), joined.size() * sizeof(double)) ==
                  0);
        }
    }
}

TEST_CASE("Progress runs from 0 to 1", "[kde]")
{
    const GridSpec g{0, 1000, 10, 100, 100};
    std::atomic<double> last{0.0};
    RunContext ctx{[&](double f)
                   {
                       double seen = last.load();
                       while (f > seen && !last.compare_exchange_weak(seen, f))
                       {
                       }
                   }};
    estimate_kde(single(500, 500), g, per_m2(Kernel::Quartic, 100), ctx);
    CHECK(last.load() == 1.0);
}

TEST_CASE("Bad bandwidths are refused", "[kde]")
{
    const GridSpec g{0, 100, 10, 10, 10};
    CHECK_THROWS_AS(estimate_kde(single(5, 5), g, per_m2(Kernel::Quartic, 0)), Error);
    CHECK_THROWS_AS(estimate_kde(single(5, 5), g, per_m2(Kernel::Quartic, -5)), Error);
    CHECK_THROWS_AS(estimate_kde(single(5, 5), g, per_m2(Kernel::Quartic, std::nan(""))), Error);
}

TEST_CASE("Kernel and unit names parse both ways", "[kde]")
{
    for (const Kernel k : all_kernels)
        CHECK(parse_named(kernel_names, to_string(k)) == k);
    CHECK(parse_named(kernel_names, "QUARTIC") == Kernel::Quartic);
    CHECK_FALSE(parse_named(kernel_names, "biweight").has_value());
    CHECK(parse_named(density_unit_names, "per-km2") == DensityUnits::PerKm2);
    CHECK(parse_named(density_unit_names, "count") == DensityUnits::Count);
    CHECK_FALSE(parse_named(density_unit_names, "hectare").has_value());
}

TEST_CASE("A tile of rows from only the offences reaching it equals the whole surface's rows",
          "[kde][tiles]")
{
    using namespace hotspot::testsupport;
    const Incidents all = make_clustered_incidents(test_seed(), 20000, maidstone_like_clusters(),
                                                   565000, 144800, 587000, 166800, 0.2, true);
    const GridSpec g = grid_for_extent({566000, 145800, 586000, 165800}, 50); // 400 x 400
    std::vector<double> adaptive(all.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        adaptive[i] = 150.0 + static_cast<double>(i % 7) * 40.0;
    for (const auto kernel : {Kernel::Quartic, Kernel::Gaussian, Kernel::Triangular})
        for (const bool is_adaptive : {false, true})
        {
            KdeOptions o{.kernel = kernel, .bandwidth_m = 300, .units = DensityUnits::PerKm2};
            if (is_adaptive)
                o.point_bandwidth_m = adaptive;
            const Raster<double> whole = estimate_kde(all, g, o);
            // Tiles of 64 rows, and the last one short (400 = 6 x 64 + 16).
            for (std::int64_t first = 0; first < g.rows; first += 64)
            {
                const std::int64_t count = std::min<std::int64_t>(64, g.rows - first);
                INFO(to_string(kernel)
                     << (is_adaptive ? " adaptive" : "") << ", rows " << first << " + " << count);
                // Only the offences whose reach meets the tile, in input order.
                Incidents tile;
                KdeOptions tile_options = o;
                tile_options.point_bandwidth_m.clear();
                for (std::size_t i = 0; i < all.size(); ++i)
                {
                    const double h = is_adaptive ? adaptive[i] : o.bandwidth_m;
                    const RowsReached r =
                        kde_rows_reached(g, kernel_support_radius(kernel, h), all.x[i], all.y[i]);
                    if (r.last < first || r.first >= first + count)
                        continue;
                    tile.add(all.x[i], all.y[i], all.weight_of(i));
                    if (is_adaptive)
                        tile_options.point_bandwidth_m.push_back(h);
                }
                CHECK(tile.size() < all.size());
                // The largest adaptive bandwidth sets the reach in both runs.
                const std::vector<double> rows =
                    estimate_kde_rows(tile, g, tile_options, first, count);
                REQUIRE(rows.size() == static_cast<std::size_t>(count * g.cols));
                CHECK(std::memcmp(rows.data(),
                                  &whole.values[static_cast<std::size_t>(first * g.cols)],
                                  rows.size() * sizeof(double)) == 0);
            }
        }
}

TEST_CASE("The rows an offence reaches hold every cell its kernel touches", "[kde][tiles]")
{
    const GridSpec g{1000, 2000, 10, 60, 60};
    const KdeOptions o{.kernel = Kernel::Quartic, .bandwidth_m = 55, .units = DensityUnits::PerM2};
    for (const double x : {995.0, 1003.0, 1300.0, 1612.0})
        for (const double y : {2049.0, 2000.0, 1700.0, 1395.0, 1352.0})
        {
            const RowsReached r = kde_rows_reached(g, 55.0, x, y);
            Incidents one;
            one.add(x, y);
            const Raster<double> s = estimate_kde(one, g, o);
            for (std::int64_t row = 0; row < g.rows; ++row)
                for (std::int64_t col = 0; col < g.cols; ++col)
                {
                    // Brute force: the kernel at the cell centre.
                    const double dx = g.center_x(col) - x, dy = g.center_y(row) - y;
                    if (kernel_value(Kernel::Quartic, 55, dx * dx + dy * dy) > 0)
                    {
                        INFO("offence " << x << ", " << y << ", cell " << col << ", " << row);
                        CHECK(row >= r.first);
                        CHECK(row <= r.last);
                        CHECK(s.at(col, row) > 0);
                    }
                }
        }
    // An offence beyond the reach of every row reaches none.
    CHECK(kde_rows_reached(g, 55.0, 1300, 2080).last < 0);
    CHECK(kde_rows_reached(g, 55.0, 800, 1700).last < 0);
}

TEST_CASE("Rows that are not whole bands are refused", "[kde][tiles]")
{
    const GridSpec g{0, 1000, 10, 100, 100};
    const KdeOptions o{.kernel = Kernel::Quartic, .bandwidth_m = 50, .units = DensityUnits::PerM2};
    Incidents one;
    one.add(500, 500);
    CHECK_THROWS_AS(estimate_kde_rows(one, g, o, 8, 16), hotspot::Error);
    CHECK_THROWS_AS(estimate_kde_rows(one, g, o, 0, 20), hotspot::Error);
    CHECK_THROWS_AS(estimate_kde_rows(one, g, o, 96, 16), hotspot::Error);
    CHECK(estimate_kde_rows(one, g, o, 96, 4).size() == 400);
}

TEST_CASE("A strip is finished as the whole surface would be: masked to the area, counted",
          "[kde][strips]")
{
    using namespace hotspot::engine;
    // 4 x 2 cells of 10 m; the area is the western half.
    const GridSpec grid{0, 20, 10, 4, 2};
    const MultiPolygon west{Polygon{{{0, 0}, {20, 0}, {20, 20}, {0, 20}, {0, 0}}, {}}};
    const StripFinish finish{grid, {&west}, nullptr, -9999.0};
    std::vector<double> row1{3, 0, 5, 6}; // the second row alone
    const StripFigures figures = finish_rows(finish, 1, 1, row1);
    CHECK(row1 == std::vector<double>{3, 0, -9999.0, -9999.0});
    CHECK(figures.peak == 3);
    CHECK(figures.cells_with_data == 2); // 0 inside the area is data
    // Without an area nothing is masked.
    std::vector<double> whole{1, 2, 3, 4, 5, 6, 7, 8};
    const StripFigures all = finish_rows({grid, {}, nullptr, -9999.0}, 0, 2, whole);
    CHECK(all.peak == 8);
    CHECK(all.cells_with_data == 8);
}
