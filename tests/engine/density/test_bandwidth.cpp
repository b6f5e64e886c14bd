#include "hotspot/engine/density/bandwidth.hpp"

#include "generators.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace hotspot::engine;

namespace
{
Incidents points(const std::vector<std::array<double, 3>>& xyw)
{
    Incidents inc;
    for (const auto& [x, y, w] : xyw)
        inc.add(x, y, w);
    return inc;
}
} // namespace

TEST_CASE("The ArcGIS rule on a square of four points, by hand", "[bandwidth]")
{
    // Mean centre (1, 1); every distance is sqrt(2), so SD = Dm = sqrt(2) and min(SD, 1.2011 Dm) =
    // sqrt(2).
    const BandwidthRule rule =
        default_bandwidth(points({{0, 0, 1}, {2, 0, 1}, {0, 2, 1}, {2, 2, 1}}));
    CHECK(rule.standard_distance_m == Approx(std::sqrt(2.0)).epsilon(1e-12));
    CHECK(rule.median_distance_m == Approx(std::sqrt(2.0)).epsilon(1e-12));
    CHECK(rule.n == 4);
    CHECK(rule.bandwidth_m == Approx(0.9 * 1.4142135623730951 * 0.7578582832551990).epsilon(1e-12));
}

TEST_CASE("The median term wins when a few far points inflate the standard distance", "[bandwidth]")
{
    // Distances from the mean centre (0, 0): 1, 1, 1, 1 and 100, 100 (two far points, opposite).
    const BandwidthRule rule = default_bandwidth(
        points({{1, 0, 1}, {-1, 0, 1}, {0, 1, 1}, {0, -1, 1}, {100, 0, 1}, {-100, 0, 1}}));
    const double sd = std::sqrt((4 * 1.0 + 2 * 10000.0) / 6.0);
    CHECK(rule.standard_distance_m == Approx(sd).epsilon(1e-12));
    CHECK(rule.median_distance_m == Approx(1.0).epsilon(1e-12));
    CHECK(rule.bandwidth_m ==
          Approx(0.9 * std::sqrt(1.0 / std::log(2.0)) * 1.0 * std::pow(6.0, -0.2)).epsilon(1e-12));
}

TEST_CASE("Integer weights act as repeated points", "[bandwidth]")
{
    // Independent check of the weighted statistics: weight k equals k copies of the point.
    auto weighted = hotspot::testsupport::make_clustered_incidents(
        hotspot::testsupport::test_seed(), 301, {{0, 0, 50, 1}, {400, 100, 80, 1}}, -500, -500, 500,
        500);
    Incidents expanded;
    for (std::size_t i = 0; i < weighted.size(); ++i)
    {
        weighted.set_weight(i, static_cast<double>(1 + i % 3));
        for (int k = 0; k < static_cast<int>(weighted.weight_of(i)); ++k)
            expanded.add(weighted.x[i], weighted.y[i]);
    }
    const BandwidthRule a = default_bandwidth(weighted);
    const BandwidthRule b = default_bandwidth(expanded);
    CHECK(a.n == b.n);
    CHECK(a.standard_distance_m == Approx(b.standard_distance_m).epsilon(1e-10));
    CHECK(a.median_distance_m == Approx(b.median_distance_m).epsilon(1e-10));
    CHECK(a.bandwidth_m == Approx(b.bandwidth_m).epsilon(1e-10));
}

TEST_CASE("All offences on one point give no bandwidth", "[bandwidth]")
{
    CHECK(default_bandwidth(points({{5, 5, 1}, {5, 5, 1}})).bandwidth_m == 0.0);
    CHECK(default_bandwidth(Incidents{}).bandwidth_m == 0.0);
}
