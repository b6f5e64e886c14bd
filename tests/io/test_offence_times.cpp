// Reading when offences happened: times of day in the date field or their own, windows with an
// end, and the --days/--hours filter.
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/spacetime/aoristic.hpp"
#include "hotspot/io/offences.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>

#include <unistd.h>

using namespace hotspot;
using namespace hotspot::io;

namespace
{
std::string write_csv(const std::string& name, const std::string& text)
{
    const auto path = std::filesystem::temp_directory_path() /
                      ("hotspot_times_" + std::to_string(::getpid()) + "_" + name + ".csv");
    std::ofstream(path) << text;
    return path.string();
}

OffenceTable read(const std::string& path, OffenceFilter filter = {}, OffenceSource source = {})
{
    source.paths = {path};
    source.crs = "EPSG:27700";
    ReadOptions options;
    options.keep_raw = true;
    return read_offences(source, filter, options);
}

std::int64_t count(const OffenceTable& t, RejectReason r)
{
    return t.rejected_by_reason[static_cast<std::size_t>(r)];
}

engine::MinuteIndex at(int y, int m, int d, int hh, int mm)
{
    return engine::make_minute(engine::make_day(y, m, d), hh * 60 + mm);
}
} // namespace

TEST_CASE("Times of day are read in the forms exports write them", "[times]")
{
    CHECK(parse_time_of_day("21:30") == 21 * 60 + 30);
    CHECK(parse_time_of_day("9:05") == 9 * 60 + 5);
    CHECK(parse_time_of_day("21:30:59") == 21 * 60 + 30); // seconds are dropped
    CHECK(parse_time_of_day("21:30:15.250") == 21 * 60 + 30);
    CHECK(parse_time_of_day("9:30 PM") == 21 * 60 + 30);
    CHECK(parse_time_of_day("9:30pm") == 21 * 60 + 30);
    CHECK(parse_time_of_day("12:05 a.m.") == 5);
    CHECK(parse_time_of_day("12:05 PM") == 12 * 60 + 5);
    CHECK(parse_time_of_day("T21:30:00Z") == 21 * 60 + 30);
    CHECK(parse_time_of_day("21:30:00+01:00") == 21 * 60 + 30); // no zone conversion
    CHECK(parse_time_of_day("0.5") == 12 * 60);
    CHECK(parse_time_of_day("0.6041667") == 14 * 60 + 30);
    CHECK(parse_time_of_day("24:00") == 1440);
    CHECK_FALSE(parse_time_of_day("25:00"));
    CHECK_FALSE(parse_time_of_day("13:00 PM"));
    CHECK_FALSE(parse_time_of_day("21:61"));
    CHECK_FALSE(parse_time_of_day("2130"));
    CHECK_FALSE(parse_time_of_day("evening"));
    CHECK_FALSE(parse_time_of_day("1.5"));

    const auto iso = parse_date("2019-09-14 21:30");
    REQUIRE(iso);
    CHECK(iso->minute_of_day == 21 * 60 + 30);
    const auto us = parse_date("09/14/2019 9:30:00 PM", DateOrder::MonthFirst);
    REQUIRE(us);
    CHECK(us->day == engine::make_day(2019, 9, 14));
    CHECK(us->minute_of_day == 21 * 60 + 30);
    CHECK(parse_date("2019-09-14")->minute_of_day == -1);
    CHECK(parse_date("2019-09-14 later")->time_unreadable);
    // Excel's serial days carry the time as a fraction.
    CHECK(parse_date("43722.75", DateOrder::Excel1900)->minute_of_day == 18 * 60);
}

TEST_CASE("Each window rule is applied and counted", "[times]")
{
    const std::string path =
        write_csv("rules", "x,y,date,time,end_date,end_time\n"
                           "1,1,2019-01-04,14:50,,\n"            // 2: no end, an instant
                           "1,1,2019-01-04,23:30,2019-01-05,00:30\n" // 3: across midnight
                           "1,1,2019-01-04,15:00,2019-01-04,14:00\n" // 4: reversed
                           "1,1,2019-01-04,,,\n"                  // 5: a date without a time
                           "1,1,2019-01-04,08:00,2019-01-20,08:00\n" // 6: over a week
                           "1,1,2019-01-04,08:00,2019-01-04,08:00\n" // 7: zero minutes
                           "1,1,2019-01-04,08:00,2019-01-06,\n"   // 8: an end date alone
                           "1,1,2019-01-04,08:00,,10:00\n"         // 9: an end time alone
                           "1,1,2019-01-04,25:00,,\n");           // 10: unreadable time
    const OffenceTable t = read(path);
    CHECK(t.has_times);
    CHECK(t.records_read == 9);
    CHECK(count(t, RejectReason::WindowReversed) == 1);
    REQUIRE(t.rejected.size() == 1);
    CHECK(t.rejected[0].detail == "ends 2019-01-04 14:00, before it starts 2019-01-04 15:00");
    const auto& inc = t.incidents;
    REQUIRE(inc.size() == 8);
    REQUIRE(inc.timed());
    std::map<std::int64_t, engine::TimeWindow> by_line;
    for (std::size_t i = 0; i < inc.size(); ++i)
        by_line[record_line(inc.source_row[i])] = inc.window_of(i);
    CHECK(by_line[2].start == at(2019, 1, 4, 14, 50));
    CHECK(by_line[2].span == 0);
    CHECK(by_line[3].start == at(2019, 1, 4, 23, 30));
    CHECK(by_line[3].span == 60);
    CHECK(by_line[5].start == at(2019, 1, 4, 0, 0)); // never midnight: the whole day
    CHECK(by_line[5].span == engine::untimed_day_span);
    CHECK(by_line[6].span == 16 * 1440);
    CHECK(by_line[7].span == 0);
    CHECK(by_line[8].span == 2 * 1440 + 16 * 60); // to the close of 6 January
    CHECK(by_line[9].span == 120);
    CHECK(by_line[10].span == engine::untimed_day_span);
    CHECK(t.unreadable_times == 1);
    CHECK(t.unreadable_time_example == "line 10: '25:00'");

    // Each offence's weights sum to 1 in the hour-of-week table.
    engine::HourOfWeek hours{};
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        const auto w = inc.window_of(i);
        engine::add_aoristic(hours, w.start,
                             w.span == engine::untimed_day_span ? 1440 : w.span);
    }
    CHECK(std::accumulate(hours.begin(), hours.end(), 0.0) == Approx(8.0));

    OffenceSource drop;
    drop.drop_untimed = true;
    const OffenceTable dropped = read(path, {}, drop);
    CHECK(count(dropped, RejectReason::NoTime) == 2); // line 5, and line 10 whose time is unread
    CHECK(dropped.incidents.size() == 6);
}

