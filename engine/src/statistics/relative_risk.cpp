#include "hotspot/engine/statistics/relative_risk.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numbers>
#include <optional>

namespace hotspot::engine
{

namespace
{
double normal_upper_tail(double z)
{
    return 0.5 * std::erfc(z / std::numbers::sqrt2);
}

// A Gaussian surface of the offences per m², edge-corrected, scaled to integrate to 1 over the
// cells inside the window.
Raster<double> density_of(const Incidents& offences, const GridSpec& grid,
                          const Raster<std::uint8_t>& inside, const StudyWindow& window,
                          double sigma, EdgeCorrection edge, const EdgeFactor& e)
{
    const KdeOptions options{
        .kernel = Kernel::Gaussian, .bandwidth_m = sigma, .units = DensityUnits::PerM2};
    Raster<double> f =
        edge == EdgeCorrection::Diggle
            ? estimate_kde(diggle_weighted(offences, window, Kernel::Gaussian, sigma), grid,
                           options)
            : estimate_kde(offences, grid, options);
    if (edge == EdgeCorrection::Uniform)
        divide_by_edge_factor(e, grid, 0, grid.rows, f.values.data(), -1.0);
    double integral = 0.0;
    for (std::size_t k = 0; k < f.values.size(); ++k)
        if (inside.values[k])
            integral += f.values[k] * grid.cell_area_m2();
    if (!(integral > 0))
        throw Error(Errc::BadData, "the offences lie too far from the study area to give it a "
                                   "density");
    for (auto& v : f.values)
        v /= integral;
    return f;
}
} // namespace

RiskSurfaces relative_risk(const Incidents& cases, const Incidents& controls, const GridSpec& grid,
                           const StudyWindow& window, double sigma_m, EdgeCorrection edge,
                           double nodata, const RunContext& context)
{
    if (cases.size() == 0)
        throw Error(Errc::BadData, "relative risk: there are no cases");
    if (controls.size() == 0)
        throw Error(Errc::BadData, "relative risk: there are no controls to compare the cases "
                                   "with");
    Raster<std::uint8_t> inside(grid, 0);
    if (window.rectangular())
        for (std::int64_t r = 0; r < grid.rows; ++r)
            for (std::int64_t c = 0; c < grid.cols; ++c)
                inside.at(c, r) = window.contains({grid.center_x(c), grid.center_y(r)});
    else
        inside = rasterize_mask(window.shapes, grid);
    const EdgeFactor e(window, Kernel::Gaussian, sigma_m);
    const EdgeFactor e_half(window, Kernel::Gaussian, sigma_m / std::numbers::sqrt2);
    Incidents pooled = cases;
    for (std::size_t i = 0; i < controls.size(); ++i)
        pooled.add_from(controls, i);
    const Raster<double> f = density_of(cases, grid, inside, window, sigma_m, edge, e);
    context.report(0.3);
    const Raster<double> g = density_of(controls, grid, inside, window, sigma_m, edge, e);
    context.report(0.6);
    const Raster<double> p = density_of(pooled, grid, inside, window, sigma_m, edge, e);
    context.report(0.9);

    RiskSurfaces out;
    out.cases = cases.size();
    out.controls = controls.size();
    out.log_risk = Raster<double>(grid, nodata);
    out.z = Raster<double>(grid, nodata);
    out.p_value = Raster<double>(grid, nodata);
    const double sample =
        1.0 / static_cast<double>(cases.size()) + 1.0 / static_cast<double>(controls.size());
    tbb::parallel_for(std::int64_t{0}, grid.rows,
                      [&](std::int64_t r)
                      {
                          for (std::int64_t c = 0; c < grid.cols; ++c)
                          {
                              const std::size_t k = static_cast<std::size_t>(r * grid.cols + c);
                              if (!inside.values[k] || !(f.values[k] > 0) || !(g.values[k] > 0))
                                  continue;
                              const double x = grid.center_x(c), y = grid.center_y(r);
                              const double q = std::min(1.0, e.at(x, y));
                              const double q_half = std::min(1.0, e_half.at(x, y));
                              const double rrzk = q_half / (4.0 * std::numbers::pi * q * q);
                              const double log_risk = std::log(f.values[k] / g.values[k]);
                              const double sd =
                                  std::sqrt(rrzk * sample) / (sigma_m * std::sqrt(p.values[k]));
                              out.log_risk.values[k] = log_risk;
                              out.z.values[k] = log_risk / sd;
                              out.p_value.values[k] = normal_upper_tail(log_risk / sd);
                          }
                      });
    context.report(1.0);
    return out;
}

double binomial_two_sided_p(std::int64_t k, std::int64_t n, double p)
{
    if (n <= 0)
        return 1.0;
    if (p <= 0)
        return k == 0 ? 1.0 : 0.0;
    if (p >= 1)
        return k == n ? 1.0 : 0.0;
    const auto log_pmf = [&](std::int64_t j)
    {
        return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(j) + 1) -
               std::lgamma(static_cast<double>(n - j) + 1) + static_cast<double>(j) * std::log(p) +
               static_cast<double>(n - j) * std::log1p(-p);
    };
    const double observed = log_pmf(k);
    // binom.test's rule: outcomes whose probability is at most the observed one's times 1 + 1e-7.
    const double bound = observed + std::log1p(1e-7);
    double total = 0.0;
    for (std::int64_t j = 0; j <= n; ++j)
    {
        const double l = log_pmf(j);
        if (l <= bound)
            total += std::exp(l);
    }
    return std::min(1.0, total);
}

