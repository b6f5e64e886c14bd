#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/engine/core/grid.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace hotspot::engine;

namespace
{
MultiPolygon square_with_hole()
{
    Polygon p;
    p.outer = {{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}};
    p.holes.push_back({{4, 4}, {6, 4}, {6, 6}, {4, 6}});
    return {p};
}

// A star-shaped polygon with n spikes, concave, around (cx, cy).
Polygon star(double cx, double cy, double r_out, double r_in, int spikes, double phase)
{
    Polygon p;
    for (int i = 0; i < 2 * spikes; ++i)
    {
        const double a = phase + i * M_PI / spikes;
        const double r = i % 2 ? r_in : r_out;
        p.outer.push_back({cx + r * std::cos(a), cy + r * std::sin(a)});
    }
    return p;
}
} // namespace

TEST_CASE("Point in polygon respects holes and the half-open edge rule", "[geometry]")
{
    const MultiPolygon shape = square_with_hole();
    CHECK(contains(shape, {1, 1}));
    CHECK_FALSE(contains(shape, {5, 5}));  // in the hole
    CHECK_FALSE(contains(shape, {11, 5})); // outside
    CHECK(contains(shape, {0, 5}));        // west edge: inside
    CHECK_FALSE(contains(shape, {10, 5})); // east edge: outside
    CHECK(contains(shape, {5, 0}));        // south edge: inside
    CHECK_FALSE(contains(shape, {5, 10})); // north edge: outside
    CHECK(bounds(shape).xmax == 10);
}

TEST_CASE("The scanline mask agrees with point-in-polygon on every cell centre", "[geometry]")
{
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int trial = 0; trial < 20; ++trial)
    {
        // Drawn in separate statements, in the order GCC evaluated the arguments: the order of
        // evaluation of function arguments is the compiler's choice.
        const double phase = u(rng), r_out = 300 + 100 * u(rng);
        const double cy = 500 + 100 * u(rng), cx = 500 + 100 * u(rng);
        MultiPolygon shape{star(cx, cy, r_out, 120, 5 + trial % 4, phase),
                           star(150, 150, 100, 40, 3, u(rng))};
        shape[0].holes.push_back(star(shape[0].outer[0].x * 0 + 520, 520, 60, 30, 4, 0.3).outer);
        MultiPolygon other{star(800, 200, 150, 80, 6, 0.1)};
        // Cells of 10 m from origin 0: centres at 5, 15... and a grid whose centres hit vertices
        // exactly.
        for (const GridSpec g : {GridSpec{0, 1000, 10, 100, 100}, GridSpec{-5, 1005, 10, 101, 101}})
        {
            const auto mask = rasterize_mask({&shape, &other}, g);
            std::size_t disagreements = 0, inside = 0;
            for (std::int64_t r = 0; r < g.rows; ++r)
                for (std::int64_t c = 0; c < g.cols; ++c)
                {
                    const Point2 p{g.center_x(c), g.center_y(r)};
                    const bool expected = contains(shape, p) || contains(other, p);
                    inside += expected;
                    disagreements += (mask.at(c, r) != 0) != expected;
                }
            CHECK(disagreements == 0);
            CHECK(inside > 1000);
        }
    }
}

TEST_CASE("A mask of an axis-aligned square covers exactly the centres inside it", "[geometry]")
{
    MultiPolygon square{{{{{20, 20}, {50, 20}, {50, 50}, {20, 50}}}, {}}};
    const GridSpec g{0, 100, 10, 10, 10};
    const auto mask = rasterize_mask({&square}, g);
    std::size_t count = 0;
    for (const auto v : mask.values)
        count += v;
    CHECK(count == 9);         // centres 25, 35, 45 in each direction
    CHECK(mask.at(2, 5) == 1); // centre (25, 45)
    CHECK(mask.at(5, 5) == 0); // centre (55, 45)
}

TEST_CASE("Areas painted by their figures: each centre the largest of the areas holding it",
          "[geometry]")
{
    const MultiPolygon left{{{{{0, 0}, {60, 0}, {60, 60}, {0, 60}}}, {}}};
    const MultiPolygon right{{{{{40, 20}, {100, 20}, {100, 80}, {40, 80}}}, {}}};
    const GridSpec g{-10, 110, 5, 24, 24};
    const auto painted = rasterize_values({left, right}, {2.0, 5.0}, g, -1.0);
    std::size_t cells_of[3] = {0, 0, 0};
    for (std::int64_t r = 0; r < g.rows; ++r)
        for (std::int64_t c = 0; c < g.cols; ++c)
        {
            const Point2 p{g.center_x(c), g.center_y(r)};
            const double expected = contains(right, p) ? 5.0 : contains(left, p) ? 2.0 : -1.0;
            CHECK(painted.at(c, r) == expected);
            cells_of[expected == 5.0 ? 2 : expected == 2.0 ? 1 : 0] += 1;
        }
    CHECK(cells_of[1] == 144 - 4 * 8); // left's 12 x 12 centres, less the 4 x 8 under right
    CHECK(cells_of[2] == 144);
    CHECK_THROWS_AS(rasterize_values({left}, {1.0, 2.0}, g, 0.0), hotspot::Error);
}

TEST_CASE("A map's frame: the box grown by a share of its longer side, so many cells across",
          "[geometry]")
{
    // 1,000 x 500 m: 8% of 1,000 is 80 m, under the 500 m least margin; 2,000 m across in 900
    // cells.
    const GridSpec g = framing_grid({0, 0, 1000, 500}, 0.08, 500, 900);
    CHECK(g.origin_x == -500);
    CHECK(g.origin_y == 1000);
    CHECK(g.cell_m == Approx(2000.0 / 900));
    CHECK(g.cols == 900);
    CHECK(g.rows == 675);
    // 20 km across: the margin is 8%, 1,600 m.
    const GridSpec wide = framing_grid({0, 0, 20000, 10000}, 0.08, 500, 900);
    CHECK(wide.origin_x == -1600);
    CHECK(wide.cell_m == Approx(23200.0 / 900));
}
