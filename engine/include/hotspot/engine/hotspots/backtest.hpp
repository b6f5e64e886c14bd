#pragma once

#include <cstddef>
#include <vector>

namespace hotspot::engine
{

/// A candidate forecast's scores over rolling origins, NaN where an origin could not be scored
/// (no offence in its horizon): their mean, standard deviation and range over the scored ones.
struct OriginSpread
{
    double mean = 0, sd = 0, min = 0, max = 0;
    std::size_t scored = 0;
};
OriginSpread spread_over(const std::vector<double>& scores);

/// Which candidate to forecast with, chosen by backtest. `scores[c][o]` is candidate c's score
/// (higher is better) at origin o, origin 0 the newest. The forecast's candidate has the best mean
/// over every origin (ties to the earlier candidate: list the simpler first). With many candidates
/// and few events that best mean flatters: so the choice is also made on the older origins alone
/// and judged on the `held_out` newest, which it never saw (a nested hold-out).
struct BacktestChoice
{
    std::size_t chosen = 0;          ///< best over every origin
    std::size_t chosen_on_older = 0; ///< best over the origins before the newest `held_out`
    double held_out_mean = 0;        ///< chosen_on_older's mean over the newest `held_out`; NaN if none
};
BacktestChoice choose_by_backtest(const std::vector<std::vector<double>>& scores,
                                  std::size_t held_out);

} // namespace hotspot::engine
