#include "hotspot/engine/spacetime/aoristic.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/statistics/significance.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <numeric>

namespace hotspot::engine
{

namespace
{
constexpr std::array<std::string_view, 7> abbreviations{"Mon", "Tue", "Wed", "Thu",
                                                        "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> names{"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                "Friday", "Saturday", "Sunday"};

std::int64_t floor_div(std::int64_t a, std::int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// The weekday of a day name or abbreviation ("fri", "Friday"), or -1.
int weekday_of(std::string_view word)
{
    for (int d = 0; d < 7; ++d)
    {
        const auto full = names[static_cast<std::size_t>(d)];
        if (word.size() >= 3 && word.size() <= full.size() &&
            same_text(word, full.substr(0, word.size())))
            return d;
    }
    return -1;
}

int parse_hour(std::string_view text, std::string_view whole)
{
    text = trim(text);
    if (text.size() == 5 && text[2] == ':')
    {
        if (text.substr(3) != "00")
            throw Error(Errc::Usage, "--hours '" + std::string(whole) +
                                         "': whole hours only (20-04, 20:00-04:00)");
        text = text.substr(0, 2);
    }
    int hour = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), hour);
    if (ec != std::errc() || end != text.data() + text.size() || hour < 0 || hour > 24)
        throw Error(Errc::Usage, "--hours '" + std::string(whole) +
                                     "': each span is two hours of the clock, 0-24, such as "
                                     "20-04 or 07:00-09:00");
    return hour;
}

std::string two_digits(int v)
{
    char b[16];
    std::snprintf(b, sizeof b, "%02d", v);
    return b;
}
} // namespace

std::string format_minute(MinuteIndex minute)
{
    const auto day = static_cast<DayIndex>(floor_div(minute, minutes_per_day));
    const int in_day = static_cast<int>(minute - static_cast<std::int64_t>(day) * minutes_per_day);
    return format_day(day) + " " + two_digits(in_day / 60) + ":" + two_digits(in_day % 60);
}

int weekday(DayIndex day)
{
    // 1970-01-01 was a Thursday.
    const std::int64_t d = static_cast<std::int64_t>(day) + 3;
    return static_cast<int>(d - floor_div(d, 7) * 7);
}

int hour_of_week(MinuteIndex minute)
{
    const std::int64_t day = floor_div(minute, minutes_per_day);
    const std::int64_t in_day = minute - day * minutes_per_day;
    return weekday(static_cast<DayIndex>(day)) * 24 + static_cast<int>(in_day / 60);
}

std::string_view weekday_abbreviation(int d)
{
    return abbreviations[static_cast<std::size_t>(d)];
}

std::string_view weekday_name(int d)
{
    return names[static_cast<std::size_t>(d)];
}

int shown_hour(int k, WeekStart start)
{
    return start == WeekStart::Monday ? k : (k + 6 * 24) % hours_per_week;
}

namespace
{
// Calls f(hour of the week, minutes of the window in it) for each clock hour the window touches,
// from its start up to, not including, its end: at most 169 calls however long the window.
template <class F> void for_each_hour(MinuteIndex start, std::int32_t minutes, F&& f)
{
    const std::int64_t end = static_cast<std::int64_t>(start) + minutes;
    std::int64_t t = start;
    int h = hour_of_week(start);
    while (t < end)
    {
        const std::int64_t next = std::min(end, (floor_div(t, 60) + 1) * 60);
        f(h, next - t);
        t = next;
        h = (h + 1) % hours_per_week;
    }
}
} // namespace

void add_aoristic(HourOfWeek& hours, MinuteIndex start, std::int32_t minutes, double weight)
{
    if (minutes >= minutes_per_week)
    {
        for (auto& h : hours)
            h += weight / hours_per_week;
        return;
    }
    if (minutes <= 0)
    {
        hours[static_cast<std::size_t>(hour_of_week(start))] += weight;
        return;
    }
    const double per_minute = weight / minutes;
    for_each_hour(start, minutes, [&](int h, std::int64_t in_hour)
                  { hours[static_cast<std::size_t>(h)] += per_minute * static_cast<double>(in_hour); });
}

