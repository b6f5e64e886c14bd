#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/hotspots/patrol_plan.hpp"

#include <catch2/catch.hpp>

#include <numeric>

using namespace hotspot::engine;

namespace
{
// A signature with `weight` in each of the given hours of the week.
Signature busy(std::initializer_list<int> hours, double weight)
{
    Signature s;
    for (const int h : hours)
    {
        s.hours[static_cast<std::size_t>(h)] += weight;
        s.total += weight;
    }
    return s;
}
constexpr int fri = 4;
const std::vector<Shift> three{{"early", 7, 15}, {"late", 15, 23}, {"night", 23, 7}};
} // namespace

TEST_CASE("Shifts are read and may not overlap", "[patrol]")
{
    const Shift s = parse_shift("night 23-07");
    CHECK(s.name == "night");
    CHECK(s.start_hour == 23);
    CHECK(s.end_hour == 7);
    CHECK(s.hours() == 8);
    CHECK(parse_shift("late  shift 15:00-23:00").name == "late  shift");
    CHECK_THROWS_WITH(parse_shift("late"), Catch::Contains("name and its hours"));
    CHECK_THROWS_WITH(parse_shift("late 15-15"), Catch::Contains("lasts no hours"));
    CHECK_NOTHROW(check_shifts(three));
    CHECK_THROWS_WITH(check_shifts({{"a", 7, 15}, {"b", 14, 20}}),
                      Catch::Contains("both cover 14:00"));
}

TEST_CASE("Largest remainder gives whole visits that sum to the capacity", "[patrol]")
{
    // 10 visits over 0.5, 0.3, 0.2: quotas 5, 3, 2 exactly.
    CHECK(largest_remainder({5, 3, 2}, 10, 0, -1) == std::vector<int>{5, 3, 2});
    // 7 visits: quotas 3.5, 2.1, 1.4; floors 3, 2, 1 and the one left to the largest fraction.
    CHECK(largest_remainder({5, 3, 2}, 7, 0, -1) == std::vector<int>{4, 2, 1});
    // A minimum of 1 each, then 4 more by weight: 2.0, 1.2, 0.8 -> 2, 1, 1.
    CHECK(largest_remainder({5, 3, 2}, 7, 1, -1) == std::vector<int>{3, 2, 2});
    // A cap of 3: the first is capped and the rest share what is left.
    CHECK(largest_remainder({8, 1, 1}, 7, 0, 3) == std::vector<int>{3, 2, 2});
    // No harm anywhere: only the minimum.
    CHECK(largest_remainder({0, 0}, 6, 1, -1) == std::vector<int>{1, 1});
    CHECK_THROWS_WITH(largest_remainder({1, 1, 1}, 2, 1, -1), Catch::Contains("minimum of 1"));
}

