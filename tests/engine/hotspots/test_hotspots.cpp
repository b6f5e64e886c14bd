#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"

#include "generators.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <optional>
#include <random>
#include <set>
#include <utility>

using namespace hotspot;
using namespace hotspot::engine;

namespace
{
Raster<double> raster(std::int64_t cols, std::int64_t rows, const std::vector<double>& values,
                      double cell = 10)
{
    Raster<double> r(GridSpec{0, static_cast<double>(rows) * cell, cell, cols, rows}, 0.0);
    r.values = values;
    return r;
}

Raster<std::uint8_t> everywhere(const GridSpec& g)
{
    return Raster<std::uint8_t>(g, 1);
}

double polygon_area(const MultiPolygon& shape)
{
    const auto ring_area = [](const Ring& ring)
    {
        double a = 0;
        for (std::size_t i = 0; i + 1 < ring.size(); ++i)
            a += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y;
        return 0.5 * a;
    };
    double total = 0;
    for (const auto& p : shape)
    {
        total += ring_area(p.outer);
        for (const auto& h : p.holes)
            total += ring_area(h); // holes run clockwise: negative
    }
    return total;
}
} // namespace

TEST_CASE("Thresholds: K x mean, mean + K sd, and the densest P%", "[hotspots]")
{
    // Non-zero cells 1, 2, 3, 4, 10: mean 4, population sd sqrt(50 / 5).
    const auto s = raster(3, 2, {0, 1, 2, 3, 4, 10});
    const auto study = everywhere(s.grid);
    const auto k2 = threshold_cells(s, study, ThresholdMethod::MeanMultiple, 2.0);
    CHECK(k2.threshold == Approx(8.0));
    CHECK(k2.hot.values == std::vector<std::uint8_t>{0, 0, 0, 0, 0, 1});
    CHECK(k2.study_cells == 6);
    const auto sd1 = threshold_cells(s, study, ThresholdMethod::MeanSd, 1.0);
    CHECK(sd1.threshold == Approx(4.0 + std::sqrt(10.0)));
    CHECK(sd1.hot_cells == 1);
    const auto top = threshold_cells(s, study, ThresholdMethod::TopArea, 50.0); // 3 of 6 cells
    CHECK(top.hot.values == std::vector<std::uint8_t>{0, 0, 0, 1, 1, 1});
    CHECK(top.threshold == 3.0);
    // Cells outside the study area are never hot and do not count.
    auto partial = study;
    partial.values[5] = 0;
    CHECK(threshold_cells(s, partial, ThresholdMethod::MeanMultiple, 1.0).threshold == Approx(2.5));
}

TEST_CASE("Gi* equals a hand computation of the published formula", "[hotspots][gistar]")
{
    // 4 x 3 cells of 10 m, band 10 m: each cell, itself and its four rook neighbours.
    const std::vector<double> x{0, 1, 0, 0, //
                                2, 9, 3, 0, //
                                0, 2, 0, 1};
    const auto counts = raster(4, 3, x);
    const auto result = gi_star(counts, everywhere(counts.grid), 10.0, 0.05);
    const double n = 12, mean = 18.0 / 12.0;
    double sum2 = 0;
    for (const double v : x)
        sum2 += v * v;
    const double s = std::sqrt(sum2 / n - mean * mean);
    // Cell (1, 1) holds 9: neighbours (1,0)=1, (0,1)=2, (2,1)=3, (1,2)=2 and itself: sum 17 over 5
    // cells.
    const double z11 = (17.0 - mean * 5) / (s * std::sqrt((n * 5 - 25) / (n - 1)));
    CHECK(result.z.at(1, 1) == Approx(z11).epsilon(1e-12));
    // Corner (0, 0): itself and two neighbours, (1,0)=1 and (0,1)=2: sum 3 over 3 cells.
    const double z00 = (3.0 - mean * 3) / (s * std::sqrt((n * 3 - 9) / (n - 1)));
    CHECK(result.z.at(0, 0) == Approx(z00).epsilon(1e-12));
    CHECK(result.p.at(1, 1) == Approx(std::erfc(std::abs(z11) / std::sqrt(2.0))).epsilon(1e-12));
    CHECK(result.tested == 12);
}

