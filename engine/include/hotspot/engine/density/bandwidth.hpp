#pragma once

#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/core/run_context.hpp"
#include "hotspot/engine/density/kde.hpp"
#include "hotspot/engine/density/study_window.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

/// Ways to choose a bandwidth from the data. ArcGis is the rule above (a support radius); the
/// others choose the Gaussian sigma as spatstat does.
enum class BandwidthSelector
{
    ArcGis,
    Scott, ///< spatstat bw.scott(isotropic = TRUE): geometric mean of the coordinates' SDs * n^-1/6
    Ppl,   ///< spatstat bw.ppl: likelihood cross-validation
    Diggle, ///< spatstat bw.diggle: Berman-Diggle mean-square-error cross-validation
    Cvl,    ///< spatstat bw.CvL: Cronie and van Lieshout
};

inline constexpr std::array<Named<BandwidthSelector>, 5> selector_names{
    {{BandwidthSelector::ArcGis, "arcgis"},
     {BandwidthSelector::Scott, "scott"},
     {BandwidthSelector::Ppl, "ppl"},
     {BandwidthSelector::Diggle, "diggle"},
     {BandwidthSelector::Cvl, "cvl"}}};

constexpr std::string_view to_string(BandwidthSelector selector)
{
    return name_in(selector_names, selector);
}
/// The fewest offences a selector works from.
std::size_t min_points(BandwidthSelector selector);

/// The bandwidth of `kernel` whose kernel has standard deviation `sigma` along each axis
/// (spatstat's convention): sigma for Gaussian, the support radius R otherwise, with
/// R = sqrt(8) sigma (quartic), sqrt(6) (Epanechnikov), sqrt(10) (triweight), sqrt(20/3)
/// (triangular) and 2 (uniform).
double bandwidth_for_sigma(Kernel kernel, double sigma_m);
/// The inverse: the per-axis standard deviation of the kernel with this bandwidth.
double sigma_for_bandwidth(Kernel kernel, double bandwidth_m);

/// A chosen Gaussian sigma and the criterion behind it.
struct SelectedSigma
{
    double sigma_m = 0.0;
    std::string criterion;              ///< "likelihood cross-validation", ...
    std::string method;                 ///< how the criterion was computed, for the record
    std::vector<double> sigmas, scores; ///< the criterion on the search grid (empty for Scott)
    bool at_range_end = false;          ///< the best value lay at an end of the search range
};

/// Chooses sigma by `selector` (not ArcGis) for the offences, all taken to lie in `window`.
/// Cross-validated selectors look at spatstat's 16 sigmas, from the smallest distance between
/// offences to half the window's diameter on a log scale (the first look may use coarsely binned
/// sums), then refine the best with accurate sums to 0.1% by golden-section search: spatstat
/// instead returns the best of the 16, so compare with its `sigma =` argument on a fine grid.
/// Throws Error(BadData) with fewer than min_points offences or all on one point.
SelectedSigma select_sigma(BandwidthSelector selector, const Incidents& incidents,
                           const StudyWindow& window, const RunContext& context = {});

/// Sum over j != i (or over all j with `include_self`) of w_j K(x_i - x_j), for every point i:
/// the kernel density at the points, per m² (weights 1 when `weights` is null). For the compact
/// kernels exact, or, with the self term and over 50 pairs a point within reach, read by bilinear
/// interpolation off the surface on a grid of a sixteenth of the radius (1% off at worst). For the
/// Gaussian, exact within 8 sigma, or from linear binning onto a grid of sigma/8 (at most 2048
/// nodes a side) with the point's own share taken out exactly, as fast selectors do, whichever
/// costs less (binned sums are within 0.15% of the exact ones on average, 2.2% at the worst,
/// isolated, point).
enum class SumMethod
{
    Cheaper, ///< the cheaper of the two, binning only where a node falls every eighth of sigma
    Exact,
    Binned,
};
std::vector<double> kernel_sums_at_points(const std::vector<Point2>& points,
                                          const std::vector<double>* weights, Kernel kernel,
                                          double bandwidth_m, bool include_self,
                                          SumMethod method = SumMethod::Cheaper);

} // namespace hotspot::engine
