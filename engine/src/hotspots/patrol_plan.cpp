#include "hotspot/engine/hotspots/patrol_plan.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

namespace hotspot::engine
{

namespace
{
int shift_hour(std::string_view text, std::string_view whole)
{
    text = trim(text);
    if (text.size() == 5 && text[2] == ':' && text.substr(3) == "00")
        text = text.substr(0, 2);
    int hour = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), hour);
    if (ec != std::errc() || end != text.data() + text.size() || hour < 0 || hour > 24)
        throw Error(Errc::Usage, "--shift '" + std::string(whole) +
                                     "': give a name and whole hours, such as \"late 15-23\"");
    return hour % 24;
}

void require_minimum(int total, int hotspots, int min)
{
    if (total < min * hotspots)
        throw Error(Errc::Usage, std::to_string(total) + " visits cannot give " +
                                     std::to_string(hotspots) + " hotspots their minimum of " +
                                     std::to_string(min) +
                                     " each: raise the capacity or lower --min-visits");
}

// The (day, shift) hours of the week a shift covers on `day`.
std::vector<int> shift_hours(const Shift& s, int day)
{
    std::vector<int> hours;
    for (int k = 0; k < s.hours(); ++k)
        hours.push_back((day * 24 + s.start_hour + k) % hours_per_week);
    return hours;
}
} // namespace

Shift parse_shift(std::string_view text)
{
    const std::string_view t = trim(text);
    const auto space = t.find_last_of(' ');
    if (space == std::string_view::npos)
        throw Error(Errc::Usage, "--shift '" + std::string(text) +
                                     "': give a name and its hours, such as \"late 15-23\"");
    const std::string_view span = t.substr(space + 1);
    const auto dash = span.find('-');
    if (dash == std::string_view::npos)
        throw Error(Errc::Usage, "--shift '" + std::string(text) +
                                     "': its hours are FROM-TO, such as 15-23");
    Shift s{std::string(trim(t.substr(0, space))), shift_hour(span.substr(0, dash), text),
            shift_hour(span.substr(dash + 1), text)};
    if (s.start_hour == s.end_hour)
        throw Error(Errc::Usage, "--shift '" + std::string(text) + "' lasts no hours");
    return s;
}

void check_shifts(const std::vector<Shift>& shifts)
{
    std::set<std::string> names;
    std::array<std::string, 24> owner{};
    for (const auto& s : shifts)
    {
        if (!names.insert(fold(s.name)).second)
            throw Error(Errc::Usage, "two shifts are called '" + s.name + "'");
        for (int k = 0; k < s.hours(); ++k)
        {
            auto& o = owner[static_cast<std::size_t>((s.start_hour + k) % 24)];
            if (!o.empty())
                throw Error(Errc::Usage, "shifts '" + o + "' and '" + s.name +
                                             "' both cover " + std::to_string((s.start_hour + k) % 24) +
                                             ":00: an hour belongs to one shift");
            o = s.name;
        }
    }
}

int visits_in_shift(double officer_hours, double visit_minutes, double travel_minutes)
{
    return static_cast<int>(std::floor(officer_hours * 60 / (visit_minutes + travel_minutes)));
}

MeasuredWeeks measured_weeks(const Incidents& inc)
{
    MinuteIndex first = INT32_MAX, last = INT32_MIN;
    for (std::size_t i = 0; i < inc.size(); ++i)
        if (const auto w = inc.window_of(i); w.start != no_minute)
        {
            first = std::min(first, w.start);
            last = std::max(last, w.start);
        }
    if (first > last)
        return {};
    return {std::max(1.0, std::ceil((static_cast<double>(last) - first + 1) / minutes_per_week)),
            last};
}

std::size_t keep_last_weeks(Incidents& inc, double weeks, MinuteIndex last)
{
    const auto from = static_cast<MinuteIndex>(
        std::max<double>(INT32_MIN + 1.0, last - weeks * minutes_per_week));
    inc.keep_if([&](std::size_t i)
                { return inc.window_of(i).start != no_minute && inc.window_of(i).start > from; });
    return inc.size();
}

std::vector<int> largest_remainder(const std::vector<double>& weights, int total, int min, int max)
{
    const int n = static_cast<int>(weights.size());
    require_minimum(total, n, min);
    std::vector<int> out(weights.size(), min);
    int left = total - min * n;
    // Shares of what is left, capped: a hotspot at its cap drops out and the rest share again.
    std::vector<bool> open(weights.size(), max < 0 || max > min);
    while (left > 0)
    {
        double sum = 0;
        for (int k = 0; k < n; ++k)
            if (open[static_cast<std::size_t>(k)])
                sum += std::max(0.0, weights[static_cast<std::size_t>(k)]);
        if (sum <= 0)
            break; // no harm expected anywhere still open: the visits stay unplanned
        std::vector<double> quota(weights.size(), 0.0);
        bool capped = false;
        for (int k = 0; k < n; ++k)
        {
            const auto i = static_cast<std::size_t>(k);
            if (!open[i])
                continue;
            quota[i] = left * std::max(0.0, weights[i]) / sum;
            if (max >= 0 && out[i] + quota[i] >= max)
            {
                left -= max - out[i];
                out[i] = max;
                open[i] = false;
                capped = true;
            }
        }
        if (capped)
            continue;
        std::vector<int> order;
        int given = 0;
        for (int k = 0; k < n; ++k)
        {
            const auto i = static_cast<std::size_t>(k);
            if (!open[i])
                continue;
            const int whole = static_cast<int>(std::floor(quota[i]));
            out[i] += whole;
            given += whole;
            order.push_back(k);
        }
        std::stable_sort(order.begin(), order.end(),
                         [&](int a, int b)
                         {
                             const auto ia = static_cast<std::size_t>(a), ib = static_cast<std::size_t>(b);
                             return quota[ia] - std::floor(quota[ia]) > quota[ib] - std::floor(quota[ib]);
                         });
        left -= given;
        for (std::size_t k = 0; k < order.size() && left > 0; ++k, --left)
            ++out[static_cast<std::size_t>(order[k])];
    }
    return out;
}