TEST_CASE("The hours filter weighs each offence by its share inside", "[times]")
{
    // 2019-01-04 is a Friday.
    const std::string path =
        write_csv("filter", "x,y,date,end_date\n"
                            "1,1,2019-01-04 21:00,\n"                 // inside
                            "1,1,2019-01-04 19:00,2019-01-04 21:00\n" // half inside
                            "1,1,2019-01-05 04:00,\n"                 // 04:00 is out
                            "1,1,2019-01-03 23:00,\n"                 // Thursday's night
                            "1,1,2019-01-06 03:59,\n");               // Saturday's night
    OffenceFilter filter;
    filter.hours = engine::parse_hour_filter("fri,sat", "20-04");
    const OffenceTable t = read(path, filter);
    CHECK(t.incidents.size() == 3);
    CHECK(count(t, RejectReason::OutsideHours) == 2);
    CHECK(t.hours_label == "Fri, Sat 20:00-04:00");
    CHECK(t.hours_kept == Approx(2.5));
    CHECK(t.incidents.total_weight() == Approx(2.5));
    // The same filter applied again does not halve the half again.
    ReadOptions options;
    CHECK(derive_table(t, filter, options).incidents.total_weight() == Approx(2.5));
}

TEST_CASE("Records without times cannot be filtered by hour", "[times]")
{
    OffenceFilter filter;
    filter.hours = engine::parse_hour_filter("fri,sat", "20-04");
    const std::string months = write_csv("months", "x,y,Month\n1,1,2019-09\n");
    CHECK_THROWS_WITH(read(months, filter), Catch::Contains("dated to the month only"));
    const std::string days = write_csv("days", "x,y,date\n1,1,2019-09-06\n");
    CHECK_THROWS_WITH(read(days, filter), Catch::Contains("--days alone works"));
    filter.hours = engine::parse_hour_filter("fri", "");
    const OffenceTable t = read(days, filter);
    CHECK(t.incidents.total_weight() == Approx(1.0)); // 2019-09-06 is a Friday
}

TEST_CASE("Manhattan burglary windows: totals equal the records used", "[times]")
{
    const std::string path = HOTSPOT_SOURCE_DIR "/data/nyc/manhattan_residential_burglary_2019.csv";
    const OffenceTable t = read(path, {}, [] {
        OffenceSource s;
        s.crs = "EPSG:2263";
        return s;
    }());
    CHECK(t.records_read == 1233);
    CHECK(t.has_times);
    const auto& inc = t.incidents;
    REQUIRE(inc.timed());
    const engine::Signatures s = engine::signatures(inc, {}, 0);
    CHECK(s.whole.offences == static_cast<std::int64_t>(inc.size()));
    CHECK(std::accumulate(s.whole.hours.begin(), s.whole.hours.end(), 0.0) ==
          Approx(static_cast<double>(inc.size())));
    CHECK(static_cast<std::int64_t>(inc.size()) + count(t, RejectReason::WindowReversed) == 1233);

    // Windows across midnight are split by the minute between the two days.
    std::int64_t across = 0;
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        const auto w = inc.window_of(i);
        const auto start_day = w.start / 1440, end_day = (w.start + w.span - 1) / 1440;
        if (w.span <= 0 || w.span >= engine::minutes_per_week || start_day == end_day)
            continue;
        ++across;
        engine::HourOfWeek h{};
        engine::add_aoristic(h, w.start, w.span);
        const int before_midnight = static_cast<int>((start_day + 1) * 1440 - w.start);
        double first_day = 0;
        for (int k = 0; k < 24; ++k)
            first_day += h[static_cast<std::size_t>(
                (engine::hour_of_week(static_cast<engine::MinuteIndex>(start_day * 1440)) + k) %
                168)];
        if (w.span < 1440 * 6)
            CHECK(first_day == Approx(std::min(1.0, double(before_midnight) / w.span)));
    }
    CHECK(across > 50);
}
