#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/density/plan.hpp"

#include "generators.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

using namespace hotspot::engine;

namespace
{
// Offences over a 4 x 4 km square around (10 km, 10 km), seeded.
Incidents square_offences(std::uint64_t seed, std::size_t n = 2000)
{
    return hotspot::testsupport::make_clustered_incidents(seed, n, {{10'000, 10'000, 400, 1.0}},
                                                          8'000, 8'000, 12'000, 12'000, 0.6);
}

bool inside(const Box2& b, double x, double y)
{
    return x >= b.xmin && x <= b.xmax && y >= b.ymin && y <= b.ymax;
}

double distance_to_box(const Box2& b, double x, double y)
{
    const double dx = std::max({b.xmin - x, 0.0, x - b.xmax});
    const double dy = std::max({b.ymin - y, 0.0, y - b.ymax});
    return std::hypot(dx, dy);
}

double normal_cdf(double z)
{
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}
} // namespace

TEST_CASE("A given bandwidth without a window counts every offence", "[plan]")
{
    const Incidents inc = square_offences(1);
    DensityRequest request;
    request.bandwidth.metres = 300;
    const PlannedDensity planned = plan_density(request, inc);
    const DensityPlan& p = planned.plan;
    CHECK(p.options.bandwidth_m == 300);
    CHECK(p.bandwidth_selector == "given");
    CHECK(p.bandwidth_note == "given");
    CHECK_FALSE(p.windowed);
    CHECK(&planned.summed(inc) == &inc);
    CHECK(p.population.inside == static_cast<std::int64_t>(inc.size()));
    CHECK(p.population.reaching == static_cast<std::int64_t>(inc.size()));
    CHECK(nominal_bandwidth(p) == 300);
}

TEST_CASE("The ArcGIS rule looks at the offences inside the extent alone", "[plan]")
{
    const Incidents inc = square_offences(2);
    const Box2 west{8'000, 8'000, 10'000, 12'000};
    DensityRequest request; // the default bandwidth: ArcGIS's rule
    request.extent = west;
    const PlannedDensity planned = plan_density(request, inc);
    const Incidents in_west =
        inc.subset([&](std::size_t i) { return inside(west, inc.x[i], inc.y[i]); });
    REQUIRE(in_west.size() > 100);
    REQUIRE(in_west.size() < inc.size());
    CHECK(planned.plan.options.bandwidth_m == default_bandwidth(in_west).bandwidth_m);
    CHECK(planned.plan.bandwidth_selector == "arcgis");
    CHECK_THAT(planned.plan.bandwidth_note, Catch::StartsWith("ArcGIS rule: SD "));
    // Who the surface counts, by brute force: inside the extent, or within the radius of it.
    const double radius = kernel_support_radius(Kernel::Quartic, planned.plan.options.bandwidth_m);
    std::int64_t in = 0, reaching = 0;
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        in += inside(west, inc.x[i], inc.y[i]);
        reaching += distance_to_box(west, inc.x[i], inc.y[i]) < radius;
    }
    CHECK(planned.plan.population.inside == in);
    CHECK(planned.plan.population.reaching == reaching);
    CHECK(reaching > in);
}

TEST_CASE("A publishing floor raises a narrower bandwidth and says so", "[plan]")
{
    const Incidents inc = square_offences(3);
    DensityRequest request;
    request.bandwidth.metres = 120;
    request.floor = BandwidthFloor{500, "--publish", "police"};
    std::vector<std::string> warnings;
    const StageLog log{.warn = [&](const std::string& line) { warnings.push_back(line); }};
    const DensityPlan p = plan_density(request, inc, log).plan;
    CHECK(p.options.bandwidth_m == 500);
    CHECK(p.bandwidth_note == "given; raised to 500 m by --publish");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] == "--publish police: the given bandwidth, 120.0 m, is raised to the least "
                         "the preset allows, 500 m");
    // A wider one is left alone.
    request.bandwidth.metres = 800;
    CHECK(plan_density(request, inc).plan.options.bandwidth_m == 800);
}

TEST_CASE("Edge correction counts the offences inside the window alone", "[plan]")
{
    const Incidents inc = square_offences(4);
    const Box2 box{9'000, 9'000, 11'000, 11'000};
    std::size_t in = 0;
    for (std::size_t i = 0; i < inc.size(); ++i)
        in += inside(box, inc.x[i], inc.y[i]);
    DensityRequest request;
    request.bandwidth.metres = 250;
    request.extent = box;
    request.edge = EdgeCorrection::Uniform;
    const PlannedDensity uniform = plan_density(request, inc);
    CHECK(uniform.summed(inc).size() == in);
    CHECK(uniform.plan.outside_window == inc.size() - in);
    CHECK(uniform.summed(inc).total_weight() == Approx(static_cast<double>(in)));

    // Diggle's: each offence inside weighs 1 / e(x), e exact for the Gaussian on a rectangle.
    request.edge = EdgeCorrection::Diggle;
    request.kernel = Kernel::Gaussian; // the bandwidth is the sigma
    const PlannedDensity diggle = plan_density(request, inc);
    const Incidents& weighted = diggle.summed(inc);
    REQUIRE(weighted.size() == in);
    const double s = 250;
    double worst = 0;
    for (std::size_t i = 0; i < weighted.size(); ++i)
    {
        const double x = weighted.x[i], y = weighted.y[i];
        const double e = (normal_cdf((box.xmax - x) / s) - normal_cdf((box.xmin - x) / s)) *
                         (normal_cdf((box.ymax - y) / s) - normal_cdf((box.ymin - y) / s));
        worst = std::max(worst, std::abs(weighted.weight_of(i) * e - 1.0));
    }
    CHECK(worst < 1e-9);
}