TEST_CASE("Gi* equals a brute-force sum on random counts with a wide band", "[hotspots][gistar]")
{
    std::mt19937_64 rng(hotspot::testsupport::test_seed());
    std::poisson_distribution<int> poisson(1.5);
    Raster<double> counts(GridSpec{500, 1000, 25, 30, 20}, 0.0);
    for (auto& v : counts.values)
        v = poisson(rng);
    Raster<std::uint8_t> study(counts.grid, 1);
    for (std::int64_t r = 0; r < 5; ++r) // a corner outside the study area
        for (std::int64_t c = 0; c < 6; ++c)
            study.at(c, r) = 0;
    const double band = 80; // 3.2 cells
    const auto result = gi_star(counts, study, band, 0.05);
    const auto& g = counts.grid;
    double n = 0, sum = 0, sum2 = 0;
    for (std::size_t k = 0; k < counts.values.size(); ++k)
        if (study.values[k])
        {
            n += 1;
            sum += counts.values[k];
            sum2 += counts.values[k] * counts.values[k];
        }
    const double mean = sum / n, s = std::sqrt(sum2 / n - mean * mean);
    for (std::int64_t r = 0; r < g.rows; ++r)
        for (std::int64_t c = 0; c < g.cols; ++c)
        {
            if (!study.at(c, r))
            {
                CHECK(std::isnan(result.z.at(c, r)));
                continue;
            }
            double local = 0, w = 0;
            for (std::int64_t rr = 0; rr < g.rows; ++rr)
                for (std::int64_t cc = 0; cc < g.cols; ++cc)
                    if (study.at(cc, rr) && std::hypot(g.center_x(cc) - g.center_x(c),
                                                       g.center_y(rr) - g.center_y(r)) <= band)
                    {
                        local += counts.at(cc, rr);
                        w += 1;
                    }
            const double z = (local - mean * w) / (s * std::sqrt((n * w - w * w) / (n - 1)));
            CHECK(result.z.at(c, r) == Approx(z).epsilon(1e-10));
        }
}

TEST_CASE("Gi* hot cells pass the Benjamini-Hochberg false discovery rate", "[hotspots][gistar]")
{
    // A strong cluster in a quiet field.
    Raster<double> counts(GridSpec{0, 500, 10, 50, 50}, 0.0);
    std::mt19937_64 rng(7);
    std::poisson_distribution<int> background(0.3);
    for (auto& v : counts.values)
        v = background(rng);
    for (std::int64_t r = 20; r < 25; ++r)
        for (std::int64_t c = 30; c < 35; ++c)
            counts.at(c, r) = 8;
    const auto result = gi_star(counts, everywhere(counts.grid), 20.0, 0.05);
    CHECK(result.hot.at(32, 22) == 1);
    CHECK(result.hot.at(5, 5) == 0);
    // Every hot cell's p-value is within the cut-off, which satisfies p_(k) <= k/m alpha.
    std::vector<double> ps;
    for (std::size_t k = 0; k < result.p.values.size(); ++k)
    {
        ps.push_back(result.p.values[k]);
        if (result.hot.values[k])
        {
            CHECK(result.p.values[k] <= result.p_cutoff);
            CHECK(result.z.values[k] > 0);
        }
    }
    std::sort(ps.begin(), ps.end());
    const auto rank = std::upper_bound(ps.begin(), ps.end(), result.p_cutoff) - ps.begin();
    CHECK(result.p_cutoff <= static_cast<double>(rank) / static_cast<double>(ps.size()) * 0.05);
    CHECK(result.hot_cells >= 25);
    CHECK_THROWS_AS(gi_star(counts, everywhere(counts.grid), 0, 0.05), Error);
    CHECK_THROWS_AS(gi_star(counts, everywhere(counts.grid), 10, 1.5), Error);
}

TEST_CASE("Regions join hot cells by 8-connectivity and drop specks", "[hotspots]")
{
    Raster<std::uint8_t> hot(GridSpec{0, 50, 10, 5, 5}, 0);
    // A 2x2 block, a cell touching it diagonally, and a lone cell far away.
    for (const auto& [c, r] :
         std::vector<std::pair<int, int>>{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {2, 2}, {4, 4}})
        hot.at(c, r) = 1;
    const auto all = label_regions(hot);
    CHECK(all.count == 2);
    CHECK(all.label.at(2, 2) == all.label.at(0, 0));
    CHECK(all.cells[0].size() == 5);
    const auto big = label_regions(hot, 2);
    CHECK(big.count == 1);
    CHECK(big.label.at(4, 4) == 0);
}

