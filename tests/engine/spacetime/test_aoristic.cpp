#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/spacetime/aoristic.hpp"

#include <catch2/catch.hpp>

#include <numeric>
#include <random>

using namespace hotspot::engine;


namespace
{
// 2019-01-07 was a Monday.
MinuteIndex at(int day_of_january, int hour, int minute = 0)
{
    return make_minute(make_day(2019, 1, day_of_january), hour * 60 + minute);
}
constexpr int mon = 0, fri = 4, sat = 5, sun = 6;
std::size_t how(int weekday_, int hour)
{
    return static_cast<std::size_t>(weekday_ * 24 + hour);
}
double sum(const HourOfWeek& h)
{
    return std::accumulate(h.begin(), h.end(), 0.0);
}
} // namespace

TEST_CASE("Hours of the week count from Monday 00:00", "[aoristic]")
{
    CHECK(weekday(make_day(1970, 1, 1)) == 3); // a Thursday
    CHECK(weekday(make_day(2019, 1, 7)) == mon);
    CHECK(weekday(make_day(1969, 12, 29)) == mon); // before the epoch too
    CHECK(hour_of_week(at(7, 0)) == 0);
    CHECK(hour_of_week(at(13, 23, 59)) == 167);
    CHECK(hour_of_week(at(11, 21, 30)) == 4 * 24 + 21);
    CHECK(shown_hour(0, WeekStart::Sunday) == 144); // Sunday 00:00 first
    CHECK(shown_hour(24, WeekStart::Sunday) == 0);
}

TEST_CASE("The aoristic table equals a hand-worked example", "[aoristic]")
{
    HourOfWeek h{};
    // 1. No end: the start's hour takes the whole weight.
    add_aoristic(h, at(7, 14, 50), 0);
    CHECK(h[how(mon, 14)] == 1.0);
    // 2. Across midnight, Friday 23:30 to Saturday 00:30: half each side.
    add_aoristic(h, at(11, 23, 30), 60);
    CHECK(h[how(fri, 23)] == Approx(0.5));
    CHECK(h[how(sat, 0)] == Approx(0.5));
    // 3. Across Sunday to Monday, 23:00 to 01:00: the week wraps.
    add_aoristic(h, at(13, 23), 120);
    CHECK(h[how(sun, 23)] == Approx(0.5));
    CHECK(h[how(mon, 0)] == Approx(0.5));
    // 4. By the minute: 10:15 to 12:45 on a Tuesday is 45, 60 and 45 of 150 minutes.
    add_aoristic(h, at(8, 10, 15), 150);
    CHECK(h[how(1, 10)] == Approx(0.3));
    CHECK(h[how(1, 11)] == Approx(0.4));
    CHECK(h[how(1, 12)] == Approx(0.3));
    // 5. A week or more: every hour alike, whatever the start.
    HourOfWeek week{};
    add_aoristic(week, at(9, 17, 23), minutes_per_week + 999);
    for (const double w : week)
        CHECK(w == Approx(1.0 / 168));
    // 6. The end minute is out: 14:00 to 15:00 is all in 14:00-14:59.
    HourOfWeek one{};
    add_aoristic(one, at(7, 14), 60);
    CHECK(one[how(mon, 14)] == 1.0);
    CHECK(one[how(mon, 15)] == 0.0);
    // Each record sums to exactly its weight.
    CHECK(sum(h) == Approx(4.0));
}

TEST_CASE("Aoristic weights equal a minute-by-minute count", "[aoristic]")
{
    std::mt19937 random(7);
    std::uniform_int_distribution<int> start(0, 60 * 24 * 400), length(1, 9000);
    for (int k = 0; k < 300; ++k)
    {
        const MinuteIndex s = at(1, 0) + start(random);
        const int minutes = length(random);
        HourOfWeek fast{}, brute{};
        add_aoristic(fast, s, minutes);
        for (int m = 0; m < minutes; ++m)
            brute[static_cast<std::size_t>(hour_of_week(s + m))] += 1.0 / minutes;
        for (std::size_t i = 0; i < fast.size(); ++i)
            REQUIRE(fast[i] == Approx(brute[i]).margin(1e-12));
    }
}

