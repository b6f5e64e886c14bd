#include "hotspot/engine/adaptive.hpp"

#include "hotspot/engine/bandwidth.hpp"
#include "hotspot/engine/error.hpp"

#include <cmath>

namespace hotspot::engine
{

AdaptiveBandwidths abramson_bandwidths(const Incidents& incidents, Kernel kernel, double global_m,
                                       double pilot_m, double trim, const EdgeFactor* pilot_edge)
{
    if (!(global_m > 0) || !(pilot_m > 0))
        throw Error(Errc::Usage,
                    "adaptive kernel: the global and pilot bandwidths must be positive");
    if (!(trim >= 1))
        throw Error(Errc::Usage, "adaptive kernel: the trim must be at least 1");
    const std::size_t n = incidents.size();
    AdaptiveBandwidths out;
    out.global_m = global_m;
    out.pilot_m = pilot_m;
    out.trim = trim;
    if (n == 0)
        return out;
    std::vector<Point2> points(n);
    for (std::size_t i = 0; i < n; ++i)
        points[i] = {incidents.x[i], incidents.y[i]};
    const std::vector<double>* weights = incidents.weighted() ? &incidents.weight : nullptr;
    std::vector<double> pilot = kernel_sums_at_points(points, weights, kernel, pilot_m, true);
    double log_sum = 0.0;
    for (std::size_t i = 0; i < n; ++i)
    {
        if (pilot_edge)
            pilot[i] /= pilot_edge->at(points[i].x, points[i].y);
        // Every offence carries its own kernel in the pilot, so f(x_i) > 0 unless its weight is 0.
        if (!(pilot[i] > 0))
            pilot[i] = std::numeric_limits<double>::min();
        pilot[i] = 1.0 / std::sqrt(pilot[i]);
        log_sum += std::log(pilot[i]);
    }
    out.gamma = std::exp(log_sum / static_cast<double>(n));
    out.bandwidth_m.resize(n);
    for (std::size_t i = 0; i < n; ++i)
    {
        const double factor = pilot[i] / out.gamma;
        if (factor > trim)
            ++out.trimmed;
        out.bandwidth_m[i] = global_m * std::min(factor, trim);
    }
    return out;
}

} // namespace hotspot::engine
