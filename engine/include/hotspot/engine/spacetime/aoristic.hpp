#pragma once
// When offences happen: aoristic analysis (Ratcliffe 2002, "Aoristic signatures and the
// spatio-temporal analysis of high volume crime patterns", J. Quant. Criminol. 18(1)). An offence
// known only to lie in a window of time spreads a weight of 1 over the minutes of its window, and
// the weights are summed into the 168 hours of the week. Allocation is by the minute, as in
// Ratcliffe's R package `aoristic` (aoristic.df): the minutes from the start up to, not including,
// the end, each weighing 1/(window minutes).
//
// Times are local clock times as recorded: there is no time zone and no daylight saving, so a
// night whose clocks go back is counted as its clock says.

#include "hotspot/engine/core/incidents.hpp"

#include <array>
#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot::engine
{

constexpr int minutes_per_day = 1440;
constexpr int minutes_per_week = 7 * minutes_per_day;
constexpr int hours_per_week = 168;

/// The minute a clock time names: `minute_of_day` (0-1439) of `day`.
constexpr MinuteIndex make_minute(DayIndex day, int minute_of_day)
{
    return day * minutes_per_day + minute_of_day;
}

/// "YYYY-MM-DD HH:MM".
std::string format_minute(MinuteIndex minute);

/// The first day of the week in tables and charts (the hours are always counted from Monday
/// inside; this only orders what is shown).
enum class WeekStart : std::uint8_t
{
    Monday,
    Sunday,
};

/// The hour of the week of a minute, 0 for Monday 00:00-00:59 to 167 for Sunday 23:00-23:59.
int hour_of_week(MinuteIndex minute);
/// The day of the week, 0 for Monday to 6 for Sunday.
int weekday(DayIndex day);
/// "Mon" ... "Sun" and "Monday" ... "Sunday" for weekday 0-6.
std::string_view weekday_abbreviation(int weekday);
std::string_view weekday_name(int weekday);
/// The 168 hours of the week as shown: starting on Monday or on Sunday. shown_hour(k) is the
/// hour of the week (from Monday) shown k-th.
int shown_hour(int k, WeekStart start);

/// Weights per hour of the week, indexed from Monday 00:00.
using HourOfWeek = std::array<double, hours_per_week>;

/// Spreads `weight` over the window of `minutes` from `start` (0: the start's minute alone): each
/// minute from the start up to, not including, the end weighs weight/minutes; a window of a week or
/// more weighs weight/168 in every hour. The cost does not grow with the window: at most 169 steps.
void add_aoristic(HourOfWeek& hours, MinuteIndex start, std::int32_t minutes, double weight = 1.0);

/// The hours a time filter keeps, as `--days fri,sat --hours 20-04` says them: each day's span
/// starts on that day and may run past midnight into the next (Friday 20:00 to Saturday 04:00).
/// Spans are half-open: 20:00 is in, 04:00 is out.
struct HourFilter
{
    std::bitset<hours_per_week> hours; ///< by hour of the week from Monday 00:00
    std::string label;                 ///< "Fri, Sat 20:00-04:00", for titles and summaries
    bool by_clock = false;             ///< hours of the day were asked for, not only days

    bool active() const { return hours.any() && !hours.all(); }
    /// The share of an offence's window that falls in the kept hours (0 to 1).
    double share(MinuteIndex start, std::int32_t minutes) const;
};

/// The filter of `days` ("fri,sat", "mon-fri", "weekend", "weekdays", "all"; empty: every day) and
/// `hours` ("20-04", "07:00-09:00,16-18"; empty: the whole day). Whole hours only. Throws
/// Error(Usage) saying what is wrong.
HourFilter parse_hour_filter(std::string_view days, std::string_view hours);

/// An offence's window as the aoristic rules read it.
enum class WindowKind : std::uint8_t
{
    Instant,     ///< a start and no end, or an end equal to the start: the start's minute
    Window,      ///< start to end, under a week
    Week,        ///< a week or more: every hour of the week alike
    Day,         ///< a date without a time: the 24 hours of that day
};
WindowKind window_kind(std::int32_t minutes, bool untimed_day);

/// What the times of a set of offences say of their quality: recorders often type a default time,
/// so times pile up at midnight, at noon and on the hour.
struct TimeQuality
{
    double records = 0;          ///< offences with a time (the weight sum of the rest is 0)
    std::int64_t instants = 0;   ///< a start only (or an end equal to it)
    std::int64_t windows = 0;    ///< a window under a week
    std::int64_t weeks = 0;      ///< a window of a week or more (spread over the whole week)
    std::int64_t days = 0;       ///< a date without a time (spread over its day)
    std::int64_t untimed = 0;    ///< no day at all (dated to the month): not in the tables
    std::int64_t at_midnight = 0; ///< starts at 00:00 exactly (of those with a time of day)
    std::int64_t at_noon = 0;     ///< starts at 12:00 exactly
    std::int64_t on_the_hour = 0; ///< starts at hh:00 (midnight and noon included)
    std::int64_t with_clock = 0;  ///< starts with a time of day (instants and windows)
    double median_window_hours = 0; ///< of the windows (Window and Week)
};
TimeQuality time_quality(const Incidents& offences);

/// The signature of a group of offences: its 168 weights and their sum.
struct Signature
{
    HourOfWeek hours{};
    double total = 0;
    std::int64_t offences = 0; ///< offences with a time in the group
};

/// Signatures by group: offence i goes to group `group[i]` (negative: to none); every offence with
/// a time goes to `whole` too. Each offence weighs its weight (harm, or the share --days/--hours
/// kept). Runs in parallel; the result does not depend on the thread count.
struct Signatures
{
    Signature whole;
    std::vector<Signature> groups;
};
Signatures signatures(const Incidents& offences, const std::vector<std::int32_t>& group,
                      std::size_t group_count);

/// A group's hours compared with the rest of the offences': the group's records are drawn again
/// at random from all (`permutations` times, `seed`), and an hour is significantly above when the
/// group's share in it is exceeded by few draws: p = (1 + draws at or above) / (1 + permutations),
/// with the Benjamini-Hochberg correction over the 168 hours at false discovery rate `alpha`.
/// Permutation, not chi-square: the weights are fractional, and one offence's hours are dependent.
/// With P permutations no p is below 1/(P+1), and the correction over 168 hours asks p <= k/168
/// alpha of the k-th smallest: with 999, a group needs about four hours at the floor to flag any.
struct HourSignificance
{
    std::array<double, hours_per_week> p{};
    std::bitset<hours_per_week> above; ///< significantly above the rest, after the correction
};
std::vector<HourSignificance> compare_with_rest(const Incidents& offences,
                                                const std::vector<std::int32_t>& group,
                                                std::size_t group_count, int permutations,
                                                std::uint64_t seed, double alpha);

/// The busiest span of `length` consecutive hours (wrapping round the week): its first hour and
/// its share of the signature.
struct PeakSpan
{
    int first_hour = 0; ///< hour of the week from Monday 00:00
    int length = 0;
    double share = 0;
};
PeakSpan busiest_span(const Signature& s, int length);
/// The shortest span holding at least `share` of the weight (the busiest among equals).
PeakSpan shortest_span_holding(const Signature& s, double share);
/// "Fri 20:00 to Sat 04:00" ("Fri 22:00-24:00" within a day).
std::string describe_span(const PeakSpan& span);
/// The busiest `length` hours and their share, for patrol lists: "Fri 22:00 to Sat 02:00 (41%)";
/// "" for an empty signature.
std::string top_hours(const Signature& s, int length = 4);
/// The signature in plain words: the shortest span holding half the weight and how much more it
/// holds than its share of the week, and the busiest hour. `what` names the offences ("this
/// hotspot's assaults").
std::vector<std::string> describe_signature(const Signature& s, std::string_view what);

} // namespace hotspot::engine