double HourFilter::share(MinuteIndex start, std::int32_t minutes) const
{
    if (!active())
        return 1.0;
    if (minutes >= minutes_per_week)
        return static_cast<double>(hours.count()) / hours_per_week;
    if (minutes <= 0)
        return hours.test(static_cast<std::size_t>(hour_of_week(start))) ? 1.0 : 0.0;
    std::int64_t inside = 0;
    for_each_hour(start, minutes, [&](int h, std::int64_t in_hour)
                  { inside += hours.test(static_cast<std::size_t>(h)) ? in_hour : 0; });
    return static_cast<double>(inside) / minutes;
}

HourFilter parse_hour_filter(std::string_view days_text, std::string_view hours_text)
{
    HourFilter f;
    std::array<bool, 7> days{};
    const std::string_view d_all = trim(days_text);
    if (d_all.empty() || same_text(d_all, "all"))
        days.fill(true);
    else
        for (const auto& item : split(d_all, ','))
        {
            const std::string_view word = trim(item);
            if (same_text(word, "weekend"))
                days[5] = days[6] = true;
            else if (same_text(word, "weekdays"))
                std::fill(days.begin(), days.begin() + 5, true);
            else if (const auto dash = word.find('-'); dash != std::string_view::npos)
            {
                const int a = weekday_of(trim(word.substr(0, dash)));
                const int b = weekday_of(trim(word.substr(dash + 1)));
                if (a < 0 || b < 0)
                    throw Error(Errc::Usage, "--days '" + std::string(days_text) +
                                                 "': '" + std::string(word) +
                                                 "' is not a range of days such as mon-fri");
                for (int d = a;; d = (d + 1) % 7)
                {
                    days[static_cast<std::size_t>(d)] = true;
                    if (d == b)
                        break;
                }
            }
            else if (const int d = weekday_of(word); d >= 0)
                days[static_cast<std::size_t>(d)] = true;
            else
                throw Error(Errc::Usage, "--days '" + std::string(days_text) + "': '" +
                                             std::string(word) +
                                             "' is not a day; use mon, tue, wed, thu, fri, sat, "
                                             "sun, ranges such as mon-fri, weekend or weekdays");
        }

    std::vector<std::pair<int, int>> spans;
    const std::string_view h_all = trim(hours_text);
    if (h_all.empty())
        spans.emplace_back(0, 24);
    else
        for (const auto& item : split(h_all, ','))
        {
            const auto dash = item.find('-');
            if (dash == std::string_view::npos)
                throw Error(Errc::Usage, "--hours '" + std::string(hours_text) +
                                             "': each span is FROM-TO, such as 20-04");
            const int a = parse_hour(item.substr(0, dash), hours_text);
            const int b = parse_hour(item.substr(dash + 1), hours_text);
            if (a == 24 || a == b)
                throw Error(Errc::Usage, "--hours '" + std::string(hours_text) +
                                             "': a span needs two different hours, the first "
                                             "0-23 (leave --hours out for the whole day)");
            spans.emplace_back(a, b);
        }

    for (int d = 0; d < 7; ++d)
    {
        if (!days[static_cast<std::size_t>(d)])
            continue;
        for (const auto& [a, b] : spans)
        {
            // A span past midnight belongs to the day it starts on.
            const int length = b > a ? b - a : b + 24 - a;
            for (int k = 0; k < length; ++k)
                f.hours.set(static_cast<std::size_t>((d * 24 + a + k) % hours_per_week));
        }
    }

    std::string day_label;
    if (std::all_of(days.begin(), days.end(), [](bool b) { return b; }))
        day_label = "every day";
    else
        for (int d = 0; d < 7; ++d)
            if (days[static_cast<std::size_t>(d)])
                day_label += (day_label.empty() ? "" : ", ") +
                             std::string(weekday_abbreviation(d));
    std::string hour_label;
    for (const auto& [a, b] : spans)
        hour_label += (hour_label.empty() ? "" : ", ") + two_digits(a) + ":00-" +
                      two_digits(b % 24) + ":00";
    f.by_clock = !h_all.empty();
    f.label = day_label + " " + (h_all.empty() ? std::string("all day") : hour_label);
    return f;
}

