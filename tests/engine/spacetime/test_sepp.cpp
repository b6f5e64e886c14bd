#include "hotspot/engine/spacetime/sepp.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

using namespace hotspot::engine;

namespace
{
struct Simulated
{
    std::vector<std::int64_t> cells;
    std::vector<double> times;
    double total_background = 0; ///< events per day, all cells
};

// A grid Hawkes process simulated by its branching structure: background events at each cell's
// rate, each event setting off Poisson(theta) more in its cell after exponential delays.
Simulated simulate(std::int64_t cell_count, double days, double background_events, double theta,
                   double omega, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::gamma_distribution<double> spread(2.0, 1.0);
    std::vector<double> mu(static_cast<std::size_t>(cell_count));
    double sum = 0;
    for (auto& m : mu)
        sum += m = spread(rng);
    Simulated out;
    for (auto& m : mu)
    {
        m *= background_events / sum / days;
        out.total_background += m;
    }
    std::uniform_real_distribution<double> uniform(0.0, days);
    std::poisson_distribution<int> children(theta);
    std::exponential_distribution<double> delay(omega);
    for (std::int64_t c = 0; c < cell_count; ++c)
    {
        std::poisson_distribution<int> background(mu[static_cast<std::size_t>(c)] * days);
        std::vector<double> pending;
        for (int k = background(rng); k > 0; --k)
            pending.push_back(uniform(rng));
        while (!pending.empty())
        {
            const double t = pending.back();
            pending.pop_back();
            out.cells.push_back(c);
            out.times.push_back(t);
            for (int k = children(rng); k > 0; --k)
                if (const double child = t + delay(rng); child < days)
                    pending.push_back(child);
        }
    }
    return out;
}
} // namespace

TEST_CASE("SEPP's EM recovers a simulated grid Hawkes process's theta, omega and background",
          "[sepp]")
{
    // 400 cells over two years, about 10,000 events: half background, half triggered, 5 days
    // on average after the event that set them off. (With a cell's background estimated from its
    // own 12 or so background events, the fit reads some slow triggering as background: with 20
    // days on average, theta comes out near 0.37 for 0.5; over 20 years, within 2%.)
    const double days = 730, theta = 0.5, omega = 0.2;
    const Simulated sim = simulate(400, days, 5'000, theta, omega, 20170301);
    REQUIRE(sim.cells.size() > 9'000);
    REQUIRE(sim.cells.size() < 11'000);
    const SeppFit fit = fit_sepp(sim.cells, sim.times, 400, days);
    CHECK(fit.converged);
    CHECK(fit.theta == Approx(theta).epsilon(0.10));
    CHECK(fit.omega == Approx(omega).epsilon(0.10));
    double background = 0;
    for (const double mu : fit.background)
        background += mu;
    CHECK(background == Approx(sim.total_background).epsilon(0.10));
    CHECK(fit.triggered_share == Approx(0.5).epsilon(0.10));

    // The same events dated to the day only: same-day pairs are not triggering, so the triggering
    // inside a day (about 9% of it with 5 days on average) is read as background: within 20%.
    std::vector<double> whole_days;
    for (const double t : sim.times)
        whole_days.push_back(std::floor(t));
    const SeppFit daily = fit_sepp(sim.cells, whole_days, 400, days);
    CHECK(daily.converged);
    CHECK(daily.theta == Approx(theta).epsilon(0.20));
    CHECK(daily.theta < fit.theta);
    CHECK(daily.omega == Approx(omega).epsilon(0.20));

    // Deterministic: the events in another order give the same fit, to the last bit.
    std::vector<std::int64_t> cells(sim.cells.rbegin(), sim.cells.rend());
    std::vector<double> times(sim.times.rbegin(), sim.times.rend());
    const SeppFit again = fit_sepp(cells, times, 400, days);
    CHECK(again.theta == fit.theta);
    CHECK(again.omega == fit.omega);
    CHECK(again.background == fit.background);
}

TEST_CASE("SEPP on a homogeneous Poisson process finds little triggering", "[sepp]")
{
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<std::int64_t> cell(0, 399);
    std::uniform_real_distribution<double> time(0.0, 730.0);
    std::vector<std::int64_t> cells;
    std::vector<double> times;
    for (int i = 0; i < 10'000; ++i)
    {
        cells.push_back(cell(rng));
        times.push_back(time(rng));
    }
    const SeppFit fit = fit_sepp(cells, times, 400, 730);
    CHECK(fit.triggered_share < 0.05);
    CHECK(fit.theta < 0.05);
    double background = 0;
    for (const double mu : fit.background)
        background += mu;
    CHECK(background * 730 == Approx(10'000).epsilon(0.05));
}

TEST_CASE("SEPP's expected events in a horizon, by hand", "[sepp]")
{
    SeppFit fit;
    fit.background = {0.2, 0.0};
    fit.theta = 0.4;
    fit.omega = 0.5;
    // One event in cell 0, two days before the window's end; none in cell 1.
    const std::vector<std::int64_t> cells{0};
    const std::vector<double> times{8.0};
    const auto expected = sepp_expected(fit, cells, times, 10.0, 7.0);
    CHECK(expected[0] == Approx(0.2 * 7 + 0.4 * std::exp(-0.5 * 2) * (1 - std::exp(-0.5 * 7))));
    CHECK(expected[1] == 0.0);
    // Two events at one time never trigger each other: a cell holding only them is background.
    const std::vector<std::int64_t> pair{0, 0};
    const std::vector<double> same{3.0, 3.0};
    const SeppFit tied = fit_sepp(pair, same, 1, 10.0);
    CHECK(tied.theta == Approx(0.0).margin(1e-12));
    CHECK(tied.background[0] == Approx(0.2));
}
