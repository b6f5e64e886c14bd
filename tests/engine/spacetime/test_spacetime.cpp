#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"
#include "hotspot/engine/spacetime/cube.hpp"
#include "hotspot/engine/spacetime/emerging.hpp"
#include "hotspot/engine/spacetime/near_repeat.hpp"
#include "hotspot/engine/spacetime/prospective.hpp"
#include "hotspot/engine/statistics/significance.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <random>

using namespace hotspot;
using namespace hotspot::engine;

namespace
{
// A cube of every cell of a cols x rows grid of 100 m cells, over `steps` steps.
SpaceTimeCube empty_cube(std::int64_t cols, std::int64_t rows, std::int32_t steps)
{
    SpaceTimeCube cube;
    cube.grid = GridSpec{0, static_cast<double>(rows) * 100, 100, cols, rows};
    for (std::int64_t k = 0; k < cols * rows; ++k)
        cube.locations.push_back(k);
    cube.steps = steps;
    for (std::int32_t t = 0; t < steps; ++t)
    {
        cube.step_first.push_back(make_month(2019, 1) + t);
        cube.step_last.push_back(make_month(2019, 1) + t);
    }
    cube.values.assign(static_cast<std::size_t>(steps * cols * rows), 0.0);
    return cube;
}

double& bin(SpaceTimeCube& cube, std::int32_t t, std::int64_t col, std::int64_t row)
{
    return cube.values[static_cast<std::size_t>(t) * cube.locations.size() +
                       static_cast<std::size_t>(row * cube.grid.cols + col)];
}
} // namespace

TEST_CASE("Mann-Kendall equals R's Kendall test against time (goldens)", "[spacetime]")
{
    // tests/peers/mann_kendall_goldens.R
    struct Golden
    {
        std::vector<double> series;
        double z, p;
    };
    const std::vector<Golden> goldens = {
        {{1, 3, 2, 5, 4, 6, 8, 7, 9, 10}, 3.39882332579968, 0.000676764180121046},
        {{2, 2, 3, 1, 3, 3, 4, 4, 4, 5, 2, 6}, 2.53504364479031, 0.0112433316908867},
        {{5, 3, 6, 4, 5, 3, 6, 4}, 0.0, 1.0},
        {{9.5, 8.1, 8.3, 7.2, 6.4, 6.6, 5.0, 4.1, 4.4, 3.0, 2.2, 1.9, 1.5, 0.7},
         -4.59857077219142,
         4.25399206713995e-06},
    };
    for (const auto& g : goldens)
    {
        const MannKendall mk = mann_kendall(g.series);
        CHECK(mk.z == Approx(g.z).margin(1e-12));
        CHECK(mk.p == Approx(g.p).epsilon(1e-9));
    }
    // S by hand for the first: 45 pairs, 3 discordant (3>2, 5>4, 8>7): S = 42 - 3 = 39.
    CHECK(mann_kendall(goldens[0].series).s == 39);
    CHECK(mann_kendall(goldens[0].series).variance == Approx(10 * 9 * 25 / 18.0));
    CHECK(mann_kendall({1, 2}).p == 1.0);
}

TEST_CASE("Benjamini-Hochberg cut-off as p.adjust(method = 'BH') <= alpha", "[spacetime]")
{
    // Sorted p: 0.001 0.008 0.039 0.041 0.042 0.06 0.074 0.205; k/m 0.05 = 0.00625 k:
    // 0.042 <= 0.03125? no; 0.041 <= 0.025? no; 0.039 <= 0.01875? no; 0.008 <= 0.0125 yes.
    CHECK(fdr_cutoff({0.041, 0.001, 0.074, 0.008, 0.039, 0.205, 0.06, 0.042}, 0.05) == 0.008);
    CHECK(fdr_cutoff({0.5, 0.9}, 0.05) == 0.0);
    CHECK(fdr_cutoff({0.01, NAN}, 0.05) == 0.01); // m = 1
}

