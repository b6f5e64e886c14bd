// Hotspot figures against a hand-made case and a brute-force count.

#include "hotspot/engine/hotspots/characterise.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

using namespace hotspot::engine;

TEST_CASE("A hotspot's records, harm, types, peak, share and PAI, counted by hand", "[hotspots]")
{
    // 4 x 3 cells of 10 m; the top-left 2 x 1 cells are hot; the last column is outside the study.
    const GridSpec grid{0, 30, 10, 4, 3};
    Raster<double> surface(grid, 1.0);
    surface.values[0] = 5; // (col 0, row 0)
    surface.values[1] = 7; // (col 1, row 0): the peak
    Raster<std::uint8_t> hot(grid, 0), study(grid, 1);
    hot.values[0] = hot.values[1] = 1;
    for (std::int64_t row = 0; row < 3; ++row)
        study.at(3, row) = 0;
    const Regions regions = label_regions(hot);
    REQUIRE(regions.count == 1);

    Incidents inc;
    inc.crime_type_names = {"Burglary", "Robbery"};
    inc.add(5, 25, 2.0, 0, 0);  // in the hotspot, weight 2
    inc.add(15, 25, 1.0, 0, 1); // in the hotspot
    inc.add(15, 29, 1.0, 0, 0); // in the hotspot
    inc.add(25, 5, 1.0, 0, 0);  // in the study area, not the hotspot
    inc.add(35, 5, 1.0, 0, 0);  // outside the study area
    inc.add(-5, 5, 1.0, 0, 0);  // off the grid
    const RegionCharacter c = characterise_regions(regions, surface, study, inc);
    CHECK(c.in_study == 4);
    CHECK(c.study_area_m2 == 900); // 9 cells of 100 m²
    REQUIRE(c.regions.size() == 1);
    const RegionFigures& h = c.regions[0];
    CHECK(h.label == 1);
    CHECK(h.cells == 2);
    CHECK(h.area_m2 == 200);
    CHECK(h.offences == 3);
    CHECK(h.harm == 4);
    CHECK(h.types == std::map<std::int32_t, std::int64_t>{{0, 2}, {1, 1}});
    CHECK(h.peak == 7);
    CHECK(h.peak_at.x == 15);
    CHECK(h.peak_at.y == 25);
    CHECK(h.mean == 6);
    CHECK(h.share == Approx(0.75));
    CHECK(h.pai == Approx(0.75 / (200.0 / 900.0)));
}

TEST_CASE("Hotspot counts equal a brute-force count over random records", "[hotspots]")
{
    const GridSpec grid{0, 500, 25, 20, 20};
    std::mt19937 random(11);
    Raster<double> surface(grid, 0.0);
    Raster<std::uint8_t> hot(grid, 0), study(grid, 1);
    for (std::size_t k = 0; k < surface.values.size(); ++k)
    {
        surface.values[k] = static_cast<double>(random() % 1000) / 10.0;
        hot.values[k] = surface.values[k] > 80;
        study.values[k] = random() % 10 != 0;
    }
    const Regions regions = label_regions(hot);
    Incidents inc;
    for (int i = 0; i < 3000; ++i)
        inc.add(static_cast<double>(random() % 5200) / 10.0 - 10, // some off the grid
                static_cast<double>(random() % 5200) / 10.0 - 10, 1.0, 0,
                static_cast<std::int32_t>(random() % 3));
    const RegionCharacter c = characterise_regions(regions, surface, study, inc);
    std::vector<std::int64_t> expected(static_cast<std::size_t>(regions.count), 0);
    std::int64_t in_study = 0;
    for (std::size_t i = 0; i < inc.size(); ++i)
        for (std::int64_t row = 0; row < grid.rows; ++row)
            for (std::int64_t col = 0; col < grid.cols; ++col)
            {
                const double west = grid.origin_x + static_cast<double>(col) * grid.cell_m;
                const double north = grid.origin_y - static_cast<double>(row) * grid.cell_m;
                if (inc.x[i] >= west && inc.x[i] < west + grid.cell_m && inc.y[i] <= north &&
                    inc.y[i] > north - grid.cell_m && study.at(col, row))
                {
                    ++in_study;
                    if (const auto l = regions.label.at(col, row); l > 0)
                        ++expected[static_cast<std::size_t>(l - 1)];
                }
            }
    CHECK(c.in_study == in_study);
    for (std::int32_t l = 1; l <= regions.count; ++l)
    {
        const auto& h = c.regions[static_cast<std::size_t>(l - 1)];
        CHECK(h.offences == expected[static_cast<std::size_t>(l - 1)]);
        double peak = 0;
        for (const auto cell : regions.cells[static_cast<std::size_t>(l - 1)])
            peak = std::max(peak, surface.values[static_cast<std::size_t>(cell)]);
        CHECK(h.peak == peak);
    }
    // Patrol order: more offences first, then the higher peak.
    RegionFigures a, b;
    a.offences = 3;
    b.offences = 3;
    a.peak = 2;
    b.peak = 5;
    CHECK(patrols_first(b, a));
    CHECK_FALSE(patrols_first(a, b));
}

