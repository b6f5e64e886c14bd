#include "hotspot/engine/spacetime/sepp.hpp"

#include "hotspot/engine/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hotspot::engine
{

namespace
{
struct Event
{
    std::int64_t cell;
    double time;
};

// The events sorted by cell, then time.
std::vector<Event> ordered(std::span<const std::int64_t> cells, std::span<const double> times,
                           std::int64_t cell_count, double window_days)
{
    if (cells.size() != times.size())
        throw Error(Errc::Internal, "sepp: a time per event");
    std::vector<Event> events;
    events.reserve(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i)
    {
        if (cells[i] < 0 || cells[i] >= cell_count || !(times[i] >= 0) ||
            !(times[i] < window_days))
            throw Error(Errc::Internal, "sepp: an event outside the grid or the window");
        events.push_back({cells[i], times[i]});
    }
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b)
              { return a.cell != b.cell ? a.cell < b.cell : a.time < b.time; });
    return events;
}

// Walks each cell's events in time order with, for each, the sums over the cell's strictly
// earlier events of exp(-omega dt) (a) and dt exp(-omega dt) (b): f(event index, a, b).
template <class F> void for_each_with_history(const std::vector<Event>& events, double omega, F&& f)
{
    std::size_t i = 0;
    while (i < events.size())
    {
        const std::int64_t cell = events[i].cell;
        double a = 0, b = 0, at = events[i].time;
        std::size_t same = 0; // events at `at`, not yet in a and b
        for (; i < events.size() && events[i].cell == cell; ++i)
        {
            const double t = events[i].time;
            if (t != at)
            {
                const double d = t - at, decay = std::exp(-omega * d);
                a += static_cast<double>(same);
                b = decay * (b + d * a);
                a *= decay;
                at = t;
                same = 0;
            }
            f(i, a, b);
            ++same;
        }
    }
}
} // namespace

SeppFit fit_sepp(std::span<const std::int64_t> cells, std::span<const double> times,
                 std::int64_t cell_count, double window_days, const SeppOptions& options)
{
    if (!(window_days > 0))
        throw Error(Errc::Internal, "sepp: a window of some days");
    const std::vector<Event> events = ordered(cells, times, cell_count, window_days);
    SeppFit fit;
    fit.background.assign(static_cast<std::size_t>(cell_count), 0.0);
    if (events.empty())
    {
        fit.converged = true;
        return fit;
    }
    const double n = static_cast<double>(events.size());
    for (const auto& e : events)
        fit.background[static_cast<std::size_t>(e.cell)] += 1.0 / window_days;
    double theta = options.initial_theta, omega = options.initial_omega;
    for (auto& mu : fit.background)
        mu *= 1 - theta;
    std::vector<double> next(fit.background.size());
    for (fit.iterations = 1; fit.iterations <= options.max_iterations; ++fit.iterations)
    {
        // E-step, summed as the M-step needs it: each event's chance of being background, and of
        // being triggered (with the triggering's delay weighted in).
        std::fill(next.begin(), next.end(), 0.0);
        double triggered = 0, triggered_delay = 0;
        for_each_with_history(events, omega,
                              [&](std::size_t i, double a, double b)
                              {
                                  const auto cell = static_cast<std::size_t>(events[i].cell);
                                  const double mu = fit.background[cell];
                                  const double excite = theta * omega * a;
                                  const double lambda = mu + excite;
                                  if (!(lambda > 0))
                                      return;
                                  next[cell] += mu / lambda;
                                  triggered += excite / lambda;
                                  triggered_delay += theta * omega * b / lambda;
                              });
        // M-step.
        double compensator = 0; // the triggering each event can set off before the window ends
        for (const auto& e : events)
            compensator += 1 - std::exp(-omega * (window_days - e.time));
        const double new_theta = compensator > 0 ? triggered / compensator : 0;
        const double new_omega = triggered_delay > 0 ? triggered / triggered_delay : omega;
        double old_total = 0, new_total = 0;
        for (std::size_t c = 0; c < next.size(); ++c)
        {
            old_total += fit.background[c];
            fit.background[c] = next[c] / window_days;
            new_total += fit.background[c];
        }
        const auto moved = [](double a, double b)
        { return std::abs(a - b) / std::max(std::abs(b), 1e-300); };
        const bool still = moved(new_theta, theta) < options.tolerance &&
                           (new_theta < 1e-9 || moved(new_omega, omega) < options.tolerance) &&
                           moved(new_total, old_total) < options.tolerance;
        theta = new_theta;
        omega = new_omega;
        fit.triggered_share = triggered / n;
        if (still)
        {
            fit.converged = true;
            break;
        }
    }
    fit.iterations = std::min(fit.iterations, options.max_iterations);
    fit.theta = theta;
    fit.omega = omega;
    return fit;
}

std::vector<double> sepp_expected(const SeppFit& fit, std::span<const std::int64_t> cells,
                                  std::span<const double> times, double window_days,
                                  double horizon_days)
{
    std::vector<double> expected(fit.background.size());
    for (std::size_t c = 0; c < expected.size(); ++c)
        expected[c] = fit.background[c] * horizon_days;
    // Each past event's triggering still to come in the horizon.
    const double in_horizon = 1 - std::exp(-fit.omega * horizon_days);
    for (std::size_t i = 0; i < cells.size(); ++i)
        expected[static_cast<std::size_t>(cells[i])] +=
            fit.theta * std::exp(-fit.omega * (window_days - times[i])) * in_horizon;
    return expected;
}

} // namespace hotspot::engine