TEST_CASE("Time steps parse, and steps end with the last offence", "[spacetime]")
{
    CHECK(parse_time_step("1M")->unit == StepUnit::Month);
    CHECK(parse_time_step("2w")->count == 2);
    CHECK(parse_time_step("7D")->unit == StepUnit::Day);
    CHECK_FALSE(parse_time_step("0M"));
    CHECK_FALSE(parse_time_step("M"));
    CHECK_FALSE(parse_time_step("1Y"));

    Incidents inc;
    const GridSpec grid{0, 300, 100, 3, 3};
    // Months 2019-01 .. 2019-07 (7 months) in 3-month steps: 2019-01 alone, then 02-04, 05-07.
    for (int m = 1; m <= 7; ++m)
        inc.add(50, 250, 1.0, make_month(2019, m));
    inc.add(150, 150, 2.0, make_month(2019, 7));
    inc.add(150, 150, 1.0, no_month);            // undated
    inc.add(950, 150, 1.0, make_month(2019, 7)); // outside the grid
    const SpaceTimeCube cube = build_cube(inc, grid, nullptr, {3, StepUnit::Month}, true);
    CHECK(cube.steps == 3);
    CHECK(cube.first_step_partial);
    CHECK(cube.step_label(0) == "2019-01"); // 2018-11..2019-01, clipped to the first offence
    CHECK(cube.step_label(1) == "2019-02..2019-04");
    CHECK(cube.step_label(2) == "2019-05..2019-07");
    REQUIRE(cube.locations == std::vector<std::int64_t>{0, 4});
    CHECK(cube.at(0, 0) == 1);
    CHECK(cube.at(1, 0) == 3);
    CHECK(cube.at(2, 0) == 3);
    CHECK(cube.at(2, 1) == 2); // weighted
    CHECK(cube.counted == 8);
    CHECK(cube.undated == 1);
    CHECK(cube.outside_area == 1);
    CHECK(cube.counted + cube.undated + cube.outside_area == static_cast<std::int64_t>(inc.size()));
    CHECK_THROWS_WITH(build_cube(inc, grid, nullptr, {1, StepUnit::Week}, false),
                      Catch::Contains("months only"));

    Incidents days;
    days.add(50, 250, 1.0, make_month(2019, 9), -1, 0, make_day(2019, 9, 2));
    days.add(50, 250, 1.0, make_month(2019, 9), -1, 0, make_day(2019, 9, 15));
    const SpaceTimeCube weeks = build_cube(days, grid, nullptr, {1, StepUnit::Week}, false);
    CHECK(weeks.steps == 2);
    CHECK(weeks.step_label(1) == "2019-09-09..2019-09-15");
    CHECK(weeks.step_start_day(1) == make_day(2019, 9, 9));
    CHECK(weeks.at(0, 0) == 1);
}

TEST_CASE("Space-time Gi* with no time window, against its step, is hotspots' Gi* step by step",
          "[spacetime]")
{
    std::mt19937 rng(7);
    std::poisson_distribution<int> noise(4.0);
    SpaceTimeCube cube = empty_cube(30, 20, 4);
    for (auto& v : cube.values)
        v = noise(rng);
    // A mask: the cube's locations leave out a corner.
    Raster<std::uint8_t> study(cube.grid, 1);
    cube.locations.clear();
    for (std::int64_t k = 0; k < cube.grid.cell_count(); ++k)
        if (k % 30 > 5 || k / 30 > 5)
            cube.locations.push_back(k);
        else
            study.values[static_cast<std::size_t>(k)] = 0;
    std::vector<double> values;
    for (std::int32_t t = 0; t < cube.steps; ++t)
        for (const auto k : cube.locations)
            values.push_back(
                cube.values[static_cast<std::size_t>(t) * 600 + static_cast<std::size_t>(k)]);
    cube.values = values;

    const SpaceTimeGiStar st = space_time_gi_star(cube, 250, 0, GlobalWindow::Step, 0.05);
    // With no time window the neighbourhood spans its own step alone.
    const SpaceTimeGiStar spanned =
        space_time_gi_star(cube, 250, 0, GlobalWindow::Neighbourhood, 0.05);
    CHECK(spanned.z == st.z);
    for (std::int32_t t = 0; t < cube.steps; ++t)
    {
        Raster<double> counts(cube.grid, 0.0);
        for (std::size_t l = 0; l < cube.locations.size(); ++l)
            counts.values[static_cast<std::size_t>(cube.locations[l])] = cube.at(t, l);
        const GiStarResult gi = gi_star(counts, study, 250, 0.05);
        for (std::size_t l = 0; l < cube.locations.size(); ++l)
        {
            const std::size_t b = static_cast<std::size_t>(t) * cube.locations.size() + l;
            const auto k = static_cast<std::size_t>(cube.locations[l]);
            REQUIRE(st.z[b] == gi.z.values[k]);
            REQUIRE(st.p[b] == gi.p.values[k]);
        }
        CHECK(st.p_cutoff[static_cast<std::size_t>(t)] == gi.p_cutoff);
    }
}