TEST_CASE("A window without offences is refused when the plan needs them", "[plan]")
{
    const Incidents inc = square_offences(5);
    DensityRequest request;
    request.extent = Box2{50'000, 50'000, 51'000, 51'000};
    CHECK_THROWS_WITH(plan_density(request, inc),
                      Catch::Contains("no offence lies in --extent, so no bandwidth can be "
                                      "derived from them"));
    // A given bandwidth needs none there.
    request.bandwidth.metres = 300;
    CHECK(plan_density(request, inc).plan.population.inside == 0);
}

TEST_CASE("Adaptive bandwidths: the reach is the widest, the surface known by the global one",
          "[plan]")
{
    const Incidents inc = square_offences(6, 600);
    DensityRequest request;
    request.bandwidth.metres = 300;
    request.adaptive = true;
    std::vector<std::string> info;
    const StageLog log{.info = [&](const std::string& line) { info.push_back(line); }};
    const DensityPlan p = plan_density(request, inc, log).plan;
    REQUIRE(p.adaptive);
    REQUIRE(p.options.point_bandwidth_m.size() == inc.size());
    CHECK(p.options.bandwidth_m == p.adaptive->largest_m);
    CHECK(*std::max_element(p.options.point_bandwidth_m.begin(),
                            p.options.point_bandwidth_m.end()) == p.adaptive->largest_m);
    CHECK(nominal_bandwidth(p) == 300);
    CHECK(p.adaptive->pilot_m == 300); // the pilot defaults to the bandwidth
    REQUIRE(info.size() == 1);
    CHECK_THAT(info[0], Catch::StartsWith("adaptive   Abramson, pilot 300.0 m"));
}

TEST_CASE("The default grid covers the offences and the kernel's reach, in whole cells", "[plan]")
{
    const Incidents inc = square_offences(7);
    DensityRequest request;
    request.bandwidth.metres = 300; // quartic: reaches 300 m
    const DensityPlan p = plan_density(request, inc).plan;
    const GridPlan g = plan_grid(p, inc, std::nullopt, false, 50.0, MemoryBudget{});
    REQUIRE(g.default_extent);
    REQUIRE(g.fits);
    CHECK_FALSE(g.streamed);
    Box2 bounds;
    for (std::size_t i = 0; i < inc.size(); ++i)
        bounds.expand(inc.x[i], inc.y[i]);
    CHECK(g.box.xmin <= bounds.xmin - 300);
    CHECK(g.box.xmax >= bounds.xmax + 300);
    CHECK(g.box.ymin <= bounds.ymin - 300);
    CHECK(g.box.ymax >= bounds.ymax + 300);
    CHECK(g.box.xmin > bounds.xmin - 350); // snapped outwards by less than a cell
    CHECK(std::fmod(g.box.xmin, 50.0) == 0);
    CHECK(std::fmod(g.box.ymax, 50.0) == 0);
    CHECK(g.grid.cell_m == 50);
    CHECK(g.grid.cols == static_cast<std::int64_t>(g.cols));
    // A given extent is kept as it is, and the cell size follows it by default.
    const Box2 given{9'000.5, 9'000, 11'000.5, 10'000};
    const GridPlan e = plan_grid(p, inc, given, false, std::nullopt, MemoryBudget{});
    CHECK(e.box.xmin == given.xmin);
    CHECK(e.cell_m == default_cell_size(given));
}

