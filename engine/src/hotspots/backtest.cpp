#include "hotspot/engine/hotspots/backtest.hpp"

#include "hotspot/engine/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hotspot::engine
{

OriginSpread spread_over(const std::vector<double>& scores)
{
    OriginSpread s;
    double sum = 0, squares = 0;
    for (const double v : scores)
        if (std::isfinite(v))
        {
            s.min = s.scored == 0 ? v : std::min(s.min, v);
            s.max = s.scored == 0 ? v : std::max(s.max, v);
            sum += v;
            ++s.scored;
        }
    if (s.scored == 0)
    {
        s.mean = s.sd = s.min = s.max = std::numeric_limits<double>::quiet_NaN();
        return s;
    }
    s.mean = sum / static_cast<double>(s.scored);
    for (const double v : scores)
        if (std::isfinite(v))
            squares += (v - s.mean) * (v - s.mean);
    s.sd = s.scored > 1 ? std::sqrt(squares / static_cast<double>(s.scored - 1)) : 0.0;
    return s;
}

namespace
{
// The candidate with the best mean over origins [first, last); ties to the earlier.
std::size_t best_over(const std::vector<std::vector<double>>& scores, std::size_t first,
                      std::size_t last)
{
    std::size_t best = 0;
    double best_mean = -std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < scores.size(); ++c)
    {
        const std::vector<double> part(scores[c].begin() + static_cast<std::ptrdiff_t>(first),
                                       scores[c].begin() + static_cast<std::ptrdiff_t>(last));
        const OriginSpread s = spread_over(part);
        if (s.scored > 0 && s.mean > best_mean)
        {
            best_mean = s.mean;
            best = c;
        }
    }
    return best;
}
} // namespace

BacktestChoice choose_by_backtest(const std::vector<std::vector<double>>& scores,
                                  std::size_t held_out)
{
    if (scores.empty())
        throw Error(Errc::Internal, "choose_by_backtest: no candidate");
    const std::size_t origins = scores.front().size();
    for (const auto& s : scores)
        if (s.size() != origins)
            throw Error(Errc::Internal, "choose_by_backtest: a score per origin for each");
    BacktestChoice choice;
    choice.chosen = best_over(scores, 0, origins);
    held_out = std::min(held_out, origins);
    if (held_out == 0 || held_out == origins)
    {
        choice.chosen_on_older = choice.chosen;
        choice.held_out_mean = std::numeric_limits<double>::quiet_NaN();
        return choice;
    }
    choice.chosen_on_older = best_over(scores, held_out, origins);
    const auto& s = scores[choice.chosen_on_older];
    choice.held_out_mean =
        spread_over(std::vector<double>(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(held_out)))
            .mean;
    return choice;
}

} // namespace hotspot::engine