TEST_CASE("Space-time Gi* with a time window equals the formula summed by brute force, for each "
          "global window",
          "[spacetime]")
{
    std::mt19937 rng(11);
    std::poisson_distribution<int> noise(3.0);
    SpaceTimeCube cube = empty_cube(9, 7, 5);
    for (auto& v : cube.values)
        v = noise(rng);
    // Step 3 is busier everywhere: the three references then differ.
    for (std::int64_t k = 0; k < 63; ++k)
        bin(cube, 3, k % 9, k / 9) += 4;
    const double band = 150; // the cell and its 4 edge neighbours (diagonals lie at 141 m: also)
    const int window = 2;
    const std::size_t L = cube.locations.size();
    for (const GlobalWindow global :
         {GlobalWindow::Cube, GlobalWindow::Neighbourhood, GlobalWindow::Step})
    {
        INFO("global window " << to_string(global));
        const SpaceTimeGiStar st = space_time_gi_star(cube, band, window, global, 0.05);
        for (std::int32_t t = 0; t < cube.steps; ++t)
        {
            const int t0 = std::max(0, t - window);
            // The bins compared with.
            const int r0 = global == GlobalWindow::Cube            ? 0
                           : global == GlobalWindow::Neighbourhood ? t0
                                                                   : t;
            const int r1 = global == GlobalWindow::Cube ? cube.steps - 1 : t;
            double sum = 0, sum2 = 0, n = 0;
            for (int s = r0; s <= r1; ++s)
                for (std::size_t l = 0; l < L; ++l)
                {
                    sum += cube.at(s, l);
                    sum2 += cube.at(s, l) * cube.at(s, l);
                    ++n;
                }
            const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
            for (std::int64_t r = 0; r < 7; ++r)
                for (std::int64_t c = 0; c < 9; ++c)
                {
                    double local = 0, w = 0;
                    for (int s = t0; s <= t; ++s)
                        for (std::int64_t rr = 0; rr < 7; ++rr)
                            for (std::int64_t cc = 0; cc < 9; ++cc)
                                if (std::hypot(static_cast<double>(cc - c),
                                               static_cast<double>(rr - r)) *
                                        100 <=
                                    band)
                                {
                                    local += cube.at(s, static_cast<std::size_t>(rr * 9 + cc));
                                    ++w;
                                }
                    const double z =
                        (local - mean * w) / (sd * std::sqrt((n * w - w * w) / (n - 1)));
                    REQUIRE(st.z[static_cast<std::size_t>(t) * L +
                                 static_cast<std::size_t>(r * 9 + c)] ==
                            Approx(z).epsilon(1e-12));
                }
        }
    }
}

TEST_CASE("A steady cluster beside a shrinking one is Persistent against the whole cube, "
          "Intensifying against its neighbourhood's steps",
          "[spacetime]")
{
    // 24 months: a 3 x 3 cluster of a steady 25 offences a month, another shrinking from 65 to
    // 19 a month, and a little background. As the second fades, every step grows quieter, so the
    // steady cluster stands out more against each step's own bins, though nothing about it changed.
    const int T = 24;
    SpaceTimeCube cube = empty_cube(30, 30, T);
    std::mt19937 rng(31);
    for (int t = 0; t < T; ++t)
        for (std::int64_t k = 0; k < 900; ++k)
            bin(cube, t, k % 30, k / 30) = std::poisson_distribution<int>(0.3)(rng);
    const auto plant = [&](std::int64_t cx, std::int64_t cy, double per_month, int t)
    {
        for (std::int64_t dy = -1; dy <= 1; ++dy)
            for (std::int64_t dx = -1; dx <= 1; ++dx)
                bin(cube, t, cx + dx, cy + dy) +=
                    std::poisson_distribution<int>(per_month / 9)(rng);
    };
    for (int t = 0; t < T; ++t)
    {
        plant(7, 7, 25, t);
        plant(22, 22, 65 - (65 - 19) * t / (T - 1.0), t);
    }
    const std::size_t steady = 7 * 30 + 7, shrinking = 22 * 30 + 22;
    const EmergingResult cube_window = emerging_hotspots(cube, 150, 1, GlobalWindow::Cube, 0.05);
    const EmergingResult spanned =
        emerging_hotspots(cube, 150, 1, GlobalWindow::Neighbourhood, 0.05);
    INFO("steady cluster's trend z: against the cube "
         << cube_window.locations[steady].gi.z << ", against its steps "
         << spanned.locations[steady].gi.z);
    CHECK(cube_window.locations[steady].category == EmergingCategory::PersistentHot);
    CHECK(spanned.locations[steady].category == EmergingCategory::IntensifyingHot);
    CHECK(std::abs(cube_window.locations[steady].gi.z) < 1.96);
    CHECK(spanned.locations[steady].gi.z > 1.96);
    // Against the whole cube, the cluster that really fades is the one that diminishes.
    CHECK(cube_window.locations[shrinking].category == EmergingCategory::DiminishingHot);
}