TEST_CASE("A time filter keeps the night that starts on each day it names", "[aoristic]")
{
    const HourFilter f = parse_hour_filter("fri,sat", "20-04");
    CHECK(f.hours.count() == 16);
    CHECK(f.hours.test(how(fri, 20)));
    CHECK(f.hours.test(how(sat, 3)));  // Friday's night runs into Saturday
    CHECK(!f.hours.test(how(sat, 4))); // 04:00 is out
    CHECK(f.hours.test(how(sun, 3)));  // Saturday's night runs into Sunday
    CHECK(!f.hours.test(how(fri, 3))); // Thursday's night is not asked for
    CHECK(f.label == "Fri, Sat 20:00-04:00");
    // A two-hour window half inside counts 0.5.
    CHECK(f.share(at(11, 19), 120) == Approx(0.5));
    CHECK(f.share(at(11, 21), 0) == 1.0);
    CHECK(f.share(at(7, 21), 0) == 0.0);
    CHECK(f.share(at(7, 0), 2 * minutes_per_week) == Approx(16.0 / 168));

    CHECK(parse_hour_filter("mon-fri", "").hours.count() == 120);
    CHECK(parse_hour_filter("sat-mon", "").hours.count() == 72);
    CHECK(parse_hour_filter("weekend", "07:00-09:00,16-18").hours.count() == 8);
    CHECK_FALSE(parse_hour_filter("", "").active());
    CHECK_THROWS_WITH(parse_hour_filter("fri,caturday", ""), Catch::Contains("'caturday'"));
    CHECK_THROWS_WITH(parse_hour_filter("", "20:30-04"), Catch::Contains("whole hours"));
    CHECK_THROWS_WITH(parse_hour_filter("", "20"), Catch::Contains("FROM-TO"));
    CHECK_THROWS_WITH(parse_hour_filter("", "25-04"), Catch::Contains("0-24"));
}

TEST_CASE("Filter shares equal a minute-by-minute count", "[aoristic]")
{
    const HourFilter f = parse_hour_filter("fri,sat", "20-04");
    std::mt19937 random(11);
    std::uniform_int_distribution<int> start(0, 60 * 24 * 60), length(0, 12000);
    for (int k = 0; k < 300; ++k)
    {
        const MinuteIndex s = at(1, 0) + start(random);
        const int minutes = length(random);
        HourOfWeek h{};
        add_aoristic(h, s, minutes);
        double brute = 0;
        for (std::size_t i = 0; i < h.size(); ++i)
            if (f.hours.test(i))
                brute += h[i];
        REQUIRE(f.share(s, minutes) == Approx(brute).margin(1e-12));
    }
}

TEST_CASE("Signatures by group sum to the offences with a time", "[aoristic]")
{
    Incidents offences;
    offences.add(0, 0, 1, no_month, -1, 1, make_day(2019, 1, 7), {at(7, 14), 0});
    offences.add(0, 0, 1, no_month, -1, 2, make_day(2019, 1, 11), {at(11, 23, 30), 60});
    offences.add(0, 0, 2, no_month, -1, 3, make_day(2019, 1, 12),
                 {make_minute(make_day(2019, 1, 12), 0), untimed_day_span});
    offences.add(0, 0, 1, no_month, -1, 4); // no day: not timed
    const Signatures s = signatures(offences, {0, 1, 1, 0}, 2);
    CHECK(s.whole.offences == 3);
    CHECK(s.whole.total == Approx(4.0));
    CHECK(sum(s.whole.hours) == Approx(4.0));
    CHECK(s.groups[0].offences == 1);
    CHECK(s.groups[1].total == Approx(3.0));
    CHECK(s.groups[1].hours[how(sat, 5)] == Approx(2.0 / 24)); // the day spread over 24 hours

    const TimeQuality q = time_quality(offences);
    CHECK(q.instants == 1);
    CHECK(q.windows == 1);
    CHECK(q.days == 1);
    CHECK(q.untimed == 1);
    CHECK(q.on_the_hour == 1);
}

