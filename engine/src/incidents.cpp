#include "hotspot/engine/incidents.hpp"

#include <numeric>

namespace hotspot::engine
{

double Incidents::total_weight() const
{
    return std::accumulate(weight.begin(), weight.end(), 0.0);
}

} // namespace hotspot::engine
