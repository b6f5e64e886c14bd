#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/hotspots/evaluation.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace hotspot;
using namespace hotspot::engine;

namespace
{
Raster<double> counts(const std::vector<double>& v)
{
    Raster<double> r(GridSpec{0, 20, 10, 5, 2}, 0.0);
    r.values = v;
    return r;
}
} // namespace

TEST_CASE("Hit rate, PAI, PEI and RRI by hand", "[evaluation]")
{
    // 10 cells; hotspots are cells 0 and 1 (a/A = 0.2).
    const auto c1 = counts({6, 4, 1, 1, 0, 0, 2, 0, 1, 5}); // N1 = 20, n1 = 10
    const auto c2 =
        counts({3, 2, 0, 1, 4, 0, 0, 0, 0, 10}); // N2 = 20, n2 = 5; best two cells: 10 + 4
    Raster<std::uint8_t> hot(c1.grid, 0), study(c1.grid, 1);
    hot.values[0] = hot.values[1] = 1;
    const auto s = score_hotspots(hot, study, c1, c2);
    CHECK(s.coverage == Approx(0.2));
    CHECK(s.hit_rate == Approx(0.25));
    CHECK(s.pai == Approx(1.25));
    CHECK(s.pei == Approx(5.0 / 14.0));
    CHECK(s.rri == Approx((5.0 / 10.0) / (20.0 / 20.0)));
    // Outside the study area nothing counts: drop cell 9.
    study.values[9] = 0;
    const auto t = score_hotspots(hot, study, c1, c2);
    CHECK(t.total2 == 10);
    CHECK(t.hit_rate == Approx(0.5));
    CHECK(t.coverage == Approx(2.0 / 9.0));
    CHECK(t.pei == Approx(5.0 / 7.0)); // best two: 4 + 3
}

TEST_CASE("RRI is undefined without period-1 offences in the hotspots", "[evaluation]")
{
    const auto c1 = counts({0, 0, 1, 1, 0, 0, 2, 0, 1, 5});
    const auto c2 = counts({3, 2, 0, 1, 4, 0, 0, 0, 0, 10});
    Raster<std::uint8_t> hot(c1.grid, 0), study(c1.grid, 1);
    hot.values[0] = 1;
    CHECK(std::isnan(score_hotspots(hot, study, c1, c2).rri));
}