PatrolPlan plan_patrols(const std::vector<Signature>& hotspots, const Signature& area,
                        const std::vector<Shift>& shifts, const PatrolOptions& o)
{
    check_shifts(shifts);
    if (o.visits_per_shift < 0 || o.min_visits < 0 || o.dose < 1 || !(o.weeks > 0))
        throw Error(Errc::Usage, "visits, doses and weeks must be positive");
    if (o.max_visits >= 0 && o.max_visits < o.min_visits)
        throw Error(Errc::Usage, "--max-visits is below --min-visits");
    const std::size_t n = hotspots.size();
    // Each hotspot's hours shrunk towards the area's shape: its total kept.
    std::vector<HourOfWeek> shrunk(n);
    for (std::size_t h = 0; h < n; ++h)
    {
        const Signature& s = hotspots[h];
        const double m = s.total > 0 && area.total > 0 ? o.shrinkage : 0;
        for (int t = 0; t < hours_per_week; ++t)
        {
            const auto i = static_cast<std::size_t>(t);
            const double area_share = area.total > 0 ? area.hours[i] / area.total : 0;
            shrunk[h][i] = s.total > 0 ? s.total * (s.hours[i] + m * area_share) / (s.total + m) : 0;
        }
    }

    PatrolPlan plan;
    plan.area_harm_per_week = area.total / o.weeks;
    double planned = 0;
    const std::size_t cells = 7 * shifts.size();
    plan.given.assign(cells, 0);
    plan.unused.assign(cells, 0);
    for (int day = 0; day < 7; ++day)
        for (std::size_t s = 0; s < shifts.size(); ++s)
        {
            const auto hours = shift_hours(shifts[s], day);
            double area_in_shift = 0;
            for (const int t : hours)
                area_in_shift += area.hours[static_cast<std::size_t>(t)];
            area_in_shift /= o.weeks;
            std::vector<double> expected(n, 0.0);
            for (std::size_t h = 0; h < n; ++h)
            {
                for (const int t : hours)
                    expected[h] += shrunk[h][static_cast<std::size_t>(t)];
                expected[h] /= o.weeks;
            }
            std::vector<int> visits;
            if (o.strategy == PatrolStrategy::Proportional)
                visits = largest_remainder(expected, o.visits_per_shift, o.min_visits, o.max_visits);
            else
            {
                // Everyone's minimum first, then full doses down the ranking of expected harm.
                require_minimum(o.visits_per_shift, static_cast<int>(n), o.min_visits);
                visits.assign(n, o.min_visits);
                int left = o.visits_per_shift - o.min_visits * static_cast<int>(n);
                std::vector<std::size_t> order(n);
                std::iota(order.begin(), order.end(), std::size_t{0});
                std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b)
                                 { return expected[a] > expected[b]; });
                for (const auto h : order)
                {
                    if (left <= 0 || expected[h] <= 0)
                        break;
                    int dose = std::max(0, o.dose - visits[h]);
                    if (o.max_visits >= 0)
                        dose = std::min(dose, o.max_visits - visits[h]);
                    dose = std::min(dose, left);
                    visits[h] += dose;
                    left -= dose;
                }
            }
            const int given = std::accumulate(visits.begin(), visits.end(), 0);
            const std::size_t cell = static_cast<std::size_t>(day) * shifts.size() + s;
            plan.given[cell] = given;
            plan.unused[cell] = o.visits_per_shift - given;
            for (std::size_t h = 0; h < n; ++h)
            {
                PatrolVisit v;
                v.day = day;
                v.shift = s;
                v.hotspot = h;
                v.visits = visits[h];
                v.expected_harm = expected[h];
                v.share_of_shift = area_in_shift > 0 ? expected[h] / area_in_shift : 0;
                if (v.visits > 0)
                    planned += expected[h];
                // Times at random over the hotspot's busy hours in the shift: one stream per
                // hotspot, day and shift, so a plan repeats for a seed whatever else changes.
                std::mt19937_64 random(o.seed ^ (0x9E3779B97F4A7C15ull * (h + 1)) ^
                                       (0xC2B2AE3D27D4EB4Full * (cell + 1)));
                std::vector<double> busy;
                for (const int t : hours)
                    busy.push_back(shrunk[h][static_cast<std::size_t>(t)] + 1e-12);
                std::discrete_distribution<std::size_t> pick_hour(busy.begin(), busy.end());
                std::uniform_int_distribution<int> pick_minute(0, std::max(0, 59 - o.visit_minutes / 4));
                for (int k = 0; k < v.visits; ++k)
                    v.times.push_back(hours[pick_hour(random)] * 60 + pick_minute(random));
                std::sort(v.times.begin(), v.times.end(), [&](MinuteIndex a, MinuteIndex b)
                          {
                              // In shift order: hours after midnight come after the evening's.
                              const auto since = [&](MinuteIndex m)
                              { return (m - hours.front() * 60 + minutes_per_week) % minutes_per_week; };
                              return since(a) < since(b);
                          });
                plan.rows.push_back(std::move(v));
            }
        }
    plan.share_in_planned = plan.area_harm_per_week > 0 ? planned / plan.area_harm_per_week : 0;
    return plan;
}

} // namespace hotspot::engine