TEST_CASE("A grid over the memory budget is streamed when a strip fits, else refused", "[plan]")
{
    const Incidents inc = square_offences(8, 500);
    DensityRequest request;
    request.bandwidth.metres = 300;
    const DensityPlan p = plan_density(request, inc).plan;
    const Box2 box{0, 0, 100'000, 100'000}; // 1,000 x 1,000 cells of 100 m
    MemoryBudget budget{.bytes_per_cell = 13,
                        .bytes_per_strip_cell = 17,
                        .strip_rows = 10,
                        .bytes_per_offence = 64};
    const double whole = 1e6 * 13, strip = 10 * 1000 * 17, offences = 500 * 64;
    budget.limit_bytes = whole + offences; // just fits whole
    CHECK_FALSE(plan_grid(p, inc, box, false, 100.0, budget).streamed);
    CHECK(plan_grid(p, inc, box, false, 100.0, budget).fits_whole);
    budget.limit_bytes = whole + offences - 1; // a strip fits, but nothing can take strips
    const GridPlan refused = plan_grid(p, inc, box, false, 100.0, budget);
    CHECK_FALSE(refused.fits);
    CHECK(refused.whole_bytes == whole);
    CHECK(refused.strip_bytes == strip);
    CHECK(refused.offence_bytes == offences);
    budget.can_stream = true;
    const GridPlan streamed = plan_grid(p, inc, box, false, 100.0, budget);
    CHECK(streamed.fits);
    CHECK(streamed.streamed);
    CHECK_FALSE(streamed.fits_whole);
    budget.limit_bytes = strip + offences - 1; // not even a strip
    CHECK_FALSE(plan_grid(p, inc, box, false, 100.0, budget).fits);
    budget.limit_bytes = 1e12;
    budget.always_stream = true;
    CHECK(plan_grid(p, inc, box, false, 100.0, budget).streamed);

    // Past stream_above_bytes held whole, a grid that fits is streamed too, where strips can be
    // taken; at it, held whole.
    budget.always_stream = false;
    budget.stream_above_bytes = whole;
    CHECK_FALSE(plan_grid(p, inc, box, false, 100.0, budget).streamed);
    budget.stream_above_bytes = whole - 1;
    const GridPlan past = plan_grid(p, inc, box, false, 100.0, budget);
    CHECK(past.streamed);
    CHECK(past.fits);
    CHECK(past.fits_whole); // streamed for its size, not for the limit
    budget.can_stream = false;
    CHECK_FALSE(plan_grid(p, inc, box, false, 100.0, budget).streamed);
}

TEST_CASE("A kernel over 2,000 cells wide is refused as a typo", "[plan]")
{
    CHECK_NOTHROW(check_reach(2'000, 1));
    CHECK_THROWS_WITH(check_reach(2'000.5, 1), Catch::Contains("is absurd"));
}

TEST_CASE("Offences geocoded far away are counted when they stretch the grid", "[plan]")
{
    Incidents inc = square_offences(9, 1000);
    Box2 own;
    for (std::size_t i = 0; i < inc.size(); ++i)
        own.expand(inc.x[i], inc.y[i]);
    CHECK_FALSE(stretching_offences(inc, own));
    for (int k = 0; k < 5; ++k)
        inc.add(200'000.0 + k, 300'000.0);
    Box2 stretched = own;
    stretched.expand(200'004.0, 300'000.0);
    const auto far = stretching_offences(inc, stretched);
    REQUIRE(far);
    CHECK(*far == 5);
}

TEST_CASE("Offences all on one point leave the ArcGIS rule nothing to derive from", "[plan]")
{
    Incidents inc;
    for (int i = 0; i < 50; ++i)
        inc.add(571'000, 155'000);
    DensityRequest request; // the ArcGIS rule
    try
    {
        plan_density(request, inc);
        FAIL("planned a bandwidth from offences on one point");
    }
    catch (const hotspot::Error& e)
    {
        CHECK(e.code() == hotspot::Errc::Usage);
        CHECK_THAT(e.what(), Catch::Contains("every offence lies on one point; give --bandwidth"));
    }
    // A given bandwidth needs no spread.
    request.bandwidth.metres = 250;
    CHECK(plan_density(request, inc).plan.options.bandwidth_m == 250);
}

TEST_CASE("Sparse cells are those fewer than K offences reach, by a brute-force count",
          "[density][plan][disclosure]")
{
    const Incidents inc = square_offences(17, 600);
    const GridSpec grid = grid_for_extent({9'000, 9'000, 11'000, 11'000}, 50);
    Raster<double> surface(grid, 1.0);
    surface.values[0] = surface.values[5] = -9999; // outside the study area: never sparse
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> spread(60, 240);
    for (const bool adaptive : {false, true})
    {
        KdeOptions options{.kernel = Kernel::Quartic, .bandwidth_m = 150};
        if (adaptive)
        {
            for (std::size_t i = 0; i < inc.size(); ++i)
                options.point_bandwidth_m.push_back(spread(rng));
            options.bandwidth_m = *std::max_element(options.point_bandwidth_m.begin(),
                                                    options.point_bandwidth_m.end());
        }
        const int k = 4;
        const SparseCells sparse = sparse_cells(inc, surface, -9999, options, k);
        std::int64_t expected = 0;
        for (std::int64_t row = 0; row < grid.rows; ++row)
            for (std::int64_t col = 0; col < grid.cols; ++col)
            {
                int reach = 0;
                for (std::size_t i = 0; i < inc.size(); ++i)
                {
                    const double r = adaptive ? options.point_bandwidth_m[i] : 150.0;
                    const double dx = grid.center_x(col) - inc.x[i];
                    const double dy = grid.center_y(row) - inc.y[i];
                    reach += dx * dx + dy * dy < r * r;
                }
                const bool sparse_cell = surface.at(col, row) != -9999 && reach < k;
                expected += sparse_cell;
                INFO("cell " << col << ", " << row << ": reached by " << reach);
                REQUIRE(sparse.mask.at(col, row) == sparse_cell);
            }
        CHECK(sparse.count == expected);
        CHECK(expected > 10); // the test covers both kinds of cell
        CHECK(expected < grid.cols * grid.rows - 10);
    }
}