TEST_CASE("Outlines follow cell edges, with holes and corner-touching parts", "[hotspots]")
{
    // A ring of cells around a hole, plus a cell touching it at a corner.
    Raster<std::uint8_t> hot(GridSpec{1000, 2000, 10, 6, 6}, 0);
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
            if (!(r == 1 && c == 1))
                hot.at(c, r) = 1;
    hot.at(3, 3) = 1;
    const auto regions = label_regions(hot);
    REQUIRE(regions.count == 1);
    const auto shape = region_outline(regions, 1);
    REQUIRE(shape.size() == 2);
    CHECK(polygon_area(shape) == Approx(9 * 100.0));
    std::size_t holes = 0;
    for (const auto& p : shape)
        holes += p.holes.size();
    CHECK(holes == 1);
    for (std::int64_t r = 0; r < 6; ++r)
        for (std::int64_t c = 0; c < 6; ++c)
            CHECK(contains(shape, {hot.grid.center_x(c), hot.grid.center_y(r)}) ==
                  (hot.at(c, r) == 1));
}

TEST_CASE("Outlines of random blobs cover exactly their cells", "[hotspots]")
{
    std::mt19937_64 rng(hotspot::testsupport::test_seed());
    std::bernoulli_distribution coin(0.45);
    Raster<std::uint8_t> hot(GridSpec{0, 400, 10, 40, 40}, 0);
    for (auto& v : hot.values)
        v = coin(rng);
    const auto regions = label_regions(hot);
    for (std::int32_t l = 1; l <= regions.count; ++l)
    {
        const auto shape = region_outline(regions, l);
        CHECK(polygon_area(shape) ==
              Approx(static_cast<double>(regions.cells[static_cast<std::size_t>(l - 1)].size()) *
                     100.0));
        for (const auto cell : regions.cells[static_cast<std::size_t>(l - 1)])
            CHECK(contains(shape, {hot.grid.center_x(cell % 40), hot.grid.center_y(cell / 40)}));
    }
}

TEST_CASE("Hotspot names are told apart by their busiest street, then the square of their peak",
          "[hotspots][names]")
{
    const std::vector<std::string> names{"Shepway", "Park Wood", "Shepway", "High Street",
                                         "High Street", "Shepway", "South", "South"};
    const std::vector<std::vector<std::string>> streets{
        {"Oxford Gardens", "Sussex Road"}, {"Darwin Avenue"}, {"Grove Road"},
        {"High Street", "Week Street"},    {"High Street"},    {"Oxford Gardens"},
        {"Tonbridge Road"},                {"Tonbridge Road"}};
    const std::vector<Point2> peaks{{577737.5, 153487.5}, {578000, 152000}, {577312.5, 153037.5},
                                    {576012.5, 155612.5}, {576200, 155400}, {577790, 153460},
                                    {575962.5, 153812.5}, {575100, 153000}};
    const auto out = distinct_names(names, streets, peaks);
    CHECK(out[1] == "Park Wood"); // alone: left as it was
    CHECK(out[2] == "Shepway (Grove Road)");
    CHECK(out[3] == "High Street (Week Street)");   // not "High Street (High Street)"
    CHECK(out[4] == "High Street"); // no other street, and now its own name
    // Two Shepway hotspots whose busiest street is Oxford Gardens, their peaks in one 100 m
    // square: 10 m squares tell them apart.
    CHECK(out[0] == "Shepway (Oxford Gardens, 577730, 153480)");
    CHECK(out[5] == "Shepway (Oxford Gardens, 577790, 153460)");
    CHECK(out[6] == "South (Tonbridge Road, 575900, 153800)");
    CHECK(out[7] == "South (Tonbridge Road, 575100, 153000)");
    // Every name is its own.
    std::set<std::string> unique(out.begin(), out.end());
    CHECK(unique.size() == out.size());
    // A hotspot that stays put keeps its name: the same inputs, the same names.
    CHECK(distinct_names(names, streets, peaks) == out);
}

