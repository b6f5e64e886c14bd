#include "hotspot/engine/hotspots/backtest.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace hotspot::engine;

TEST_CASE("Backtest: the best mean over origins, and a choice judged on origins it never saw",
          "[backtest]")
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    // Origin 0 is the newest. Candidate 1 is best overall; on the older origins (2-3) alone,
    // candidate 2 is, and on the newest two it scores 1 and 3.
    const std::vector<std::vector<double>> scores{
        {1, 1, 1, 1},
        {9, 9, 2, 2},
        {1, 3, 5, 5},
        {nan, nan, nan, nan},
    };
    const BacktestChoice choice = choose_by_backtest(scores, 2);
    CHECK(choice.chosen == 1);          // mean 5.5 against 3.5 and 1
    CHECK(choice.chosen_on_older == 2); // 5 against 2 and 1
    CHECK(choice.held_out_mean == Approx(2.0));
    // Ties go to the earlier candidate.
    CHECK(choose_by_backtest({{2, 2}, {2, 2}}, 1).chosen == 0);
    // Without a hold-out the two choices agree and there is nothing to judge them on.
    const BacktestChoice all = choose_by_backtest(scores, 0);
    CHECK(all.chosen_on_older == all.chosen);
    CHECK(std::isnan(all.held_out_mean));

    const OriginSpread s = spread_over({1, 3, nan, 5});
    CHECK(s.scored == 3);
    CHECK(s.mean == Approx(3));
    CHECK(s.sd == Approx(2));
    CHECK(s.min == 1);
    CHECK(s.max == 5);
    CHECK(std::isnan(spread_over({nan}).mean));
}
