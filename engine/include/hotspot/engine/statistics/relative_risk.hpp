#pragma once
// Risk and change surfaces: where one set of offences is denser than another, and where this
// period differs from the last, each with a per-cell test.

#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/core/run_context.hpp"
#include "hotspot/engine/density/kde.hpp"
#include "hotspot/engine/density/study_window.hpp"

namespace hotspot::engine
{

/// The log relative risk of cases against controls and its asymptotic tolerance test, as sparr's
/// risk(log = TRUE) with tolerance(method = "ASY", ref.density = the pooled density) for a fixed
/// Gaussian bandwidth: f and g are the case and control densities with the same sigma, each
/// edge-corrected as asked and scaled to integrate to 1 over the window's cells;
///   z = (log f - log g) sigma sqrt(p) / sqrt(R (1/n1 + 1/n2)),  R = e(sigma/sqrt 2) / (4 pi
///   e(sigma)^2),
/// p the pooled density and e the edge factor (1 far from the edge), and the p-value is the upper
/// tail: small where the cases' risk is raised. Cells outside the window, or where either density
/// is 0, hold `nodata`.
struct RiskSurfaces
{
    Raster<double> log_risk;
    Raster<double> z;
    Raster<double> p_value;
    std::size_t cases = 0, controls = 0;
};

RiskSurfaces relative_risk(const Incidents& cases, const Incidents& controls, const GridSpec& grid,
                           const StudyWindow& window, double sigma_m, EdgeCorrection edge,
                           double nodata, const RunContext& context = {});

/// This period against the last: the difference of their densities per month, and an exact test
/// per cell. The test counts the offences of each period within `count_radius_m` of the cell
/// centre: with equal rates, given n offences in both, this period's count is
/// Binomial(n, m1 / (m1 + m2)) for periods of m1 and m2 months; the p-value is two-sided, as R's
/// binom.test. Cells outside the window hold `nodata`.
struct ChangeSurfaces
{
    Raster<double> difference; ///< this per month minus last per month, in the options' units
    Raster<double> p_value;
};

ChangeSurfaces change_between(const Incidents& this_period, double this_months,
                              const Incidents& last_period, double last_months,
                              const GridSpec& grid, const KdeOptions& options,
                              double count_radius_m, const Raster<std::uint8_t>& inside,
                              double nodata, const RunContext& context = {});

/// How far from a cell's centre change_between counts offences: twice the sigma of a Gaussian
/// kernel, else the search radius.
double change_count_radius(const KdeOptions& options);

/// Cells where `effect` goes the `direction` way (+1: above 0, -1: below) with a p-value under
/// `alpha`, joined into areas by 8-connectivity (label_regions), numbered as it numbers them; for
/// each, its outline, its cells, their smallest p-value and their effect farthest from 0.
struct SignificantArea
{
    MultiPolygon outline;
    int direction = 1;
    std::int64_t cells = 0;
    double min_p = 1.0;
    double extreme = 0.0;
};
std::vector<SignificantArea> significant_areas(const Raster<double>& p_value,
                                               const Raster<double>& effect, double alpha,
                                               int direction, double nodata);

/// Two-sided exact binomial p-value of k successes in n trials with probability p, as R's
/// binom.test: the total probability of outcomes no more likely than k (relative tolerance 1e-7).
double binomial_two_sided_p(std::int64_t k, std::int64_t n, double p);

} // namespace hotspot::engine
