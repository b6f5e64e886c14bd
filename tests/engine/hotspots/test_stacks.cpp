#include "hotspot/engine/hotspots/stacks.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using namespace hotspot::engine;

TEST_CASE("Stacks: offences sharing a coordinate, the largest first, with their types", "[stacks]")
{
    Incidents inc;
    inc.crime_type_names = {"Burglary", "Shoplifting"};
    for (int k = 0; k < 3; ++k)
        inc.add(100, 200, 1.0, make_month(2019, 9 + k), 1);
    inc.add(100, 200, 1.0, make_month(2019, 10), 0);
    inc.add(5, 5, 1.0, no_month, 0);
    inc.add(5, 5, 1.0, no_month, 0);
    inc.add(7, 7); // alone
    const auto stacks = stacked_points(inc, 2);
    REQUIRE(stacks.size() == 2);
    CHECK(stacks[0].x == 100);
    CHECK(stacks[0].count == 4);
    CHECK(stacks[0].types.front() == std::pair<std::int32_t, std::size_t>{1, 3});
    CHECK(stacks[0].first_month == make_month(2019, 9));
    CHECK(stacks[0].last_month == make_month(2019, 11));
    CHECK(stacks[1].count == 2);
    CHECK(stacked_points(inc, 3).size() == 1);
}

TEST_CASE("Spreading stacks: within the radius, apart, singletons unmoved, the same every run",
          "[stacks]")
{
    Incidents inc;
    for (int k = 0; k < 50; ++k)
        inc.add(1000, 2000);
    inc.add(0, 0);
    const SpreadStacks spread = spread_stacks(inc, 30.0);
    const Incidents& out = spread.incidents;
    CHECK(spread.moved == 50);
    std::set<std::pair<double, double>> places;
    for (std::size_t i = 0; i < 50; ++i)
    {
        CHECK(std::hypot(out.x[i] - 1000, out.y[i] - 2000) < 30.0);
        places.insert({out.x[i], out.y[i]});
    }
    CHECK(places.size() == 50);
    CHECK(out.x[50] == 0);
    CHECK(out.y[50] == 0);
    // The sunflower covers the disc evenly: half the records lie within r / sqrt 2.
    std::size_t inner = 0;
    for (std::size_t i = 0; i < 50; ++i)
        inner += std::hypot(out.x[i] - 1000, out.y[i] - 2000) < 30.0 / std::sqrt(2.0);
    CHECK(inner == 25);
    const Incidents again = spread_stacks(inc, 30.0).incidents;
    CHECK(again.x == out.x);
    CHECK(again.y == out.y);
}

TEST_CASE("Shared points: offences on a point with others, counted by hand", "[stacks]")
{
    Incidents inc;
    for (int i = 0; i < 3; ++i)
        inc.add(100, 200);
    inc.add(100, 200.5); // a different point, however near
    inc.add(300, 400);
    inc.add(300, 400);
    const SharedPoints p = shared_points(inc);
    CHECK(p.offences == 6);
    CHECK(p.points == 3);
    CHECK(p.on_shared == 5);
    CHECK(p.largest == 3);
    CHECK(p.share() == Approx(5.0 / 6));
    CHECK(p.snapped());
    Incidents apart;
    for (int i = 0; i < 10; ++i)
        apart.add(i, 0);
    apart.add(0, 0); // one repeat address in eleven
    CHECK(shared_points(apart).on_shared == 2);
    CHECK_FALSE(shared_points(apart).snapped());
}
