#include "hotspot/engine/core/incidents.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>

namespace hotspot::engine
{

MonthRange month_range(const std::vector<MonthIndex>& months)
{
    MonthRange range;
    for (const auto m : months)
        if (m != no_month)
        {
            range.first = range.first == no_month ? m : std::min(range.first, m);
            range.last = std::max(range.last, m);
        }
    return range;
}

DayIndex make_day(int year, int month, int day)
{
    using namespace std::chrono;
    const sys_days d{std::chrono::year(year) / std::chrono::month(static_cast<unsigned>(month)) /
                     std::chrono::day(static_cast<unsigned>(day))};
    return static_cast<DayIndex>(d.time_since_epoch().count());
}

DayIndex first_day_of(MonthIndex month)
{
    return make_day(year_of(month), month_of(month), 1);
}

MonthIndex month_of_day(DayIndex day)
{
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{day}}};
    return make_month(static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())));
}

std::string format_day(DayIndex day)
{
    if (day == no_day)
        return "no date";
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{day}}};
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()));
    return buffer;
}

double Incidents::total_weight() const
{
    return weight.empty() ? static_cast<double>(size())
                          : std::accumulate(weight.begin(), weight.end(), 0.0);
}

} // namespace hotspot::engine
