// Bandwidth selectors against spatstat (golden values in tests/data/bandwidth/golden.csv, made by
// make_golden.R beside it), and their building blocks against brute force and analytic values.

#include "hotspot/engine/density/bandwidth.hpp"
#include "hotspot/engine/density/study_window.hpp"

#include "generators.hpp"

#include "csv_fixture.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <numbers>
#include <random>
#include <sstream>
#include <string>

using namespace hotspot::engine;

namespace
{
std::vector<std::vector<std::string>> read_csv(const std::string& name)
{
    return hotspot::testsupport::read_fixture_csv("bandwidth/" + name);
}

Incidents read_points(const std::string& set)
{
    Incidents inc;
    for (const auto& row : read_csv(set + ".csv"))
        inc.add(std::stod(row[0]), std::stod(row[1]));
    return inc;
}

MultiPolygon read_polygon(const std::string& name)
{
    Polygon polygon;
    for (const auto& row : read_csv(name + ".csv"))
        polygon.outer.push_back({std::stod(row[0]), std::stod(row[1])});
    return {polygon};
}

double brute_sum(const std::vector<Point2>& p, std::size_t i, double sigma)
{
    double s = 0.0;
    for (std::size_t j = 0; j < p.size(); ++j)
        if (j != i)
        {
            const double d2 =
                (p[i].x - p[j].x) * (p[i].x - p[j].x) + (p[i].y - p[j].y) * (p[i].y - p[j].y);
            if (d2 < 64 * sigma * sigma) // spatstat's cutoff, 8 sigma
                s += std::exp(-d2 / (2 * sigma * sigma));
        }
    return s / (2 * std::numbers::pi * sigma * sigma);
}
} // namespace

TEST_CASE("Selectors equal spatstat's bw.scott, bw.ppl, bw.CvL and bw.diggle within 2%",
          "[bandwidth][golden]")
{
    const MultiPolygon district = read_polygon("maidstone_district");
    for (const auto& row : read_csv("golden.csv"))
    {
        const std::string set = row[0], window_name = row[1];
        Incidents inc = read_points(set);
        StudyWindow window;
        if (window_name == "rectangle")
        {
            Box2 box;
            for (std::size_t i = 0; i < inc.size(); ++i)
                box.expand(inc.x[i], inc.y[i]);
            window = StudyWindow::rectangle(box);
        }
        else
        {
            window = StudyWindow::polygons({&district});
            inc.keep_if([&](std::size_t i) { return window.contains({inc.x[i], inc.y[i]}); });
        }
        INFO(set << " in " << window_name << ", " << inc.size() << " offences");
        REQUIRE(inc.size() == std::stoul(row[2]));
        const std::map<std::string, BandwidthSelector> columns{
            {"scott", BandwidthSelector::Scott},
            {"ppl", BandwidthSelector::Ppl},
            {"cvl", BandwidthSelector::Cvl},
            {"diggle", BandwidthSelector::Diggle}};
        const std::vector<std::string> order{"scott", "ppl", "cvl", "diggle"};
        for (std::size_t k = 0; k < order.size(); ++k)
        {
            const double expected = std::stod(row[3 + k]);
            const SelectedSigma chosen = select_sigma(columns.at(order[k]), inc, window);
            INFO(order[k] << ": spatstat " << expected << " m, hotspot " << chosen.sigma_m << " m ("
                          << chosen.method << ")");
            CHECK(chosen.sigma_m == Approx(expected).epsilon(0.02));
        }
    }
}

TEST_CASE("Binned Gaussian sums agree with brute force", "[bandwidth]")
{
    const auto inc = hotspot::testsupport::make_clustered_incidents(
        7, 9000, hotspot::testsupport::maidstone_like_clusters(), 570000, 150000, 585000, 162000);
    std::vector<Point2> p(inc.size());
    for (std::size_t i = 0; i < inc.size(); ++i)
        p[i] = {inc.x[i], inc.y[i]};
    // Binned at 60 m (nodes 7.5 m apart, the finest the 2,048-node cap allows here) and 1,500 m;
    // at 30 m binning would be too coarse, and the cheaper method must be the exact one.
    for (const auto& [sigma, method] :
         {std::pair{60.0, SumMethod::Binned}, std::pair{1500.0, SumMethod::Binned},
          std::pair{30.0, SumMethod::Cheaper}})
    {
        const auto sums = kernel_sums_at_points(p, nullptr, Kernel::Gaussian, sigma, false, method);
        double worst = 0.0, total = 0.0;
        std::size_t checked = 0;
        for (std::size_t i = 0; i < p.size(); i += 97)
        {
            const double exact = brute_sum(p, i, sigma);
            const double error = exact > 0 ? std::abs(sums[i] - exact) / exact : sums[i];
            worst = std::max(worst, error);
            total += error;
            ++checked;
        }
        INFO("sigma " << sigma << " m: largest error " << worst * 100 << "%, mean "
                      << total / checked * 100 << "%");
        CHECK(worst < 0.03);
        CHECK(total / checked < 0.005);
    }
}