WindowKind window_kind(std::int32_t minutes, bool untimed_day)
{
    if (untimed_day)
        return WindowKind::Day;
    if (minutes <= 0)
        return WindowKind::Instant;
    return minutes >= minutes_per_week ? WindowKind::Week : WindowKind::Window;
}

TimeQuality time_quality(const Incidents& offences)
{
    TimeQuality q;
    std::vector<std::int32_t> windows;
    for (std::size_t i = 0; i < offences.size(); ++i)
    {
        const auto w = offences.window_of(i);
        if (w.start == no_minute)
        {
            ++q.untimed;
            continue;
        }
        q.records += 1;
        const bool day = w.span == untimed_day_span;
        switch (window_kind(w.span, day))
        {
        case WindowKind::Instant: ++q.instants; break;
        case WindowKind::Window: ++q.windows; break;
        case WindowKind::Week: ++q.weeks; break;
        case WindowKind::Day: ++q.days; break;
        }
        if (!day && w.span > 0)
            windows.push_back(w.span);
        if (day)
            continue;
        ++q.with_clock;
        const auto in_day = static_cast<int>(w.start - floor_div(w.start, minutes_per_day) *
                                                            minutes_per_day);
        q.at_midnight += in_day == 0;
        q.at_noon += in_day == 12 * 60;
        q.on_the_hour += in_day % 60 == 0;
    }
    if (!windows.empty())
    {
        auto mid = windows.begin() + static_cast<std::ptrdiff_t>(windows.size() / 2);
        std::nth_element(windows.begin(), mid, windows.end());
        double median = *mid;
        if (windows.size() % 2 == 0)
            median = (median + *std::max_element(windows.begin(), mid)) / 2;
        q.median_window_hours = median / 60.0;
    }
    return q;
}

namespace
{
// A fast, small generator (Steele et al. 2014) for the millions of draws of a permutation test,
// and Lemire's (2019) multiply-shift for a number below `bound` (its bias, bound / 2^64, is nil
// here).
__extension__ typedef unsigned __int128 uint128;
struct SplitMix64
{
    std::uint64_t state;
    std::uint64_t next()
    {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t bound)
    {
        return static_cast<std::size_t>(
            (static_cast<uint128>(next()) * bound) >> 64);
    }
};

// Adds offence i's window, weighed, to a signature.
void add_offence(Signature& s, const Incidents& offences, std::size_t i)
{
    const auto w = offences.window_of(i);
    const double weight = offences.weight_of(i);
    add_aoristic(s.hours, w.start, w.minutes(), weight);
    s.total += weight;
    ++s.offences;
}

void merge(Signature& into, const Signature& from)
{
    for (int h = 0; h < hours_per_week; ++h)
        into.hours[static_cast<std::size_t>(h)] += from.hours[static_cast<std::size_t>(h)];
    into.total += from.total;
    into.offences += from.offences;
}
} // namespace

Signatures signatures(const Incidents& offences, const std::vector<std::int32_t>& group,
                      std::size_t group_count)
{
    // Fixed blocks summed in order: the same sums for any thread count.
    constexpr std::size_t block = 16384;
    const std::size_t n = offences.size();
    const std::size_t blocks = (n + block - 1) / block;
    std::vector<Signatures> partial(blocks);
    tbb::parallel_for(std::size_t{0}, blocks,
                      [&](std::size_t b)
                      {
                          Signatures& p = partial[b];
                          p.groups.resize(group_count);
                          for (std::size_t i = b * block; i < std::min(n, (b + 1) * block); ++i)
                          {
                              if (!offences.timed() || offences.time_start[i] == no_minute)
                                  continue;
                              add_offence(p.whole, offences, i);
                              if (!group.empty() && group[i] >= 0 &&
                                  static_cast<std::size_t>(group[i]) < group_count)
                                  add_offence(p.groups[static_cast<std::size_t>(group[i])],
                                              offences, i);
                          }
                      });
    Signatures out;
    out.groups.resize(group_count);
    for (const auto& p : partial)
    {
        merge(out.whole, p.whole);
        for (std::size_t g = 0; g < group_count; ++g)
            merge(out.groups[g], p.groups[g]);
    }
    return out;
}

