#include "hotspot/engine/density/adaptive.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/density/bandwidth.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace hotspot::engine
{

AdaptiveBandwidths abramson_bandwidths(const Incidents& incidents, Kernel kernel, double global_m,
                                       double pilot_m, double trim, EdgeCorrection edge,
                                       const StudyWindow* window)
{
    if (edge != EdgeCorrection::None && !window)
        throw Error(Errc::Internal, "adaptive kernel: edge correction needs a window");
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
    std::optional<EdgeFactor> pilot_edge;
    if (edge != EdgeCorrection::None)
        pilot_edge.emplace(*window, kernel, pilot_m);
    // Diggle: each offence weighs 1 / e(x_j) in the pilot; uniform: the pilot divided by e(x_i).
    std::vector<double> pilot_weights;
    if (edge == EdgeCorrection::Diggle)
    {
        pilot_weights.resize(n);
        for (std::size_t j = 0; j < n; ++j)
            pilot_weights[j] = incidents.weight_of(j) / pilot_edge->at(points[j].x, points[j].y);
    }
    const std::vector<double>* weights = !pilot_weights.empty() ? &pilot_weights
                                         : incidents.weighted() ? &incidents.weight
                                                                : nullptr;
    std::vector<double> pilot = kernel_sums_at_points(points, weights, kernel, pilot_m, true);
    double log_sum = 0.0;
    for (std::size_t i = 0; i < n; ++i)
    {
        if (edge == EdgeCorrection::Uniform)
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
    const auto [low, high] = std::minmax_element(out.bandwidth_m.begin(), out.bandwidth_m.end());
    out.smallest_m = *low;
    out.largest_m = *high;
    return out;
}

} // namespace hotspot::engine
