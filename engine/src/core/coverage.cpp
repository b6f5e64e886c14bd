#include "hotspot/engine/core/coverage.hpp"

#include <algorithm>
#include <cstdio>

namespace hotspot::engine
{

std::string format_month_label(MonthIndex month)
{
    if (month == no_month)
        return "no month";
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d", year_of(month), month_of(month));
    return buffer;
}

bool Coverage::covers(MonthIndex month) const
{
    return std::binary_search(months.begin(), months.end(), month);
}

std::vector<MonthIndex> Coverage::missing(MonthIndex first, MonthIndex last) const
{
    std::vector<MonthIndex> out;
    for (MonthIndex m = first; m <= last; ++m)
        if (!covers(m))
            out.push_back(m);
    return out;
}

std::string describe_months(const std::vector<MonthIndex>& months)
{
    if (months.empty())
        return "no months";
    std::string out;
    for (std::size_t i = 0; i < months.size();)
    {
        std::size_t j = i;
        while (j + 1 < months.size() && months[j + 1] == months[j] + 1)
            ++j;
        if (!out.empty())
            out += ", ";
        out += format_month_label(months[i]);
        if (j > i)
            out += (j == i + 1 ? ", " : " to ") + format_month_label(months[j]);
        i = j + 1;
    }
    return out;
}

std::string Coverage::describe() const
{
    return describe_months(months);
}

bool Coverage::last_month_partial() const
{
    if (months.empty() || last_day == no_day || month_of_day(last_day) != months.back())
        return false;
    const DayIndex month_end = first_day_of(months.back() + 1) - 1;
    return last_day < month_end - 3;
}

void add_month(std::vector<MonthIndex>& months, MonthIndex month)
{
    if (!months.empty() && months.back() == month)
        return;
    const auto it = std::lower_bound(months.begin(), months.end(), month);
    if (it == months.end() || *it != month)
        months.insert(it, month);
}

} // namespace hotspot::engine