TEST_CASE("The 17 categories follow ArcGIS's rules", "[spacetime]")
{
    // 10 steps: z > 0 and significant is hot, z < 0 and significant cold.
    const auto series = [](const std::string& pattern)
    {
        std::pair<std::vector<double>, std::vector<std::uint8_t>> s;
        for (const char ch : pattern)
        {
            s.first.push_back(ch == 'H' ? 3.0 : ch == 'C' ? -3.0 : 0.5);
            s.second.push_back(ch == 'H' || ch == 'C');
        }
        return s;
    };
    const MannKendall none{}, rising{0, 0, 4.0, 0.0001, 0}, falling{0, 0, -4.0, 0.0001, 0};
    const auto category = [&](const std::string& pattern, const MannKendall& trend = MannKendall{})
    {
        const auto s = series(pattern);
        return classify_emerging(s.first, s.second, trend, 0.05);
    };
    using C = EmergingCategory;
    CHECK(category("........H.") == C::NoPattern);
    CHECK(category(".........H") == C::NewHot);
    CHECK(category("C........H") == C::NewHot); // never hot before: cold does not count
    CHECK(category(".......HHH") == C::ConsecutiveHot);
    CHECK(category("..H.....HH") == C::SporadicHot); // hot before the run
    CHECK(category("..H.H.H..H") == C::SporadicHot);
    CHECK(category("..C.H.H..H") == C::OscillatingHot);
    CHECK(category("HHHHHHHHHH", rising) == C::IntensifyingHot);
    CHECK(category(".HHHHHHHHH", falling) == C::DiminishingHot); // 90%
    CHECK(category("HHHHHHHHHH", none) == C::PersistentHot);
    CHECK(category("HHHHHHHHH.") == C::HistoricalHot);
    CHECK(category("HHHHHHHHHC") == C::HistoricalHot);
    CHECK(category("HHHHHHHH..") == C::NoPattern); // 80%, final not hot
    CHECK(category(".........C") == C::NewCold);
    CHECK(category("......CCCC") == C::ConsecutiveCold);
    CHECK(category("C......C.C") == C::SporadicCold);
    CHECK(category("H......C.C") == C::OscillatingCold);
    CHECK(category("CCCCCCCCCC", falling) == C::IntensifyingCold);
    CHECK(category("CCCCCCCCCC", rising) == C::DiminishingCold);
    CHECK(category("CCCCCCCCCC", none) == C::PersistentCold);
    CHECK(category("CCCCCCCCC.") == C::HistoricalCold);
    for (std::size_t c = 0; c < emerging_category_count; ++c)
        CHECK_FALSE(rule_of(static_cast<C>(c)).empty());
}

namespace
{
// One planted pattern: a 3 x 3 block whose counts follow `rate(t)` (Poisson means) over background
// noise of mean `background`.
struct Plant
{
    EmergingCategory expected;
    std::function<double(int t)> rate;
};
} // namespace