TEST_CASE("The study area is the surface's cells that hold a value", "[hotspots]")
{
    const double nodata = -9999;
    const auto s = raster(4, 1, {nodata, std::nan(""), 0, 5});
    CHECK(study_cells(s, nodata).values == std::vector<std::uint8_t>{0, 0, 1, 1});
}

TEST_CASE("A hotspot rule's defaults, its words and its smallest area", "[hotspots]")
{
    // Non-zero cells 1, 1, 1, 13, 1 and 1: mean 3, population sd sqrt((5 x 2^2 + 10^2) / 6) =
    // sqrt(20).
    const auto s = raster(6, 1, {1, 1, 1, 13, 1, 1});
    const auto study = everywhere(s.grid);
    const Raster<double> counts(s.grid, 0.0);
    HotspotRule rule; // mean-multiple, K = 3: 9
    auto cells = find_hotspot_cells(rule, s, study, counts, 50);
    CHECK(cells.description == "density >= 3.00 x mean of non-zero cells (9.000)");
    CHECK(cells.regions.count == 1);
    CHECK(cells.regions.cells[0] == std::vector<std::int64_t>{3});

    rule.method = ThresholdMethod::MeanSd; // K = 2: 3 + 2 sqrt(20) = 11.944
    cells = find_hotspot_cells(rule, s, study, counts, 50);
    CHECK(cells.description == "density >= mean + 2.00 sd of non-zero cells (11.944)");
    CHECK(cells.regions.count == 1);

    rule.method = ThresholdMethod::MeanMultiple;
    rule.k = 0.25; // 0.75: every cell, one region of 6
    CHECK(find_hotspot_cells(rule, s, study, counts, 50).regions.cells[0].size() == 6);

    rule.method = ThresholdMethod::TopArea; // P = 5: 0.3 cells, so the densest one
    rule.k.reset();
    cells = find_hotspot_cells(rule, s, study, counts, 50);
    CHECK(cells.description == "the densest 5.0% of the study area (density >= 13.000)");
    CHECK(cells.regions.cells[0] == std::vector<std::int64_t>{3});
}

TEST_CASE("Hotspots smaller than the smallest area are dropped, counted in whole cells",
          "[hotspots]")
{
    // Cells of 10 m (100 m²): a hot cell alone at column 0, and two together at columns 3 and 4.
    const auto s = raster(5, 1, {9, 0, 0, 9, 9});
    const auto study = everywhere(s.grid);
    const Raster<double> counts(s.grid, 0.0);
    HotspotRule rule;
    rule.k = 1;
    const auto regions_at = [&](double min_area)
    {
        rule.min_area_m2 = min_area;
        return find_hotspot_cells(rule, s, study, counts, 50).regions.count;
    };
    CHECK(regions_at(0) == 2);
    CHECK(regions_at(100) == 2);
    CHECK(regions_at(100.5) == 1); // two cells needed
    CHECK(regions_at(200) == 1);
    CHECK(regions_at(200.5) == 0);
}

TEST_CASE("Gi* hotspots take the density's bandwidth as their band unless given one",
          "[hotspots][gistar]")
{
    std::mt19937_64 rng(7);
    std::poisson_distribution<int> draw(2.0);
    Raster<double> counts(GridSpec{0, 200, 10, 20, 20}, 0.0);
    for (auto& v : counts.values)
        v = draw(rng);
    for (std::int64_t c = 8; c < 12; ++c)
        for (std::int64_t r = 8; r < 12; ++r)
            counts.at(c, r) += 12;
    const auto study = everywhere(counts.grid);
    HotspotRule rule;
    rule.method = ThresholdMethod::GiStar;
    for (const auto& [band, given] :
         {std::pair<double, std::optional<double>>{25.0, std::nullopt}, {15.0, 15.0}})
    {
        rule.band_m = given;
        const auto cells = find_hotspot_cells(rule, counts, study, counts, 25.0);
        const auto expected = label_regions(gi_star(counts, study, band, 0.05).hot);
        CHECK(cells.regions.label.values == expected.label.values);
        CHECK(cells.regions.count >= 1);
        CHECK_THAT(cells.description, Catch::StartsWith("Getis-Ord Gi* of offence counts, band " +
                                                        fixed(band, 0) + " m"));
    }
}