TEST_CASE("A group busy in other hours than the rest is flagged there", "[aoristic]")
{
    Incidents offences;
    std::vector<std::int32_t> group;
    std::mt19937 random(3);
    std::uniform_int_distribution<int> any(0, 60 * 24 * 7 * 8 - 1), evening(0, 119);
    for (int k = 0; k < 3000; ++k) // the rest: any hour
    {
        offences.add(0, 0, 1, no_month, -1, k, 0, {at(7, 0) + any(random), 0});
        group.push_back(k < 300 ? 1 : 0); // group 1 is drawn like the rest
    }
    for (int k = 0; k < 200; ++k) // group 2: Friday 20:00-21:59
    {
        offences.add(0, 0, 1, no_month, -1, 5000 + k, 0, {at(11, 20) + evening(random), 0});
        group.push_back(2);
    }
    const auto result = compare_with_rest(offences, group, 3, 1999, 42, 0.05);
    CHECK(result[2].above.test(how(fri, 20)));
    CHECK(result[2].above.test(how(fri, 21)));
    CHECK(result[2].above.count() == 2);
    CHECK(result[1].above.count() == 0);
    // Reproducible for a seed.
    CHECK(compare_with_rest(offences, group, 3, 1999, 42, 0.05)[2].p == result[2].p);
}

TEST_CASE("The busiest span is found and said plainly", "[aoristic]")
{
    Signature s;
    s.hours[how(fri, 22)] = 3;
    s.hours[how(fri, 23)] = 3;
    s.hours[how(sat, 0)] = 2;
    s.hours[how(mon, 9)] = 2;
    s.total = 10;
    const PeakSpan peak = shortest_span_holding(s, 0.5);
    CHECK(peak.length == 2);
    CHECK(peak.share == Approx(0.6));
    CHECK(describe_span(peak) == "Fri 22:00-24:00");
    const PeakSpan three = busiest_span(s, 3);
    CHECK(three.share == Approx(0.8));
    CHECK(describe_span(three) == "Fri 22:00 to Sat 01:00");
    CHECK(describe_span({sun * 24 + 23, 2, 0}) == "Sun 23:00 to Mon 01:00");
}

TEST_CASE("A large group is compared as a small one is", "[aoristic]")
{
    // The group drawn by drawing the rest gives the same kind of answer: here the group is most of
    // the offences, busy on Friday evenings, and the few others spread over the week.
    Incidents offences;
    std::vector<std::int32_t> group;
    std::mt19937 random(5);
    std::uniform_int_distribution<int> any(0, 60 * 24 * 7 * 8 - 1), evening(0, 119);
    for (int k = 0; k < 400; ++k)
    {
        offences.add(0, 0, 1, no_month, -1, k, 0, {at(7, 0) + any(random), 0});
        group.push_back(-1);
    }
    for (int k = 0; k < 600; ++k)
    {
        offences.add(0, 0, 1, no_month, -1, 1000 + k,
                     0, {k % 2 ? at(11, 20) + evening(random) : at(7, 0) + any(random), 0});
        group.push_back(0);
    }
    const auto result = compare_with_rest(offences, group, 1, 1999, 9, 0.05);
    CHECK(result[0].above.test(how(fri, 20)));
    CHECK(result[0].above.test(how(fri, 21)));
    CHECK(result[0].above.count() == 2);
}

TEST_CASE("A signature is read in plain words", "[aoristic]")
{
    Signature s;
    s.hours[how(fri, 22)] = 3;
    s.hours[how(fri, 23)] = 3;
    s.hours[how(mon, 9)] = 4;
    s.total = 10;
    const auto lines = describe_signature(s, "the assaults");
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "60% of the assaults fall in 2 of the week's 168 hours, Fri 22:00-24:00 "
                      "(50.4 times their share of the week)");
    CHECK(lines[1] == "the busiest 8 hours, Fri 16:00-24:00, hold 60.0% (12.6 times their "
                      "share)");
    CHECK(lines[2] == "the busiest hour is Mon 09:00-10:00, with 40.0% (67.2 times the average "
                      "hour)");
    CHECK(top_hours(s, 2) == "Fri 22:00-24:00 (60%)");
}