TEST_CASE("Planted patterns over noise are found in their categories", "[spacetime]")
{
    const double b = 20; // background per cell and step
    const int T = 20;
    const auto steps = [](std::initializer_list<int> ts, double on, double off)
    {
        std::vector<int> list(ts);
        return [list, on, off](int t)
        { return std::find(list.begin(), list.end(), t) != list.end() ? on : off; };
    };
    const double hot = 2 * b, cold = 0;
    using C = EmergingCategory;
    const std::vector<Plant> plants = {
        {C::NewHot, steps({19}, hot, b)},
        {C::ConsecutiveHot, steps({16, 17, 18, 19}, hot, b)},
        {C::IntensifyingHot, [&](int t) { return 1.8 * b + 0.1 * b * t; }},
        {C::PersistentHot, [&](int) { return hot; }},
        {C::DiminishingHot, [&](int t) { return 3.8 * b - 0.1 * b * t; }},
        {C::SporadicHot, steps({2, 7, 12, 19}, hot, b)},
        {C::OscillatingHot,
         [&](int t) { return t == 4 || t == 5     ? cold
                             : t == 10 || t == 19 ? hot
                                                  : b; }},
        {C::HistoricalHot, [&](int t) { return t < 18 ? hot : b; }},
        {C::NewCold, steps({19}, cold, b)},
        {C::ConsecutiveCold, steps({16, 17, 18, 19}, cold, b)},
        {C::IntensifyingCold, [&](int t) { return 0.25 * b - 0.0125 * b * t; }},
        {C::PersistentCold, [&](int) { return 0.05 * b; }},
        {C::DiminishingCold, [&](int t) { return 0.0125 * b * t; }},
        {C::SporadicCold, steps({2, 7, 12, 19}, cold, b)},
        {C::OscillatingCold,
         [&](int t) { return t == 4 || t == 5     ? hot
                             : t == 10 || t == 19 ? cold
                                                  : b; }},
        {C::HistoricalCold, [&](int t) { return t < 18 ? cold : b; }},
    };
    const int replicates = 4, spacing = 7;
    const std::int64_t side = spacing * 8 + 2;
    SpaceTimeCube cube = empty_cube(side, side, T);
    std::mt19937 rng(2024);
    std::vector<std::pair<std::int64_t, C>> centres;
    for (int t = 0; t < T; ++t)
        for (std::int64_t k = 0; k < side * side; ++k)
            bin(cube, t, k % side, k / side) = std::poisson_distribution<int>(b)(rng);
    for (std::size_t i = 0; i < plants.size() * replicates; ++i)
    {
        const std::int64_t cx = 3 + static_cast<std::int64_t>(i % 8) * spacing,
                           cy = 3 + static_cast<std::int64_t>(i / 8) * spacing;
        const Plant& plant = plants[i % plants.size()];
        centres.emplace_back(cy * side + cx, plant.expected);
        for (int t = 0; t < T; ++t)
            for (std::int64_t dy = -1; dy <= 1; ++dy)
                for (std::int64_t dx = -1; dx <= 1; ++dx)
                {
                    const double rate = plant.rate(t);
                    bin(cube, t, cx + dx, cy + dy) =
                        rate > 0 ? std::poisson_distribution<int>(rate)(rng) : 0;
                }
    }
    // The band holds the centre's 3 x 3 block (diagonals at 141 m); with a time window of one
    // step the planted single steps blur into the next, and must still be found.
    for (const auto& [window, global] :
         std::vector<std::pair<int, GlobalWindow>>{{0, GlobalWindow::Step},
                                                   {1, GlobalWindow::Neighbourhood},
                                                   {0, GlobalWindow::Cube},
                                                   {1, GlobalWindow::Cube}})
    {
        const EmergingResult r = emerging_hotspots(cube, 150, window, global, 0.05);
        int right = 0;
        std::map<std::string, int> wrong;
        for (const auto& [k, expected] : centres)
        {
            const C got = r.locations[static_cast<std::size_t>(k)].category;
            if (got == expected)
                ++right;
            else
                ++wrong[std::string(to_string(expected)) + " as " + std::string(to_string(got))];
        }
        INFO("time window " << window << ", global window " << to_string(global));
        for (const auto& [what, n] : wrong)
            UNSCOPED_INFO(what << ": " << n);
        CHECK(right >= 0.95 * static_cast<double>(centres.size()));
    }
}

TEST_CASE("Pure noise gives no more patterns than the false discovery rate allows", "[spacetime]")
{
    SpaceTimeCube cube = empty_cube(60, 60, 16);
    std::mt19937 rng(99);
    std::poisson_distribution<int> noise(10.0);
    for (auto& v : cube.values)
        v = noise(rng);
    for (const auto& [window, global] :
         std::vector<std::pair<int, GlobalWindow>>{{0, GlobalWindow::Step},
                                                   {1, GlobalWindow::Neighbourhood},
                                                   {1, GlobalWindow::Cube}})
    {
        INFO("time window " << window << ", global window " << to_string(global));
        const EmergingResult r = emerging_hotspots(cube, 150, window, global, 0.05);
        const std::int64_t patterned =
            static_cast<std::int64_t>(cube.locations.size()) -
            r.per_category[static_cast<std::size_t>(EmergingCategory::NoPattern)];
        // Under the complete null, Benjamini-Hochberg finds anything in a step with probability
        // at most alpha: a handful of locations at most, never a share near alpha.
        CHECK(patterned <=
              static_cast<std::int64_t>(0.05 * static_cast<double>(cube.locations.size())));
        std::int64_t steps_with_any = 0;
        for (const double cutoff : r.gi.p_cutoff)
            steps_with_any += cutoff > 0;
        CHECK(steps_with_any <= 3); // expected 16 x 0.05 = 0.8
    }
}

namespace
{
// Offences uniform over a 5 km square and a year; each, with probability `repeat`, followed by one
// within 100 m and 1 to 7 days later.
Incidents near_repeat_process(std::size_t n, double repeat, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> where(0, 5000), near(-70, 70), u(0, 1);
    std::uniform_int_distribution<int> day(0, 364), later(1, 7);
    Incidents inc;
    while (inc.size() < n)
    {
        const double x = where(rng), y = where(rng);
        const int d = day(rng);
        inc.add(x, y, 1.0, no_month, -1, 0, make_day(2019, 1, 1) + d);
        if (u(rng) < repeat && inc.size() < n)
        {
            // Drawn in separate statements, in the order GCC evaluated the arguments: the order
            // of evaluation of function arguments is the compiler's choice.
            const int lag = later(rng);
            const double dy = near(rng), dx = near(rng);
            inc.add(x + dx, y + dy, 1.0, no_month, -1, 0, make_day(2019, 1, 1) + d + lag);
        }
    }
    return inc;
}
} // namespace

