#pragma once
// Adaptive kernels: a bandwidth per offence, narrow where offences are dense.

#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/density/kde.hpp"
#include "hotspot/engine/density/study_window.hpp"

#include <vector>

namespace hotspot::engine
{

struct AdaptiveBandwidths
{
    std::vector<double> bandwidth_m; ///< one per offence, in their order
    double global_m = 0.0;           ///< h0
    double pilot_m = 0.0;            ///< bandwidth of the pilot density
    double gamma = 0.0;              ///< geometric mean of pilot^-1/2 over the offences
    double trim = 5.0;
    std::size_t trimmed = 0;                  ///< offences whose bandwidth the trim capped
    double smallest_m = 0.0, largest_m = 0.0; ///< of bandwidth_m
};

/// Abramson's square-root law as sparr's bivariate.density(adapt = TRUE):
///   h_i = h0 * min(f(x_i)^-1/2 / gamma, trim),
/// f the pilot density (the same kernel at `pilot_m`, weights included, edge-corrected in
/// `window` as the surface will be, as sparr's pilot is) and gamma the geometric mean of
/// f(x_i)^-1/2, so that the bandwidths' geometric mean is h0 before trimming. sparr reads its
/// pilot off a pixel image; here it is evaluated at each offence exactly.
AdaptiveBandwidths abramson_bandwidths(const Incidents& incidents, Kernel kernel, double global_m,
                                       double pilot_m, double trim,
                                       EdgeCorrection edge = EdgeCorrection::None,
                                       const StudyWindow* window = nullptr);

} // namespace hotspot::engine