std::vector<HourSignificance> compare_with_rest(const Incidents& offences,
                                                const std::vector<std::int32_t>& group,
                                                std::size_t group_count, int permutations,
                                                std::uint64_t seed, double alpha)
{
    // Each timed offence's weights, sparse: most have one hour, a long window up to 168.
    std::vector<std::size_t> timed;
    std::vector<std::uint32_t> first{0};
    std::vector<std::uint8_t> hour;
    std::vector<float> share;
    std::vector<std::size_t> group_size(group_count, 0);
    for (std::size_t i = 0; i < offences.size(); ++i)
    {
        if (!offences.timed() || offences.time_start[i] == no_minute)
            continue;
        Signature one;
        add_offence(one, offences, i);
        for (int k = 0; k < hours_per_week; ++k)
            if (one.hours[static_cast<std::size_t>(k)] != 0)
            {
                hour.push_back(static_cast<std::uint8_t>(k));
                share.push_back(static_cast<float>(one.hours[static_cast<std::size_t>(k)]));
            }
        first.push_back(static_cast<std::uint32_t>(hour.size()));
        if (group[i] >= 0)
            ++group_size[static_cast<std::size_t>(group[i])];
        timed.push_back(i);
    }
    const std::size_t n = timed.size();
    // The records as the draws take them, 8 bytes each: shuffled whole, so that summing a draw
    // reads them in order, and most (one hour) without a second look-up.
    struct Draw
    {
        float share;         ///< of its one hour
        std::uint32_t where; ///< its one hour, or `several` | the record's number
    };
    constexpr std::uint32_t several = 0x8000'0000u;
    std::vector<Draw> records(n);
    for (std::size_t k = 0; k < n; ++k)
        records[k] = first[k + 1] - first[k] == 1
                         ? Draw{share[first[k]], hour[first[k]]}
                         : Draw{0.0f, several | static_cast<std::uint32_t>(k)};
    std::vector<HourSignificance> out(group_count);
    const auto hours_of = [&](const std::vector<std::size_t>& members)
    {
        HourOfWeek h{};
        for (const auto k : members)
            for (auto e = first[k]; e < first[k + 1]; ++e)
                h[hour[e]] += share[e];
        return h;
    };
    std::vector<std::size_t> everyone(n);
    std::iota(everyone.begin(), everyone.end(), std::size_t{0});
    const HourOfWeek all_hours = hours_of(everyone);
    tbb::parallel_for(std::size_t{0}, group_count,
                      [&](std::size_t g)
                      {
                          auto& result = out[g];
                          result.p.fill(1.0);
                          const std::size_t size = group_size[g];
                          if (size == 0 || size == n || permutations <= 0)
                              return;
                          std::vector<std::size_t> members;
                          for (std::size_t k = 0; k < n; ++k)
                              if (group[timed[k]] == static_cast<std::int32_t>(g))
                                  members.push_back(k);
                          const HourOfWeek observed = hours_of(members);
                          std::array<int, hours_per_week> at_or_above{};
                          // One stream per group: the same draws for any thread count.
                          SplitMix64 random{seed + 0x9E3779B97F4A7C15ull * (g + 1)};
                          std::vector<Draw> pool = records;
                          // A large group is drawn by drawing the rest: fewer records.
                          const bool by_rest = size > n / 2;
                          const std::size_t draw = by_rest ? n - size : size;
                          for (int r = 0; r < permutations; ++r)
                          {
                              // A partial Fisher-Yates shuffle draws `draw` records at random.
                              for (std::size_t k = 0; k < draw; ++k)
                                  std::swap(pool[k], pool[k + random.below(n - k)]);
                              HourOfWeek drawn{};
                              for (std::size_t k = 0; k < draw; ++k)
                              {
                                  const Draw& d = pool[k];
                                  if (!(d.where & several))
                                      drawn[d.where] += d.share;
                                  else
                                      for (auto e = first[d.where & ~several];
                                           e < first[(d.where & ~several) + 1]; ++e)
                                          drawn[hour[e]] += share[e];
                              }
                              if (by_rest)
                                  for (int h = 0; h < hours_per_week; ++h)
                                      drawn[static_cast<std::size_t>(h)] =
                                          all_hours[static_cast<std::size_t>(h)] -
                                          drawn[static_cast<std::size_t>(h)];
                              for (int h = 0; h < hours_per_week; ++h)
                                  at_or_above[static_cast<std::size_t>(h)] +=
                                      drawn[static_cast<std::size_t>(h)] >=
                                      observed[static_cast<std::size_t>(h)] - 1e-9;
                          }
                          std::vector<double> p(hours_per_week);
                          for (int h = 0; h < hours_per_week; ++h)
                              p[static_cast<std::size_t>(h)] = result.p[static_cast<std::size_t>(
                                  h)] = (1.0 + at_or_above[static_cast<std::size_t>(h)]) /
                                        (1.0 + permutations);
                          const double cut = fdr_cutoff(p, alpha);
                          for (int h = 0; h < hours_per_week; ++h)
                              if (cut > 0 && p[static_cast<std::size_t>(h)] <= cut)
                                  result.above.set(static_cast<std::size_t>(h));
                      });
    return out;
}