TEST_CASE("Knox counts equal all pairs by brute force, and permutations keep the margins",
          "[spacetime][knox]")
{
    const Incidents inc = near_repeat_process(400, 0.3, 5);
    KnoxOptions o;
    o.space_edges = {0, 100, 200, 400};
    o.time_edges = {0, 7, 14, 28};
    o.permutations = 99;
    for (const auto metric : {DistanceMetric::Euclidean, DistanceMetric::Manhattan})
    {
        o.metric = metric;
        const KnoxTable t = knox_test(inc, o);
        REQUIRE(t.space_labels.size() == 5);
        REQUIRE(t.time_labels.size() == 4);
        std::vector<std::int64_t> brute(t.observed.size(), 0);
        for (std::size_t i = 0; i < inc.size(); ++i)
            for (std::size_t j = i + 1; j < inc.size(); ++j)
            {
                const double dx = inc.x[j] - inc.x[i], dy = inc.y[j] - inc.y[i];
                const double d = metric == DistanceMetric::Manhattan ? std::abs(dx) + std::abs(dy)
                                                                     : std::hypot(dx, dy);
                const std::size_t s = d == 0 ? 0 : d <= 100 ? 1 : d <= 200 ? 2 : d <= 400 ? 3 : 4;
                const auto gap = std::abs(inc.day_of(j) - inc.day_of(i));
                const std::size_t time = gap <= 7 ? 0 : gap <= 14 ? 1 : gap <= 28 ? 2 : 3;
                ++brute[t.index(s, time)];
            }
        CHECK(t.observed == brute);
        // Locations stay and dates are only shuffled: each band's total (a row of space bands, a
        // column of time bands) is every permutation's.
        std::vector<double> expected(5 + 4, 0.0);
        std::vector<std::int64_t> observed(5 + 4, 0);
        for (std::size_t s = 0; s < 5; ++s)
            for (std::size_t time = 0; time < 4; ++time)
                for (const std::size_t total : {s, 5 + time})
                {
                    expected[total] += t.expected[t.index(s, time)];
                    observed[total] += t.observed[t.index(s, time)];
                }
        for (std::size_t total = 0; total < expected.size(); ++total)
            CHECK(expected[total] == Approx(static_cast<double>(observed[total])).epsilon(1e-12));
        for (const double p : t.p_value)
            CHECK((p >= 1.0 / 100 && p <= 1.0));
    }
    CHECK(knox_test(inc, o).p_value == knox_test(inc, o).p_value); // the seed fixes them
}

TEST_CASE("Knox finds a planted near-repeat window, and nothing in shuffled dates",
          "[spacetime][knox]")
{
    Incidents inc = near_repeat_process(3000, 0.3, 8);
    KnoxOptions o; // 0,100,...,400 m and 0,7,...,28 days, 999 permutations
    const KnoxTable t = knox_test(inc, o);
    // Children lie within 99 m (70 m per axis) and 1 to 7 days: the 1 to 100 m, 0 to 7 days cell.
    const std::size_t planted = t.index(1, 0);
    CHECK(t.space_labels[1] == "1 to 100 m");
    CHECK(t.time_labels[0] == "0 to 7 days");
    CHECK(t.p_value[planted] == Approx(0.001));
    CHECK(t.knox_ratio(planted) > 3);
    const auto reading = describe_near_repeats(t, 0.05, "a burglary");
    CHECK_THAT(reading.back(), Catch::Contains("1 to 100 m from another and 0 to 7 days after it"));

    // The same places with their dates shuffled: the pattern is gone.
    std::mt19937_64 rng(3);
    std::shuffle(inc.day.begin(), inc.day.end(), rng);
    const KnoxTable shuffled = knox_test(inc, o);
    CHECK(shuffled.p_value[planted] > 0.05);
    int significant = 0;
    for (std::size_t k = 0; k < shuffled.p_value.size(); ++k)
        significant += shuffled.p_value[k] <= 0.05;
    CHECK(significant <= 4); // 36 cells at 5%: about 2 by chance
    CHECK_THAT(describe_near_repeats(shuffled, 0.05).front(), Catch::Contains("No near-repeat"));
}