TEST_CASE("The coverage curve takes the densest cells of period 1", "[evaluation]")
{
    const auto surface = counts({9, 8, 7, 6, 5, 4, 3, 2, 1, 0.5});
    const auto c1 = counts({1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
    const auto c2 = counts({5, 0, 0, 0, 0, 0, 0, 0, 0, 5});
    const Raster<std::uint8_t> study(surface.grid, 1);
    const auto curve = coverage_curve(surface, study, c1, c2, {10, 20, 100});
    REQUIRE(curve.size() == 3);
    CHECK(curve[0].hot_cells == 1);
    CHECK(curve[0].hit_rate == Approx(0.5));
    CHECK(curve[0].pai == Approx(5.0));
    CHECK(curve[1].pei == Approx(0.5));
    CHECK(curve[2].hit_rate == Approx(1.0));
}

TEST_CASE("Rolling origins: each coverage's hit rate and PAI averaged, methods ranked by the mean",
          "[evaluation][rolling]")
{
    const auto point = [](double hit_rate, double pai)
    {
        PredictionScore s;
        s.hit_rate = hit_rate;
        s.pai = pai;
        return s;
    };
    // Two origins over three coverages, worked by hand.
    const RollingScore a =
        average_over_origins({{point(0.10, 10), point(0.20, 10), point(0.30, 10)},
                              {point(0.30, 30), point(0.40, 20), point(0.50, 10)}});
    REQUIRE(a.mean_hit_rate.size() == 3);
    CHECK(a.mean_hit_rate[0] == Approx(0.20));
    CHECK(a.mean_hit_rate[1] == Approx(0.30));
    CHECK(a.mean_hit_rate[2] == Approx(0.40));
    CHECK(a.mean_pai[0] == Approx(20));
    CHECK(a.mean_pai[1] == Approx(15));
    CHECK(a.mean_pai[2] == Approx(10));
    CHECK(a.mean_hit_rate_all == Approx(0.30));
    CHECK(mean_hit_rate({point(0.1, 1), point(0.2, 1), point(0.6, 1)}) == Approx(0.3));
    CHECK(mean_hit_rate({}) == 0);
    const RollingScore b = average_over_origins({{point(0.5, 1), point(0.5, 1), point(0.5, 1)}});
    CHECK(b.mean_hit_rate_all == Approx(0.5));
    CHECK(best_rolling_score({a, b}) == 1);
    CHECK(best_rolling_score({b, a}) == 0);
    CHECK(best_rolling_score({a, a}) == 0); // the first of equals
    CHECK_THROWS_AS(average_over_origins({{point(0.1, 1)}, {point(0.1, 1), point(0.2, 1)}}), Error);
}

TEST_CASE("Weighted Displacement Quotient: a worked example by hand", "[evaluation]")
{
    // Target 100 -> 60, buffer 80 -> 90, control 1000 -> 1000.
    // SM = 60/1000 - 100/1000 = -0.04; BDM = 90/1000 - 80/1000 = 0.01; WDQ = 0.01 / -0.04 = -0.25.
    const auto r = weighted_displacement_quotient({100, 60, 80, 90, 1000, 1000});
    CHECK(r.success);
    CHECK(r.success_measure == Approx(-0.04));
    CHECK(r.buffer_displacement_measure == Approx(0.01));
    CHECK(r.wdq == Approx(-0.25));
    CHECK(r.prevented == Approx(40));
    CHECK(r.displaced == Approx(10));
    CHECK(r.net_effect == Approx(30));
    CHECK_THAT(r.interpretation, Catch::Contains("net benefit"));

    // Control halves: expectations scale. Target 100 -> 30, buffer 80 -> 30, control 1000 -> 500.
    // SM = 30/500 - 0.1 = -0.04; BDM = 30/500 - 0.08 = -0.02; WDQ = 0.5: diffusion of benefits.
    const auto d = weighted_displacement_quotient({100, 30, 80, 30, 1000, 500});
    CHECK(d.wdq == Approx(0.5));
    CHECK_THAT(d.interpretation, Catch::Contains("diffusion of benefits"));
    CHECK(d.prevented == Approx(20)); // expected 50, observed 30
    CHECK(d.displaced == Approx(-10));

    // Buffer rise larger than the target's fall: WDQ < -1.
    CHECK(weighted_displacement_quotient({100, 90, 50, 80, 1000, 1000}).wdq == Approx(-3.0));
    // No success: WDQ undefined, said plainly.
    const auto none = weighted_displacement_quotient({100, 120, 80, 90, 1000, 1000});
    CHECK_FALSE(none.success);
    CHECK(std::isnan(none.wdq));
    CHECK_THAT(none.interpretation, Catch::Contains("no measurable success"));
    CHECK_THROWS_AS(weighted_displacement_quotient({1, 1, 1, 1, 0, 5}), Error);
}

TEST_CASE("Coverage curves take the same cells as the top-area threshold", "[evaluation]")
{
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(0, 10);
    std::poisson_distribution<int> poisson(1.0);
    Raster<double> surface(GridSpec{0, 400, 10, 40, 40}, 0.0), c1(surface.grid, 0.0),
        c2(surface.grid, 0.0);
    for (std::size_t k = 0; k < surface.values.size(); ++k)
    {
        surface.values[k] = k % 7 == 0 ? 0.0 : std::floor(u(rng)); // ties and zeros
        c1.values[k] = poisson(rng);
        c2.values[k] = poisson(rng);
    }
    Raster<std::uint8_t> study(surface.grid, 1);
    for (std::size_t k = 0; k < 200; ++k)
        study.values[k] = 0;
    const std::vector<double> percents{1, 2, 5, 10, 20};
    const auto curve = coverage_curve(surface, study, c1, c2, percents);
    for (std::size_t i = 0; i < percents.size(); ++i)
    {
        const auto expected = score_hotspots(
            threshold_cells(surface, study, ThresholdMethod::TopArea, percents[i]).hot, study, c1,
            c2);
        CHECK(curve[i].hot_cells == expected.hot_cells);
        CHECK(curve[i].n2 == expected.n2);
        CHECK(curve[i].pei == Approx(expected.pei));
    }
}

TEST_CASE("A forecast entry is scored as the NIJ challenge did, on a hand-worked grid",
          "[evaluation][entry]")
{
    // A 3 x 3 grid of 100 m cells; the police area stops at x = 250, cutting the east column.
    const auto square = [](double x0, double y0, double side)
    {
        return MultiPolygon{{{{x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side},
                              {x0, y0 + side}},
                             {}}};
    };
    std::vector<MultiPolygon> cells;
    std::vector<bool> hot;
    for (int row = 0; row < 3; ++row)
        for (int col = 0; col < 3; ++col)
        {
            cells.push_back(square(col * 100.0, row * 100.0, 100));
            hot.push_back((row == 0 && col == 0) || (row == 2 && col == 2));
        }
    const std::vector<MultiPolygon> area{
        MultiPolygon{{{{0, 0}, {250, 0}, {250, 300}, {0, 300}}, {}}}};
    std::vector<Point2> offences;
    for (int k = 0; k < 4; ++k)
        offences.push_back({10.0 + k, 10}); // hot cell (0, 0)
    offences.push_back({220, 250});         // hot cell (2, 2), inside the area
    offences.push_back({280, 250});         // hot cell (2, 2), outside the area: left out
    for (int k = 0; k < 3; ++k)
        offences.push_back({150, 150.0 + k}); // cell (1, 1)
    for (int k = 0; k < 2; ++k)
        offences.push_back({50, 250.0 + k}); // cell (0, 2)
    const EntryScore s = score_entry(cells, hot, area, offences);
    CHECK(s.offences_inside == 10);
    CHECK(s.outside_area == 1);
    CHECK(s.in_hot_cells == 5);
    CHECK(s.hot_cells == 2);
    CHECK(s.hot_area == Approx(10000 + 5000)); // the east cell clipped to half
    CHECK(s.area == Approx(75000));
    CHECK(s.pai == Approx((5.0 / 10) / (15000.0 / 75000)));
    CHECK(s.best_possible == 7); // the two fullest cells: 4 and 3
    CHECK(s.pei_star == Approx(5.0 / 7));
    CHECK(s.hit_rate == Approx(0.5));
    CHECK(shared_area(cells[8], area[0]) == Approx(5000));
    CHECK(shared_area(cells[0], area[0]) == Approx(10000));
}

TEST_CASE("Forecast horizons count days from the forecast day inclusive", "[evaluation][entry]")
{
    const DayIndex march = make_day(2017, 3, 1);
    CHECK(parse_horizon("1W").last_day(march) == make_day(2017, 3, 7));
    CHECK(parse_horizon("2W").last_day(march) == make_day(2017, 3, 14));
    CHECK(parse_horizon("1M").last_day(march) == make_day(2017, 3, 31));
    CHECK(parse_horizon("3M").last_day(march) == make_day(2017, 5, 31));
    CHECK(parse_horizon("1M").last_day(make_day(2017, 3, 15)) == make_day(2017, 4, 14));
    CHECK(parse_horizon("1M").last_day(make_day(2017, 1, 31)) == make_day(2017, 2, 27));
    CHECK(parse_horizon("10D").days == 10);
    CHECK_THROWS_WITH(parse_horizon("fortnight"), Catch::Contains("1W, 2W, 1M"));
    CHECK_THROWS_WITH(parse_horizon("0W"), Catch::Contains("not a horizon"));
}
