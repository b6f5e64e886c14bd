#include "hotspot/engine/areas/area_index.hpp"

#include "generators.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace hotspot::engine;

namespace
{
// A concave star around (cx, cy), with an optional square hole in the middle.
Polygon star(double cx, double cy, double r_out, double r_in, int spikes, double phase, bool hole)
{
    Polygon p;
    for (int i = 0; i < 2 * spikes; ++i)
    {
        const double a = phase + i * M_PI / spikes;
        const double r = i % 2 ? r_in : r_out;
        p.outer.push_back({cx + r * std::cos(a), cy + r * std::sin(a)});
    }
    if (hole)
        p.holes.push_back(
            {{cx - 20, cy - 20}, {cx + 20, cy - 20}, {cx + 20, cy + 20}, {cx - 20, cy + 20}});
    return p;
}

std::vector<MultiPolygon> star_field(std::mt19937_64& rng)
{
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<MultiPolygon> shapes;
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j)
        {
            // Drawn in separate statements: the order of evaluation of function arguments is
            // the compiler's choice. The phase first, as GCC evaluated them when this was written.
            const double phase = u(rng);
            const double r_out = 120 + 60 * u(rng);
            MultiPolygon m{star(i * 300.0 + 150, j * 300.0 + 150, r_out, 60, 4 + (i + j) % 5, phase,
                                (i + j) % 3 == 0)};
            if ((i * j) % 4 == 1) // a second, separate part
                m.push_back(star(i * 300.0 + 270, j * 300.0 + 270, 25, 12, 3, 0.0, false));
            shapes.push_back(std::move(m));
        }
    return shapes;
}

double brute_distance(const MultiPolygon& shape, Point2 p)
{
    double best = std::numeric_limits<double>::infinity();
    const auto ring_distance = [&](const Ring& ring)
    {
        for (std::size_t i = 0; i < ring.size(); ++i)
        {
            const Point2 a = ring[i], b = ring[(i + 1) % ring.size()];
            // Distance to a segment by dense sampling: independent of the index's projection
            // formula.
            for (int k = 0; k <= 2000; ++k)
            {
                const double t = k / 2000.0;
                best = std::min(
                    best, std::hypot(p.x - (a.x + t * (b.x - a.x)), p.y - (a.y + t * (b.y - a.y))));
            }
        }
    };
    for (const auto& polygon : shape)
    {
        ring_distance(polygon.outer);
        for (const auto& h : polygon.holes)
            ring_distance(h);
    }
    return best;
}
} // namespace

TEST_CASE("Area lookup equals brute-force point-in-polygon over every area", "[area_index]")
{
    std::mt19937_64 rng(hotspot::testsupport::test_seed());
    const auto shapes = star_field(rng);
    const AreaIndex index(shapes);
    REQUIRE(index.size() == shapes.size());
    std::uniform_real_distribution<double> u(-50, 1850);
    std::vector<std::int32_t> found;
    std::size_t inside = 0;
    for (int n = 0; n < 20000; ++n)
    {
        const Point2 p{u(rng), u(rng)};
        std::int32_t expected = -1;
        for (std::size_t a = 0; a < shapes.size() && expected < 0; ++a)
            if (contains(shapes[a], p))
                expected = static_cast<std::int32_t>(a);
        CHECK(index.locate(p) == expected);
        index.containing(p, found);
        CHECK(found.size() == (expected >= 0 ? 1u : 0u));
        inside += expected >= 0;
    }
    CHECK(inside > 3000);
    // Vertices and hole corners exactly: the half-open rule must match `contains` there too.
    for (std::size_t a = 0; a < shapes.size(); ++a)
        for (const auto& v : shapes[a][0].outer)
            CHECK((index.locate(v) == static_cast<std::int32_t>(a)) == contains(shapes[a], v));
}

TEST_CASE("Distances to area edges equal a brute-force search", "[area_index]")
{
    std::mt19937_64 rng(hotspot::testsupport::test_seed() + 1);
    const auto shapes = star_field(rng);
    const AreaIndex index(shapes);
    std::uniform_real_distribution<double> u(0, 1800);
    for (int n = 0; n < 200; ++n)
    {
        const Point2 p{u(rng), u(rng)};
        const std::size_t area = static_cast<std::size_t>(n) % shapes.size();
        const double exact = index.distance_to_edge(area, p);
        CHECK(exact ==
              Approx(brute_distance(shapes[area], p)).margin(0.05)); // sampling step <= 0.15 m
        const double limited = index.distance_to_edge(area, p, 40.0);
        if (exact <= 40.0)
            CHECK(limited == Approx(exact).epsilon(1e-12));
        else
            CHECK(std::isinf(limited));
    }
}

TEST_CASE("The nearest area within a tolerance covers points in gaps", "[area_index]")
{
    // Two squares with a 10 m gap between them.
    const std::vector<MultiPolygon> shapes{{{{{0, 0}, {100, 0}, {100, 100}, {0, 100}}, {}}},
                                           {{{{110, 0}, {200, 0}, {200, 100}, {110, 100}}, {}}}};
    const AreaIndex index(shapes);
    CHECK(index.locate({104, 50}) == -1);
    const auto near = index.nearest_within({104, 50}, 25);
    CHECK(near.area == 0);
    CHECK(near.distance_m == Approx(4.0));
    CHECK(index.nearest_within({107, 50}, 25).area == 1);
    CHECK(index.nearest_within({105, 50}, 25).area == 0); // a tie goes to the lower index
    CHECK(index.nearest_within({250, 50}, 25).area == -1);
    CHECK(index.nearest_within({225, 50}, 25).area == 1);
}

TEST_CASE("An interior point lies inside its area, even for a concave one", "[area_index]")
{
    std::mt19937_64 rng(hotspot::testsupport::test_seed() + 2);
    const auto shapes = star_field(rng);
    const AreaIndex index(shapes);
    for (std::size_t a = 0; a < shapes.size(); ++a)
        CHECK(contains(shapes[a], index.interior_point(a)));
    // A C shape whose centroid is outside it.
    const std::vector<MultiPolygon> c{
        {{{{0, 0}, {100, 0}, {100, 20}, {20, 20}, {20, 80}, {100, 80}, {100, 100}, {0, 100}}, {}}}};
    const AreaIndex c_index(c);
    CHECK(contains(c[0], c_index.interior_point(0)));
}