TEST_CASE("Knox refuses bands that do not ascend from 0 and undated offences", "[spacetime][knox]")
{
    const Incidents inc = near_repeat_process(10, 0.0, 1);
    KnoxOptions o;
    o.space_edges = {100, 200};
    CHECK_THROWS_WITH(knox_test(inc, o), Catch::Contains("ascend from 0"));
    o = {};
    o.time_edges = {0, 14, 7};
    CHECK_THROWS_WITH(knox_test(inc, o), Catch::Contains("ascend from 0"));
    Incidents undated;
    undated.add(0, 0);
    undated.add(1, 1);
    CHECK_THROWS_WITH(knox_test(undated, {}), Catch::Contains("dated to the day"));
}

TEST_CASE("ProMap weights equal a hand-worked example", "[spacetime][promap]")
{
    // 5 x 5 cells of 100 m; the band of 150 m reaches a cell's 8 neighbours (1 and 1.414 cells),
    // not the next ring (2 cells).
    const GridSpec grid{0, 500, 100, 5, 5};
    const DayIndex today = make_day(2019, 12, 1);
    Incidents inc;
    const auto at = [](std::int64_t col, std::int64_t row) {
        return std::pair<double, double>{col * 100.0 + 50, 500 - row * 100.0 - 50};
    };
    const auto add = [&](std::int64_t col, std::int64_t row, int age_days)
    {
        const auto [x, y] = at(col, row);
        inc.add(x, y, 1.0, month_of_day(today - age_days), -1, 0, today - age_days);
    };
    add(2, 2, 3);  // A: 0 whole weeks old: weight 1
    add(3, 2, 10); // B: 1 week old: weight 1/2
    add(0, 0, 60); // C: 8 weeks old: out of the 8 weeks
    add(4, 4, -1); // D: after the forecast day: ignored
    const Raster<double> risk = promap_surface(inc, grid, {150, 8, today});
    const double diagonal = 1 / (1 + std::sqrt(2.0));
    CHECK(risk.at(2, 2) == Approx(1.0 + 0.5 * 0.5));      // A at 0, B at 1 cell
    CHECK(risk.at(3, 3) == Approx(diagonal + 0.5 * 0.5)); // A diagonal, B at 1 cell
    CHECK(risk.at(4, 2) == Approx(0.5 * 0.5));            // A 2 cells away: out of reach
    CHECK(risk.at(1, 1) == Approx(diagonal));             // B is sqrt(5) cells away
    CHECK(risk.at(0, 0) == 0.0);                          // C too old
    CHECK(risk.at(4, 4) == 0.0);                          // D ignored; A, B out of reach
    double total = 0;
    for (const double v : risk.values)
        total += v;
    // A and B each reach their cell, 4 edge and 4 diagonal neighbours, all on the grid.
    CHECK(total == Approx(1.5 * (1 + 4 * 0.5 + 4 * diagonal)));

    // Records dated to the month count from the 15th; the time-decayed weights halve every
    // half-life.
    Incidents months;
    months.add(250, 250, 1.0, make_month(2019, 11));
    CHECK(effective_day(months, 0) == make_day(2019, 11, 15));
    const Incidents decayed = time_decayed(inc, today, 14.0);
    REQUIRE(decayed.size() == 3); // D is after the day
    CHECK(decayed.weight_of(1) == Approx(std::exp2(-10.0 / 14)));
    CHECK(decayed.weight_of(2) == Approx(std::exp2(-60.0 / 14)));
}