TEST_CASE("The compact kernels' bandwidth has the standard deviation asked for", "[bandwidth]")
{
    for (const Kernel k : {Kernel::Quartic, Kernel::Epanechnikov, Kernel::Triweight,
                           Kernel::Triangular, Kernel::Uniform, Kernel::Gaussian})
    {
        const double sigma = 100.0;
        const double h = bandwidth_for_sigma(k, sigma);
        CHECK(sigma_for_bandwidth(k, h) == Approx(sigma).epsilon(1e-12));
        // Per-axis variance, integral of x^2 K over the plane, by the midpoint rule.
        const double reach = kernel_support_radius(k, h);
        const double step = reach / 400.0;
        double variance = 0.0, mass = 0.0;
        for (double x = -reach + step / 2; x < reach; x += step)
            for (double y = -reach + step / 2; y < reach; y += step)
            {
                const double w = kernel_value(k, h, x * x + y * y) * step * step;
                mass += w;
                variance += x * x * w;
            }
        INFO(to_string(k));
        CHECK(mass == Approx(1.0).epsilon(2e-3));
        CHECK(std::sqrt(variance / mass) == Approx(sigma).epsilon(2e-3));
    }
}

TEST_CASE("The edge factor: 1 inside, 1/2 on an edge, 1/4 at a corner", "[edge]")
{
    const Box2 box{0, 0, 10000, 8000};
    const MultiPolygon square{{Ring{{0, 0}, {10000, 0}, {10000, 8000}, {0, 8000}}, {}}};
    for (const Kernel k : {Kernel::Quartic, Kernel::Gaussian, Kernel::Uniform})
        for (const auto& window : {StudyWindow::rectangle(box), StudyWindow::polygons({&square})})
        {
            const EdgeFactor e(window, k, 500.0);
            INFO(to_string(k) << (window.rectangular() ? " rectangle" : " polygon"));
            CHECK(e.at(5000, 4000) == Approx(1.0).epsilon(1e-9));
            CHECK(e.at(5000, 0) == Approx(0.5).epsilon(0.01));
            CHECK(e.at(0, 0) == Approx(0.25).epsilon(0.01));
        }
    // Gaussian on a rectangle: the analytic product, and the raster of the same square agrees.
    const EdgeFactor exact(StudyWindow::rectangle(box), Kernel::Gaussian, 300.0);
    const EdgeFactor raster(StudyWindow::polygons({&square}), Kernel::Gaussian, 300.0);
    const auto phi = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
    CHECK(exact.at(150, 4000) == Approx(phi(150.0 / 300.0)).epsilon(1e-9));
    for (const double x : {0.0, 100.0, 250.0, 600.0, 1000.0})
        CHECK(raster.at(x, 300) == Approx(exact.at(x, 300)).margin(0.01));
}

TEST_CASE("The share of a circle inside the window", "[edge]")
{
    const MultiPolygon square{{Ring{{0, 0}, {100, 0}, {100, 100}, {0, 100}}, {}}};
    for (const auto& w :
         {StudyWindow::rectangle({0, 0, 100, 100}), StudyWindow::polygons({&square})})
    {
        CHECK(w.circle_share_inside({50, 50}, 10) == Approx(1.0));
        CHECK(w.circle_share_inside({50, 0}, 10) == Approx(0.5));
        CHECK(w.circle_share_inside({0, 0}, 10) == Approx(0.25));
        // Centre 5 from an edge, radius 10: the arc beyond is 2 acos(5/10) = 120 degrees.
        CHECK(w.circle_share_inside({50, 5}, 10) == Approx(2.0 / 3.0));
        CHECK(w.area_m2() == Approx(10000.0));
        CHECK(w.distance_to_boundary({30, 20}) == Approx(20.0));
    }
}