PeakSpan busiest_span(const Signature& s, int length)
{
    PeakSpan best{0, length, -1};
    if (s.total <= 0)
        return {0, length, 0};
    for (int first = 0; first < hours_per_week; ++first)
    {
        double sum = 0;
        for (int k = 0; k < length; ++k)
            sum += s.hours[static_cast<std::size_t>((first + k) % hours_per_week)];
        if (sum > best.share + 1e-12)
            best = {first, length, sum};
    }
    best.share /= s.total;
    return best;
}

PeakSpan shortest_span_holding(const Signature& s, double share)
{
    for (int length = 1; length <= hours_per_week; ++length)
        if (const PeakSpan span = busiest_span(s, length); span.share >= share - 1e-12)
            return span;
    return busiest_span(s, hours_per_week);
}

std::string describe_span(const PeakSpan& span)
{
    const int first = span.first_hour;
    const int end = (first + span.length) % hours_per_week; // the hour after the last
    const int d0 = first / 24, h0 = first % 24;
    const int d1 = end / 24, h1 = end % 24;
    const std::string start =
        std::string(weekday_abbreviation(d0)) + " " + two_digits(h0) + ":00";
    if (span.length >= hours_per_week)
        return "the whole week";
    if (d1 == d0 && h1 > h0)
        return start + "-" + two_digits(h1) + ":00";
    if (h1 == 0 && (d1 + 6) % 7 == d0)
        return start + "-24:00";
    return start + " to " + std::string(weekday_abbreviation(d1)) + " " + two_digits(h1) + ":00";
}

} // namespace hotspot::engine

namespace hotspot::engine
{

std::string top_hours(const Signature& s, int length)
{
    if (s.total <= 0)
        return "";
    const PeakSpan span = busiest_span(s, length);
    char share[16];
    std::snprintf(share, sizeof share, "%.0f%%", 100 * span.share);
    return describe_span(span) + " (" + share + ")";
}

std::vector<std::string> describe_signature(const Signature& s, std::string_view what)
{
    if (s.total <= 0)
        return {"no " + std::string(what) + " with a time"};
    const PeakSpan half = shortest_span_holding(s, 0.5);
    const PeakSpan shift = busiest_span(s, 8);
    const PeakSpan hour = busiest_span(s, 1);
    char line[320];
    std::snprintf(line, sizeof line,
                  "%.0f%% of %s fall in %d of the week's 168 hours, %s (%.1f times their share "
                  "of the week)",
                  100 * half.share, std::string(what).c_str(), half.length,
                  describe_span(half).c_str(), half.share / (half.length / 168.0));
    std::vector<std::string> out{line};
    std::snprintf(line, sizeof line, "the busiest 8 hours, %s, hold %.1f%% (%.1f times their share)",
                  describe_span(shift).c_str(), 100 * shift.share, shift.share * 21);
    out.emplace_back(line);
    std::snprintf(line, sizeof line,
                  "the busiest hour is %s, with %.1f%% (%.1f times the average hour)",
                  describe_span(hour).c_str(), 100 * hour.share, hour.share * 168);
    out.emplace_back(line);
    return out;
}

} // namespace hotspot::engine