TEST_CASE("A forecast's history, its SEPP events and its scored offences, by hand",
          "[spacetime][prospective]")
{
    const DayIndex day = make_day(2017, 3, 1);
    const GridSpec grid{0, 300, 100, 3, 3}; // 3 x 3 cells of 100 m, rows from the top
    Incidents inc;
    inc.add(50, 250, 1.0, month_of_day(day - 30), -1, 0, day - 30);  // cell 0, 30 days before
    inc.add(150, 150, 1.0, month_of_day(day - 10), -1, 0, day - 10); // cell 4
    inc.add(250, 50, 1.0, month_of_day(day - 10), -1, 0, day - 10);  // cell 8, the same day
    inc.add(250, 50, 1.0, month_of_day(day), -1, 0, day);            // the day itself: not before
    inc.add(900, 900, 1.0, month_of_day(day - 5), -1, 0, day - 5);   // off the grid
    inc.add(50, 50, 1.0, make_month(2016, 12));                      // December, by month only

    SECTION("what each method weighs, back from the day")
    {
        const DayIndex earliest = earliest_day(inc);
        CHECK(earliest == make_day(2016, 12, 15)); // the month's record, on its 15th
        CHECK(history_days({ProspectiveMethod::ProMap, 400, 8, 14}, day, earliest) == 56);
        CHECK(history_days({ProspectiveMethod::Kde, 400, 4, 14}, day, earliest) == 28);
        CHECK(history_days({ProspectiveMethod::Decay, 400, 8, 14}, day, earliest) == 42);
        CHECK(history_days({ProspectiveMethod::Sepp, 400, 8, 14}, day, earliest) == 76);
        CHECK(history_days({ProspectiveMethod::Auto, 400, 8, 14}, day, earliest) == 76);
        CHECK(history_days({ProspectiveMethod::Sepp, 400, 8, 14}, day, no_day) == 0);
        CHECK(dated_by_month(inc) == 1);
        CHECK(day_after(inc) == day + 1);
        CHECK(offences_before(inc, day).size() == 5);
        CHECK(offences_in_weeks_before(inc, day, 2).size() == 3); // days -10, -10, -5
        CHECK(to_string(ProspectiveMethod::Kde) == "kde");
        CHECK(!parse_named(prospective_method_names, "kde")); // auto's candidate, not a --method
    }
    SECTION("SEPP's events: dated to the day, before it, on the grid; times from the first")
    {
        const SeppEvents events = sepp_events(inc, grid, day);
        CHECK(events.cells == std::vector<std::int64_t>{0, 4, 8});
        CHECK(events.times == std::vector<double>{0, 20, 20});
        CHECK(events.first == day - 30);
        CHECK(events.window_days == 30);
        CHECK(sepp_events(inc, grid, day - 30).cells.empty());
    }
    SECTION("the offences a horizon is scored on: dated to one of its days, and kept")
    {
        const std::vector<std::uint8_t> keep{1, 1, 0, 1, 1, 1};
        const auto points = points_dated_between(inc, day - 10, day, keep);
        REQUIRE(points.size() == 3); // cell 8's of day -10 is not kept; December's has no day
        CHECK(points[0].x == 150);
        CHECK(points[1].x == 250);
        CHECK(points[2].x == 900);
    }
    SECTION("the cells to patrol: positive risk, highest first, ties in raster order")
    {
        const double nodata = -9999;
        const std::vector<double> risk{0.5, 2, nodata, 2, 0, -1, 3, 0.5, 1};
        const HighestCells top = highest_cells(risk, nodata, 4);
        CHECK(top.cells == std::vector<std::int64_t>{6, 1, 3, 8});
        CHECK(top.total == Approx(0.5 + 2 + 2 + 3 + 0.5 + 1));
        CHECK(highest_cells(risk, nodata, 20).cells.size() == 6);
        std::vector<double> masked = risk;
        Raster<std::uint8_t> mask(grid, 1);
        mask.values[6] = 0;
        blank_outside(masked, mask, nodata);
        CHECK(masked[6] == nodata);
        CHECK(masked[1] == 2);
    }
}

TEST_CASE("Auto's candidates, grid placements and origins, by hand",
          "[spacetime][prospective]")
{
    const auto candidates = prospective_candidates({ProspectiveMethod::Auto, 300, 8, 14});
    REQUIRE(candidates.size() == 4 * 7);
    CHECK(candidates[0].label == "promap 4 weeks");
    CHECK(candidates[0].parameters.band_m == 300);
    CHECK(candidates[3].parameters.method == ProspectiveMethod::Decay);
    CHECK(candidates[4].parameters.half_life_days == 56);
    CHECK(candidates[5].label == "kde of 8 weeks");
    CHECK(candidates[6].parameters.method == ProspectiveMethod::Sepp);
    CHECK(candidates[7].label == "promap 4 weeks, grid moved W half a cell");
    CHECK(candidates[27].label == "sepp, grid moved WN half a cell");
    CHECK(candidates[2].parameters.weeks == longest_candidate_weeks);

    const GridSpec grid{1000, 2000, 100, 4, 3};
    const GridSpec moved = shifted_grid(grid, 0.5, 0.5);
    CHECK(moved.origin_x == 950);
    CHECK(moved.origin_y == 2050);
    CHECK(moved.cols == 5);
    CHECK(moved.rows == 4);
    // Still covers every cell centre of the grid it moved.
    CHECK(moved.col_of(grid.center_x(0)) == 1);
    CHECK(moved.col_of(grid.center_x(3)) == 4);
    CHECK(shifted_grid(grid, 0, 0.5).cols == 4);

    const DayIndex at = make_day(2017, 3, 31);
    CHECK(origin_before(at, parse_horizon("2W"), 2) == at - 28);
    CHECK(origin_before(at, parse_horizon("1M"), 1) == make_day(2017, 2, 28)); // February's last
    CHECK(origin_before(at, parse_horizon("1M"), 2) == make_day(2017, 1, 31));
    CHECK(origin_before(make_day(2017, 3, 15), parse_horizon("3M"), 1) == make_day(2016, 12, 15));
}
