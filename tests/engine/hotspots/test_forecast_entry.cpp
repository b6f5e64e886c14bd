#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/density/study_window.hpp"
#include "hotspot/engine/hotspots/forecast_entry.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace hotspot::engine;

namespace
{
MultiPolygon rectangle(double x0, double y0, double x1, double y1)
{
    return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, {}}};
}
} // namespace

TEST_CASE("An entry's cells cover the police area, cut at its edge, hot up to the hot area",
          "[entry]")
{
    // A 3 x 2 grid of 100 m cells over [0, 300] x [0, 200]. The police area is two districts
    // meeting at x = 150, through the middle column, and ending at x = 250, halfway across the
    // east column; a fourth column of cells lies wholly outside it.
    const GridSpec grid{0, 200, 100, 4, 2};
    const std::vector<MultiPolygon> area{rectangle(0, 0, 150, 200), rectangle(150, 0, 250, 200)};
    // Risk, row-major from the north-west: the east column's cells, cut, hold the most.
    const std::vector<double> risk{1, 5, 3, 9, 2, 4, 6, -1};
    const double nodata = -1;

    const ForecastEntry entry = make_entry(grid, risk, nodata, area, 12'000);
    CHECK(entry.area == Approx(250 * 200));
    REQUIRE(entry.cells.size() == 6); // cells 3 and 7 lie outside
    std::size_t cut = 0;
    for (const auto& cell : entry.cells)
    {
        CHECK(cell.cell % 4 != 3);
        const bool east = cell.cell % 4 == 2;
        CHECK(cell.cut == east);
        CHECK(cell.area == Approx(east ? 5'000 : 10'000));
        CHECK(area_m2(cell.shape) == Approx(cell.area));
        cut += cell.cut;
    }
    CHECK(cut == 2);
    // Highest risk first: cell 6 (6, 5,000 m2), then cell 1 (5, 10,000 m2), which takes the hot
    // area past 12,000 m2; cell 2 (risk 3) is not needed.
    for (const auto& cell : entry.cells)
    {
        CHECK(cell.hot == (cell.cell == 6 || cell.cell == 1));
        // Ranked by risk: 6, 1, 5 (4), 2 (3), 4 (2), 0 (1).
        const std::map<std::int64_t, std::int64_t> rank{{6, 1}, {1, 2}, {5, 3}, {2, 4}, {4, 5}, {0, 6}};
        CHECK(cell.rank == rank.at(cell.cell));
    }
    CHECK(entry.hot_cells == 2);
    CHECK(entry.hot_area == Approx(15'000));
    // The middle column straddles the two districts but is whole: one square, not two pieces.
    for (const auto& cell : entry.cells)
        if (cell.cell % 4 == 1)
            CHECK(cell.shape.size() == 1);

    // A hot area reached exactly by the first cell stops there.
    CHECK(make_entry(grid, risk, nodata, area, 5'000).hot_cells == 1);
}

TEST_CASE("The NIJ 2017 rules: cells of 62,500-360,000 sq ft, hot cells of 0.25-0.75 sq mi",
          "[entry]")
{
    const double ft = 0.3048;
    const double side600 = 600 * ft, side200 = 200 * ft;
    const auto met = check_nij2017({side600 * side600, side600 * side600}, 20 * side600 * side600);
    CHECK(met.cells_met);
    CHECK(met.hot_area_met);
    CHECK(met.smallest_sq_ft == Approx(360'000));
    CHECK(met.hot_sq_mi == Approx(20 * 360'000.0 / (5280.0 * 5280.0)));
    CHECK(met.describe().find("360,000-360,000 sq ft (62,500-360,000: met)") != std::string::npos);
    // Cells too small: 40,000 sq ft.
    const auto small = check_nij2017({side200 * side200}, 0.3 * m2_per_sq_mile);
    CHECK_FALSE(small.cells_met);
    CHECK(small.hot_area_met);
    CHECK(small.describe().find("NOT met") != std::string::npos);
    // A hot area too large, and one too small.
    CHECK_FALSE(check_nij2017({side600 * side600}, 0.8 * m2_per_sq_mile).hot_area_met);
    CHECK_FALSE(check_nij2017({side600 * side600}, 0.2 * m2_per_sq_mile).hot_area_met);
    // No whole cell: the rule cannot be met.
    CHECK_FALSE(check_nij2017({}, 0.3 * m2_per_sq_mile).cells_met);
    CHECK(m2_per_sq_mile == Approx(5280 * ft * 5280 * ft));
}

TEST_CASE("Cells cut by the police area's edge are told from whole ones, by hand", "[entry]")
{
    // The area is [0, 300] x [0, 200] in two parts meeting at x = 150; the largest cells are
    // 100 m, so a corner within 0.1 m of an edge lies on it.
    const AreaIndex area({rectangle(0, 0, 150, 200), rectangle(150, 0, 300, 200)});
    const std::vector<MultiPolygon> cells{
        rectangle(0, 0, 100, 100),      // the largest cells are whole, on the edge or not
        rectangle(100, 100, 200, 200),  //
        rectangle(200, 50, 250, 100),   // smaller, wholly inside: kept, so that the rules fail
        rectangle(250, 100, 300, 150),  // smaller, a side on the area's edge: cut
        rectangle(260, 150, 320, 180),  // smaller, corners beyond the area: cut
        rectangle(40, 120, 60, 140),    // smaller, wholly inside: kept
        rectangle(140, 20, 149.95, 30), // smaller, corners 0.05 m from the parts' edge: cut
    };
    const auto uncut = uncut_cell_areas(cells, area);
    CHECK(uncut == std::vector<double>{10000, 10000, 2500, 400});
    CHECK(uncut_cell_areas({}, area).empty());
}

TEST_CASE("An entry scored on its grid equals the entry scored in its polygons", "[entry]")
{
    const GridSpec grid{0, 200, 100, 4, 2};
    const std::vector<MultiPolygon> area{rectangle(0, 0, 150, 200), rectangle(150, 0, 250, 200)};
    const std::vector<double> risk{1, 5, 3, 9, 2, 4, 6, -1};
    const ForecastEntry entry = make_entry(grid, risk, -1, area, 12'000);
    // Offences inside the police area: 3 in hot cell 6 (x 200-250, y 0-100), 1 in hot cell 1,
    // 4 in cell 0 (not hot).
    const std::vector<Point2> inside{{210, 10}, {220, 20}, {240, 90}, {150, 150},
                                     {10, 110}, {20, 120}, {30, 130}, {40, 140}};
    const EntryScore s = score_on_grid(entry, grid, inside);
    CHECK(s.offences_inside == 8);
    CHECK(s.in_hot_cells == 4);
    CHECK(s.best_possible == 4 + 3); // the two fullest cells
    CHECK(s.pai == Approx((4.0 / 8) / (15'000.0 / 50'000)));
    std::vector<MultiPolygon> cells;
    std::vector<bool> hot;
    for (const auto& cell : entry.cells)
    {
        cells.push_back(cell.shape);
        hot.push_back(cell.hot);
    }
    const EntryScore by_polygons = score_entry(cells, hot, area, inside);
    CHECK(by_polygons.in_hot_cells == s.in_hot_cells);
    CHECK(by_polygons.best_possible == s.best_possible);
    CHECK(by_polygons.pai == Approx(s.pai));
    CHECK(by_polygons.pei_star == Approx(s.pei_star));
}