TEST_CASE("A patrol plan spends each shift's capacity where harm is expected", "[patrol]")
{
    // Hotspot 0 is busy on Friday nights, hotspot 1 on weekday mornings; the area is both.
    const Signature night = busy({fri * 24 + 23, (fri + 1) * 24 + 1}, 10);
    Signature morning;
    for (int d = 0; d < 5; ++d)
        morning.hours[static_cast<std::size_t>(d * 24 + 9)] = 4, morning.total += 4;
    Signature area = night;
    for (int t = 0; t < hours_per_week; ++t)
        area.hours[static_cast<std::size_t>(t)] += morning.hours[static_cast<std::size_t>(t)] + 0.5;
    area.total = std::accumulate(area.hours.begin(), area.hours.end(), 0.0);

    PatrolOptions o;
    o.visits_per_shift = 8;
    o.min_visits = 1;
    o.shrinkage = 0; // the shapes as they are
    o.weeks = 2;
    const PatrolPlan plan = plan_patrols({night, morning}, area, three, o);
    REQUIRE(plan.rows.size() == 7 * 3 * 2);
    for (std::size_t cell = 0; cell < plan.given.size(); ++cell)
        CHECK(plan.given[cell] + plan.unused[cell] == 8);
    const auto row = [&](int day, std::size_t shift, std::size_t h) -> const PatrolVisit&
    { return plan.rows[(static_cast<std::size_t>(day) * 3 + shift) * 2 + h]; };
    // Friday's night shift (23:00 to Saturday 07:00): all the night hotspot's harm, 20 a fortnight.
    CHECK(row(fri, 2, 0).expected_harm == Approx(10.0));
    CHECK(row(fri, 2, 0).visits == 7);
    CHECK(row(fri, 2, 1).visits == 1); // no harm there then: the minimum only
    CHECK(plan.given[static_cast<std::size_t>(fri) * 3 + 2] == 8);
    // Sunday's late shift: harm at neither hotspot, so each gets its minimum and the rest stays.
    CHECK(row(6, 1, 0).visits == 1);
    CHECK(row(6, 1, 1).visits == 1);
    CHECK(plan.unused[6 * 3 + 1] == 6);
    // Visit times lie in the hotspot's busy hours within the shift.
    for (const auto t : row(fri, 2, 0).times)
        CHECK((t / 60 == fri * 24 + 23 || t / 60 == (fri + 1) * 24 + 1));
    CHECK(row(fri, 2, 0).times.size() == 7);
    // Reproducible for a seed; another seed moves the times.
    const PatrolPlan again = plan_patrols({night, morning}, area, three, o);
    CHECK(again.rows[(fri * 3 + 2) * 2].times == row(fri, 2, 0).times);
    o.seed = 2;
    CHECK(plan_patrols({night, morning}, area, three, o).rows[(fri * 3 + 2) * 2].times !=
          row(fri, 2, 0).times);
    // The share of the area's harm in the planned hotspot-shifts: every hotspot gets a visit in
    // every shift here, so all the hotspots' harm (40 + 40 of the area's per fortnight).
    CHECK(plan.share_in_planned == Approx((20.0 + 20.0) / area.total));

    // Top-first: a full dose of 3 to the hotspot of most harm, then the next.
    o.strategy = PatrolStrategy::TopFirst;
    o.min_visits = 0;
    o.dose = 3;
    o.visits_per_shift = 4;
    const PatrolPlan top = plan_patrols({night, morning}, area, three, o);
    CHECK(top.rows[(fri * 3 + 2) * 2].visits == 3);
    CHECK(top.rows[(fri * 3 + 2) * 2 + 1].visits == 0); // no harm: no visit
    CHECK(top.unused[fri * 3 + 2] == 1);
    // Too few visits for everyone's minimum is refused, whatever the strategy.
    o.min_visits = 3;
    CHECK_THROWS_WITH(plan_patrols({night, morning}, area, three, o),
                      Catch::Contains("minimum of 3"));
}

TEST_CASE("A sparse signature is shrunk towards the area's", "[patrol]")
{
    const Signature one = busy({10}, 1); // one offence on a Monday morning
    Signature area;
    for (auto& h : area.hours)
        h = 1;
    area.total = 168;
    PatrolOptions o;
    o.visits_per_shift = 10;
    o.shrinkage = 24;
    const PatrolPlan plan = plan_patrols({one}, area, three, o);
    // Its weight stays 1 in all; most of it now lies spread like the area's.
    double total = 0;
    for (const auto& r : plan.rows)
        total += r.expected_harm;
    CHECK(total == Approx(1.0));
    CHECK(plan.rows[0].expected_harm == Approx((1.0 + 24.0 * 8 / 168) / 25)); // Monday early
}

TEST_CASE("A shift's visits and the weeks rates are measured over, by hand", "[patrol]")
{
    CHECK(visits_in_shift(8, 15, 5) == 24);   // 480 minutes of 20-minute visits
    CHECK(visits_in_shift(7.5, 20, 5) == 18); // 450 / 25
    CHECK(visits_in_shift(1, 45, 20) == 0);   // not one whole visit
    Incidents inc;
    const auto at = [&](MinuteIndex start) {
        inc.add(0, 0, 1.0, no_month, -1, 0, no_day, TimeWindow{start, 0});
    };
    CHECK(measured_weeks(inc).weeks == 1); // no timed record
    CHECK(measured_weeks(inc).last == no_minute);
    at(0);
    at(minutes_per_week - 1);
    inc.add(5, 5); // untimed: not measured
    CHECK(measured_weeks(inc).weeks == 1);
    at(minutes_per_week);
    const MeasuredWeeks two = measured_weeks(inc);
    CHECK(two.weeks == 2);
    CHECK(two.last == minutes_per_week);
    // The last week before the latest start: after minute 0, so the first and the untimed go.
    CHECK(keep_last_weeks(inc, 1, two.last) == 2);
    CHECK(inc.window_of(0).start == minutes_per_week - 1);
    CHECK(inc.window_of(1).start == minutes_per_week);
}
