#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace hotspot::engine
{

/// The grid self-exciting point process of Mohler et al. 2015 ("Randomized controlled field trials
/// of predictive policing", JASA), as open_cp's seppexp: in each cell n an event rate
///   lambda_n(t) = mu_n + sum over the cell's earlier events i of theta * omega * exp(-omega (t - t_i)),
/// a background rate per cell plus triggering inside the cell that decays exponentially; each
/// event sets off theta further events on average, after 1/omega days on average.
struct SeppFit
{
    std::vector<double> background; ///< mu_n, events per day in each cell
    double theta = 0;               ///< events triggered per event
    double omega = 0;               ///< per day: the triggering's decay
    double triggered_share = 0;     ///< of the events, the expected share triggered
    int iterations = 0;
    bool converged = false;
};

struct SeppOptions
{
    int max_iterations = 1000;
    double tolerance = 1e-7; ///< stop when theta, omega and total background move less, relatively
    double initial_omega = 0.1; ///< per day
    double initial_theta = 0.5;
};

/// Fitted by expectation-maximisation over the events (cell, time in days from the start of a
/// window of `window_days`). Events at the same time never trigger each other: records dated to
/// the day are given whole days, so that same-day pairs are not taken as triggering. Each step
/// costs one pass over the events, in time order within each cell: the exponential kernel's sums
/// are carried from one event to the next. theta's update counts the triggering each event could
/// still set off before the window ends (its compensator); omega's is Mohler's.
/// Deterministic: the same events give the same fit.
SeppFit fit_sepp(std::span<const std::int64_t> cells, std::span<const double> times,
                 std::int64_t cell_count, double window_days, const SeppOptions& options = {});

/// Each cell's expected events in the `horizon_days` after the window's end, under the fit.
std::vector<double> sepp_expected(const SeppFit& fit, std::span<const std::int64_t> cells,
                                  std::span<const double> times, double window_days,
                                  double horizon_days);

} // namespace hotspot::engine
