#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/core/incidents.hpp"

#include <catch2/catch.hpp>

using namespace hotspot;
using namespace hotspot::engine;

TEST_CASE("An extent that is a whole number of cells gives exactly that many", "[grid]")
{
    const GridSpec g = grid_for_extent({566000, 145800, 586000, 165800}, 25);
    CHECK(g.cols == 800);
    CHECK(g.rows == 800);
    CHECK(g.origin_x == 566000);
    CHECK(g.origin_y == 165800);
    CHECK(g.extent().xmax == 586000);
    CHECK(g.extent().ymin == 145800);
}

TEST_CASE("A partial cell at the east or south edge adds a whole column or row", "[grid]")
{
    const GridSpec g = grid_for_extent({0, 0, 1001, 10.5}, 10);
    CHECK(g.cols == 101);
    CHECK(g.rows == 2);
}

TEST_CASE("Floating-point noise in the extent does not add a column", "[grid]")
{
    // 0.3 / 0.1 is 2.9999999999999996 and 0.7 / 0.1 is 6.999999999999999 in doubles.
    CHECK(grid_for_extent({0, 0, 0.3, 0.7}, 0.1).cols == 3);
    CHECK(grid_for_extent({0, 0, 0.3, 0.7}, 0.1).rows == 7);
    CHECK(grid_for_extent({0.1, 0, 0.1 + 3 * 0.1 + 1e-7, 1}, 0.1).cols == 4);
}

TEST_CASE("Cell lookups are half-open: a cell owns its west and north edges", "[grid]")
{
    const GridSpec g{1000, 2000, 10, 5, 4};
    CHECK(g.col_of(1000) == 0);
    CHECK(g.col_of(1009.999999) == 0);
    CHECK(g.col_of(1010) == 1);
    CHECK(g.col_of(999.999999) == -1);
    CHECK(g.col_of(1049.999) == 4);
    CHECK(g.col_of(1050) == 5);
    CHECK(g.row_of(2000) == 0);
    CHECK(g.row_of(1990.000001) == 0);
    CHECK(g.row_of(1990) == 1);
    CHECK(g.row_of(2000.000001) == -1);
    CHECK(g.row_of(1960) == 4);
    CHECK(g.row_of(1959.999) == 4);
    CHECK(g.center_x(0) == 1005);
    CHECK(g.center_y(0) == 1995);
    CHECK(g.center_y(3) == 1965);
}

TEST_CASE("Snapping grows a box outwards to whole cells", "[grid]")
{
    const Box2 b = snap_outward({101, 205, 349, 351}, 50);
    CHECK(b.xmin == 100);
    CHECK(b.ymin == 200);
    CHECK(b.xmax == 350);
    CHECK(b.ymax == 400);
    const Box2 negative = snap_outward({-101, -1, -50, 0}, 50);
    CHECK(negative.xmin == -150);
    CHECK(negative.ymin == -50);
    CHECK(negative.xmax == -50);
    CHECK(negative.ymax == 0);
}

TEST_CASE("The default cell is the shorter side over 250", "[grid]")
{
    CHECK(default_cell_size({0, 0, 5000, 2500}) == Approx(10.0));
    // Rounded to a readable size: Shepway's 30.6 km side gives 122.458 m, shown as 100 m.
    CHECK(default_cell_size({0, 0, 40000, 30614.5}) == 100.0);
    CHECK(readable_size(122.458) == 100.0);
    CHECK(readable_size(37.0) == 50.0);
    CHECK(readable_size(33.0) == 25.0);
    CHECK(readable_size(2.3) == 2.5);
    CHECK(readable_size(0.7) == 0.5);
    CHECK(readable_size(8.0) == 10.0);
    CHECK(readable_size(1500.0) == 2000.0); // 2000/1500 = 1.33 is nearer than 1500/1000 = 1.5
    CHECK(readable_size(1300.0) == 1000.0);
}

TEST_CASE("Degenerate grids are refused", "[grid]")
{
    CHECK_THROWS_AS(grid_for_extent({0, 0, 10, 10}, 0), Error);
    CHECK_THROWS_AS(grid_for_extent({0, 0, 10, 10}, -1), Error);
    CHECK_THROWS_AS(grid_for_extent(Box2{}, 1), Error);
}

TEST_CASE("The month range ignores records without a month", "[incidents]")
{
    const auto range = month_range({no_month, make_month(2019, 11), make_month(2019, 9), no_month});
    CHECK(range.first == make_month(2019, 9));
    CHECK(range.last == make_month(2019, 11));
    CHECK(month_range({no_month}).last == no_month);
    CHECK(month_range({}).first == no_month);
}
