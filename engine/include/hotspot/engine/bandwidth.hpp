#pragma once

#include "hotspot/engine/incidents.hpp"

namespace hotspot::engine
{

/// The default search radius of ArcGIS Kernel Density (Silverman's rule adapted to two dimensions):
/// 0.9 * min(SD, sqrt(1/ln 2) * Dm) * n^-0.2.
struct BandwidthRule
{
    double bandwidth_m = 0.0;
    double standard_distance_m =
        0.0; ///< SD: weighted standard distance from the weighted mean centre
    double median_distance_m = 0.0; ///< Dm: weighted median distance to the weighted mean centre
    double n = 0.0;                 ///< sum of weights
};

/// Applies the rule to the incidents. bandwidth_m is 0 when every incident lies on one point.
BandwidthRule default_bandwidth(const Incidents& incidents);

} // namespace hotspot::engine
