#include "hotspot/engine/core/incidents.hpp"

#include "hotspot/engine/core/error.hpp"

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

DayIndex Horizon::last_day(DayIndex first) const
{
    if (months == 0)
        return first + days - 1;
    using namespace std::chrono;
    const year_month_day start{sys_days{std::chrono::days{first}}};
    year_month_day end = start + std::chrono::months{months};
    if (!end.ok()) // 31 January + 1 month: the end of February
        end = end.year() / end.month() / last;
    return static_cast<DayIndex>(sys_days{end}.time_since_epoch().count()) - 1;
}

Horizon parse_horizon(const std::string& text)
{
    Horizon h;
    h.label = text;
    int n = 0;
    std::size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && n < 1000)
        n = n * 10 + (text[i++] - '0');
    const std::string unit = text.substr(i);
    if (i == 0 || n <= 0 || unit.size() != 1 || std::string("DWMdwm").find(unit) == std::string::npos)
        throw Error(Errc::Usage, "--horizon '" + text +
                                     "' is not a horizon; give 1W, 2W, 1M, 2M or 3M (weeks of 7 "
                                     "days, or whole calendar months, from --at inclusive)");
    const char u = static_cast<char>(unit[0] | 0x20);
    if (u == 'd')
        h.days = n;
    else if (u == 'w')
        h.days = 7 * n;
    else
        h.months = n;
    return h;
}

double Incidents::total_weight() const
{
    return weight.empty() ? static_cast<double>(size())
                          : std::accumulate(weight.begin(), weight.end(), 0.0);
}

} // namespace hotspot::engine