TEST_CASE("A hotspot's share of each area, by its cells' centres, most first", "[hotspots]")
{
    // One row of 4 cells of 10 m, all one region. Area 0 holds the third cell, area 1 the first
    // two; the last cell is in no area.
    const GridSpec grid{0, 10, 10, 4, 1};
    const Regions regions = label_regions(Raster<std::uint8_t>(grid, 1));
    const auto square = [](double x0, double x1) {
        return MultiPolygon{Polygon{{{x0, 0}, {x1, 0}, {x1, 10}, {x0, 10}}, {}}};
    };
    const AreaIndex index({square(20, 30), square(0, 20)});
    const auto shares = area_shares(regions, 1, grid, index);
    REQUIRE(shares.size() == 2);
    CHECK(shares[0].area == 1);
    CHECK(shares[0].cells == 2);
    CHECK(shares[0].percent == 50.0);
    CHECK(shares[1].area == 0);
    CHECK(shares[1].cells == 1);
    CHECK(shares[1].percent == 25.0);
}

TEST_CASE("Each record's hotspot, in the order the hotspots are listed", "[hotspots]")
{
    // Two regions on one row of 5 cells of 10 m: region 1 at column 0, region 2 at columns 3-4.
    const GridSpec grid{0, 10, 10, 5, 1};
    Raster<std::uint8_t> hot(grid, 0);
    hot.values = {1, 0, 0, 1, 1};
    const Regions regions = label_regions(hot);
    REQUIRE(regions.count == 2);
    Incidents inc;
    inc.add(5, 5, 1.0, 0, -1);  // region 1
    inc.add(45, 5, 1.0, 0, -1); // region 2
    inc.add(15, 5, 1.0, 0, -1); // in neither
    inc.add(95, 5, 1.0, 0, -1); // off the grid
    CHECK(records_by_region(inc, grid, regions, {2, 1}) == std::vector<std::int32_t>{1, 0, -1, -1});
    CHECK(records_by_region(inc, grid, regions, {2}) == std::vector<std::int32_t>{-1, 0, -1, -1});
}

TEST_CASE("A hotspot is named after a place within reach, else its main area, else its number",
          "[hotspots]")
{
    CHECK(hotspot_name("Brenchley Gardens", 120, 1000, "High Street", 3) == "Brenchley Gardens");
    CHECK(hotspot_name("Brenchley Gardens", 1000, 1000, "High Street", 3) == "Brenchley Gardens");
    CHECK(hotspot_name("Brenchley Gardens", 1000.5, 1000, "High Street", 3) == "High Street");
    CHECK(hotspot_name("", 0, 1000, "High Street", 3) == "High Street");
    CHECK(hotspot_name("Mote Park", 5000, 1000, "", 3) == "hotspot 3");
}
