#include "hotspot/engine/hotspots/stacks.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <numeric>

namespace hotspot::engine
{

namespace
{
// Offence indices ordered by coordinate (then input order), so that stacks are runs.
std::vector<std::size_t> by_coordinate(const Incidents& inc)
{
    std::vector<std::size_t> order(inc.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b)
                     { return inc.x[a] != inc.x[b] ? inc.x[a] < inc.x[b] : inc.y[a] < inc.y[b]; });
    return order;
}

template <class F>
void for_each_run(const Incidents& inc, const std::vector<std::size_t>& order, F&& f)
{
    for (std::size_t begin = 0; begin < order.size();)
    {
        std::size_t end = begin + 1;
        while (end < order.size() && inc.x[order[end]] == inc.x[order[begin]] &&
               inc.y[order[end]] == inc.y[order[begin]])
            ++end;
        f(begin, end);
        begin = end;
    }
}
} // namespace

SharedPoints shared_points(const Incidents& inc)
{
    SharedPoints p;
    p.offences = static_cast<std::int64_t>(inc.size());
    for_each_run(inc, by_coordinate(inc),
                 [&](std::size_t begin, std::size_t end)
                 {
                     const auto n = static_cast<std::int64_t>(end - begin);
                     ++p.points;
                     p.on_shared += n > 1 ? n : 0;
                     p.largest = std::max(p.largest, n);
                 });
    return p;
}

std::vector<Stack> stacked_points(const Incidents& inc, std::size_t min_records)
{
    const auto order = by_coordinate(inc);
    std::vector<Stack> stacks;
    for_each_run(inc, order,
                 [&](std::size_t begin, std::size_t end)
                 {
                     if (end - begin < std::max<std::size_t>(min_records, 1))
                         return;
                     Stack s;
                     s.x = inc.x[order[begin]];
                     s.y = inc.y[order[begin]];
                     s.count = end - begin;
                     std::map<std::int32_t, std::size_t> types;
                     for (std::size_t k = begin; k < end; ++k)
                     {
                         const std::size_t i = order[k];
                         ++types[inc.crime_type[i]];
                         if (inc.month[i] != no_month)
                         {
                             if (s.first_month == no_month || inc.month[i] < s.first_month)
                                 s.first_month = inc.month[i];
                             if (s.last_month == no_month || inc.month[i] > s.last_month)
                                 s.last_month = inc.month[i];
                         }
                     }
                     s.types.assign(types.begin(), types.end());
                     std::stable_sort(s.types.begin(), s.types.end(),
                                      [](const auto& a, const auto& b)
                                      { return a.second > b.second; });
                     stacks.push_back(std::move(s));
                 });
    std::stable_sort(stacks.begin(), stacks.end(),
                     [](const Stack& a, const Stack& b) { return a.count > b.count; });
    return stacks;
}

SpreadStacks spread_stacks(const Incidents& inc, double radius_m)
{
    SpreadStacks spread{inc, 0};
    Incidents& out = spread.incidents;
    const auto order = by_coordinate(inc);
    const double golden_angle = std::numbers::pi * (3.0 - std::sqrt(5.0));
    for_each_run(inc, order,
                 [&](std::size_t begin, std::size_t end)
                 {
                     const std::size_t n = end - begin;
                     if (n < 2)
                         return;
                     for (std::size_t k = 0; k < n; ++k)
                     {
                         const std::size_t i = order[begin + k];
                         const double r = radius_m * std::sqrt((static_cast<double>(k) + 0.5) /
                                                               static_cast<double>(n));
                         const double a = golden_angle * static_cast<double>(k);
                         out.x[i] = inc.x[i] + r * std::cos(a);
                         out.y[i] = inc.y[i] + r * std::sin(a);
                         spread.moved += out.x[i] != inc.x[i] || out.y[i] != inc.y[i];
                     }
                 });
    return spread;
}

} // namespace hotspot::engine