TEST_CASE("Compact-kernel sums read off a fine grid agree with exact ones", "[bandwidth]")
{
    // Dense clusters: far more than 50 pairs a point within 400 m, so the grid is used.
    const auto inc = hotspot::testsupport::make_clustered_incidents(
        8, 20000, hotspot::testsupport::maidstone_like_clusters(), 570000, 150000, 585000, 162000);
    std::vector<Point2> p(inc.size());
    for (std::size_t i = 0; i < inc.size(); ++i)
        p[i] = {inc.x[i], inc.y[i]};
    const auto gridded = kernel_sums_at_points(p, nullptr, Kernel::Quartic, 400.0, true);
    const auto exact =
        kernel_sums_at_points(p, nullptr, Kernel::Quartic, 400.0, true, SumMethod::Exact);
    double worst = 0.0, total = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i)
    {
        const double error = std::abs(gridded[i] - exact[i]) / exact[i];
        worst = std::max(worst, error);
        total += error;
    }
    INFO("largest error " << worst * 100 << "%, mean " << total / p.size() * 100 << "%");
    CHECK(gridded != exact); // the grid was used
    CHECK(worst < 0.02);
    CHECK(total / p.size() < 0.002);
}

TEST_CASE("The population of a window: offences inside, and those whose kernel reaches in, "
          "against brute force",
          "[window]")
{
    // An L-shaped area (the notch tests distances to a concave corner) and offences around it.
    const MultiPolygon l_shape{
        {Ring{{0, 0}, {1000, 0}, {1000, 400}, {400, 400}, {400, 1000}, {0, 1000}}, {}}};
    const StudyWindow window = StudyWindow::polygons({&l_shape});
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> coordinate(-600, 1600);
    // Brute force: the distance to the nearest of many points along the boundary.
    const Ring& ring = l_shape.front().outer;
    const auto distance = [&](double x, double y)
    {
        double best = 1e300;
        for (std::size_t e = 0; e < ring.size(); ++e)
        {
            const Point2 a = ring[e], b = ring[(e + 1) % ring.size()];
            for (int k = 0; k <= 2000; ++k)
            {
                const double t = k / 2000.0;
                best = std::min(best, std::hypot(a.x + t * (b.x - a.x) - x, a.y + t * (b.y - a.y) - y));
            }
        }
        return best;
    };
    const auto inside = [](double x, double y)
    { return x >= 0 && y >= 0 && x <= 1000 && y <= 1000 && (x <= 400 || y <= 400); };
    // Offences with their distances, leaving out those within 0.5 m of a reach tested (150, 300
    // and 600 m), where the sampled boundary's error could tell otherwise.
    Incidents offences;
    std::vector<double> away;
    for (int i = 0; offences.size() < 3000; ++i)
    {
        const double x = coordinate(rng), y = coordinate(rng);
        const double d = inside(x, y) ? 0.0 : distance(x, y);
        if (d > 0 && (std::abs(d - 150) < 0.5 || std::abs(d - 300) < 0.5 || std::abs(d - 600) < 0.5))
            continue;
        offences.add(x, y, 1.0 + i % 3);
        away.push_back(d);
    }
    for (const double r : {150.0, 300.0})
    {
        std::int64_t in = 0, reaching = 0, reaching_own = 0;
        double in_weight = 0, reaching_weight = 0;
        std::vector<double> own(offences.size());
        for (std::size_t i = 0; i < offences.size(); ++i)
        {
            own[i] = r * (1 + static_cast<double>(i % 2)); // every other offence reaches twice as far
            const bool is_in = inside(offences.x[i], offences.y[i]);
            in += is_in;
            in_weight += is_in ? offences.weight_of(i) : 0;
            reaching += is_in || away[i] < r;
            reaching_weight += is_in || away[i] < r ? offences.weight_of(i) : 0;
            reaching_own += is_in || away[i] < own[i];
        }
        const WindowPopulation p = window_population(offences, window, {r});
        CHECK(p.inside == in);
        CHECK(p.reaching == reaching);
        CHECK(p.inside_weight == in_weight);
        CHECK(p.reaching_weight == reaching_weight);
        CHECK(p.reaching > p.inside);
        CHECK(window_population(offences, window, own).reaching == reaching_own);
    }
}