ChangeSurfaces change_between(const Incidents& this_period, double this_months,
                              const Incidents& last_period, double last_months,
                              const GridSpec& grid, const KdeOptions& options,
                              double count_radius_m, const Raster<std::uint8_t>& inside,
                              double nodata, const RunContext& context)
{
    if (!(this_months > 0) || !(last_months > 0))
        throw Error(Errc::Internal, "change: periods must have months");
    const Raster<double> a = estimate_kde(this_period, grid, options);
    const Raster<double> b = estimate_kde(last_period, grid, options);
    context.report(0.4);
    // Counts within the radius: a uniform kernel's surface per m² times the disc's area.
    const KdeOptions disc{
        .kernel = Kernel::Uniform, .bandwidth_m = count_radius_m, .units = DensityUnits::PerM2};
    const double disc_area = std::numbers::pi * count_radius_m * count_radius_m;
    Raster<double> na = estimate_kde(this_period, grid, disc);
    Raster<double> nb = estimate_kde(last_period, grid, disc);
    context.report(0.7);
    ChangeSurfaces out;
    out.difference = Raster<double>(grid, nodata);
    out.p_value = Raster<double>(grid, nodata);
    const double share = this_months / (this_months + last_months);
    // Many cells share their pair of counts: each test is computed once.
    std::map<std::pair<std::int64_t, std::int64_t>, double> tests;
    std::mutex guard;
    tbb::parallel_for(std::int64_t{0}, grid.rows,
                      [&](std::int64_t r)
                      {
                          for (std::int64_t c = 0; c < grid.cols; ++c)
                          {
                              const std::size_t k = static_cast<std::size_t>(r * grid.cols + c);
                              if (!inside.values[k])
                                  continue;
                              const auto ka = std::llround(na.values[k] * disc_area);
                              const auto kb = std::llround(nb.values[k] * disc_area);
                              out.difference.values[k] =
                                  a.values[k] / this_months - b.values[k] / last_months;
                              // The test outside the lock: two threads may both compute one pair,
                              // alike.
                              std::optional<double> known;
                              {
                                  std::lock_guard lock(guard);
                                  if (const auto it = tests.find({ka, kb}); it != tests.end())
                                      known = it->second;
                              }
                              const double p =
                                  known ? *known : binomial_two_sided_p(ka, ka + kb, share);
                              if (!known)
                              {
                                  std::lock_guard lock(guard);
                                  tests.emplace(std::pair{ka, kb}, p);
                              }
                              out.p_value.values[k] = p;
                          }
                      });
    context.report(1.0);
    return out;
}

double change_count_radius(const KdeOptions& options)
{
    return options.kernel == Kernel::Gaussian ? 2.0 * options.bandwidth_m : options.bandwidth_m;
}

std::vector<SignificantArea> significant_areas(const Raster<double>& p_value,
                                               const Raster<double>& effect, double alpha,
                                               int direction, double nodata)
{
    Raster<std::uint8_t> significant(p_value.grid, 0);
    for (std::size_t k = 0; k < significant.values.size(); ++k)
        significant.values[k] = p_value.values[k] != nodata && p_value.values[k] < alpha &&
                                effect.values[k] * direction > 0;
    const Regions regions = label_regions(significant);
    std::vector<SignificantArea> areas;
    for (std::int32_t l = 1; l <= regions.count; ++l)
    {
        SignificantArea a;
        a.outline = region_outline(regions, l);
        a.direction = direction;
        for (const auto k : regions.cells[static_cast<std::size_t>(l - 1)])
        {
            ++a.cells;
            a.min_p = std::min(a.min_p, p_value.values[static_cast<std::size_t>(k)]);
            const double e = effect.values[static_cast<std::size_t>(k)];
            if (std::abs(e) > std::abs(a.extreme))
                a.extreme = e;
        }
        areas.push_back(std::move(a));
    }
    return areas;
}

} // namespace hotspot::engine
