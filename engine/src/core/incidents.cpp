#include "hotspot/engine/core/incidents.hpp"

#include <algorithm>
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

double Incidents::total_weight() const
{
    return weight.empty() ? static_cast<double>(size())
                          : std::accumulate(weight.begin(), weight.end(), 0.0);
}

} // namespace hotspot::engine
