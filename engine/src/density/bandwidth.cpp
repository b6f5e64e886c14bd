#include "hotspot/engine/density/bandwidth.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hotspot::engine
{

BandwidthRule default_bandwidth(const Incidents& incidents)
{
    BandwidthRule rule;
    const std::size_t n = incidents.size();
    const double total = incidents.total_weight();
    if (n == 0 || !(total > 0))
        return rule;

    double mean_x = 0.0;
    double mean_y = 0.0;
    for (std::size_t i = 0; i < n; ++i)
    {
        mean_x += incidents.weight_of(i) * incidents.x[i];
        mean_y += incidents.weight_of(i) * incidents.y[i];
    }
    mean_x /= total;
    mean_y /= total;

    std::vector<double> distance(n);
    double sum_squares = 0.0;
    for (std::size_t i = 0; i < n; ++i)
    {
        const double dx = incidents.x[i] - mean_x;
        const double dy = incidents.y[i] - mean_y;
        sum_squares += incidents.weight_of(i) * (dx * dx + dy * dy);
        distance[i] = std::hypot(dx, dy);
    }
    rule.standard_distance_m = std::sqrt(sum_squares / total);

    // Weighted median: the distance at which the cumulative weight reaches half the total. Where it
    // reaches exactly half, the median lies midway to the next distance, which with unit weights
    // and an even count is the usual median.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return distance[a] < distance[b]; });
    double cumulative = 0.0;
    for (std::size_t k = 0; k < n; ++k)
    {
        cumulative += incidents.weight_of(order[k]);
        if (cumulative >= 0.5 * total)
        {
            rule.median_distance_m = distance[order[k]];
            if (cumulative == 0.5 * total && k + 1 < n)
                rule.median_distance_m = 0.5 * (distance[order[k]] + distance[order[k + 1]]);
            break;
        }
    }

    rule.n = total;
    const double spread =
        std::min(rule.standard_distance_m, std::sqrt(1.0 / std::log(2.0)) * rule.median_distance_m);
    rule.bandwidth_m = 0.9 * spread * std::pow(total, -0.2);
    return rule;
}

} // namespace hotspot::engine
