#include "hotspot/engine/spacetime/emerging.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hotspot::engine
{

std::string_view rule_of(GlobalWindow window)
{
    switch (window)
    {
    case GlobalWindow::Cube:
        return "each bin's neighbourhood is compared with every bin of the cube (ArcGIS Pro's "
               "default, Entire cube)";
    case GlobalWindow::Neighbourhood:
        return "each bin's neighbourhood is compared with every bin of the time steps it spans "
               "(ArcGIS Pro's Neighborhood time step)";
    case GlobalWindow::Step:
        return "each bin's neighbourhood is compared with every bin of its own time step "
               "(ArcGIS Pro's Individual time step)";
    }
    return "";
}

namespace
{
// Mean, standard deviation and number of the bins of steps first..last.
struct Reference
{
    double mean = 0, sd = 0, n = 0;
};
Reference reference_of(const SpaceTimeCube& cube, std::int32_t first, std::int32_t last)
{
    const std::size_t L = cube.locations.size();
    double sum = 0, sum2 = 0;
    for (std::int32_t s = first; s <= last; ++s)
        for (std::size_t l = 0; l < L; ++l)
        {
            const double v = cube.at(s, l);
            sum += v;
            sum2 += v * v;
        }
    Reference r;
    r.n = static_cast<double>(last - first + 1) * static_cast<double>(L);
    if (r.n < 1)
        return r;
    r.mean = sum / r.n;
    r.sd = std::sqrt(std::max(0.0, sum2 / r.n - r.mean * r.mean));
    return r;
}
} // namespace

SpaceTimeGiStar space_time_gi_star(const SpaceTimeCube& cube, double band_m, int time_window,
                                   GlobalWindow global, double alpha, const RunContext& context)
{
    if (!(band_m > 0) || !std::isfinite(band_m))
        throw Error(Errc::Usage, "the distance band must be a positive number of metres");
    if (time_window < 0)
        throw Error(Errc::Usage, "the time window must be 0 or more steps");
    if (!(alpha > 0 && alpha < 1))
        throw Error(Errc::Usage, "alpha must lie between 0 and 1");
    const std::size_t L = cube.locations.size();
    SpaceTimeGiStar out;
    out.z.assign(cube.values.size(), std::numeric_limits<double>::quiet_NaN());
    out.p.assign(cube.values.size(), std::numeric_limits<double>::quiet_NaN());
    out.significant.assign(cube.values.size(), 0);
    out.p_cutoff.assign(static_cast<std::size_t>(cube.steps), 0.0);

    Raster<std::uint8_t> study(cube.grid, 0);
    for (const auto k : cube.locations)
        study.values[static_cast<std::size_t>(k)] = 1;
    const Reference whole_cube =
        global == GlobalWindow::Cube ? reference_of(cube, 0, cube.steps - 1) : Reference{};
    // The window's counts summed per location: step t adds its slice, and drops the one that left.
    Raster<double> window(cube.grid, 0.0);
    for (std::int32_t t = 0; t < cube.steps; ++t)
    {
        const std::int32_t t0 = std::max(0, t - time_window);
        for (std::size_t l = 0; l < L; ++l)
        {
            double& w = window.values[static_cast<std::size_t>(cube.locations[l])];
            w += cube.at(t, l);
            if (t - time_window - 1 >= 0)
                w -= cube.at(t - time_window - 1, l);
        }
        const Reference ref = global == GlobalWindow::Cube            ? whole_cube
                              : global == GlobalWindow::Neighbourhood ? reference_of(cube, t0, t)
                                                                      : reference_of(cube, t, t);
        if (ref.n < 2 || !(ref.sd > 0))
            continue; // nothing stands out where every bin compared with is alike
        const double steps_in = static_cast<double>(t - t0 + 1);
        const BandSums sums = band_sums(window, study, band_m);
        std::vector<double> ps;
        ps.reserve(L);
        const std::size_t base = static_cast<std::size_t>(t) * L;
        for (std::size_t l = 0; l < L; ++l)
        {
            const auto k = static_cast<std::size_t>(cube.locations[l]);
            const double z = gi_star_z(sums.sum[k], static_cast<double>(sums.cells[k]) * steps_in,
                                       ref.mean, ref.sd, ref.n);
            if (std::isnan(z))
                continue;
            out.z[base + l] = z;
            out.p[base + l] = two_sided_p(z);
            ps.push_back(out.p[base + l]);
        }
        const double cutoff = fdr_cutoff(std::move(ps), alpha);
        out.p_cutoff[static_cast<std::size_t>(t)] = cutoff;
        if (cutoff > 0)
            for (std::size_t l = 0; l < L; ++l)
                out.significant[base + l] = out.p[base + l] <= cutoff;
        context.report(0.8 * (t + 1) / cube.steps);
    }
    return out;
}

std::string_view to_string(EmergingCategory c)
{
    switch (c)
    {
    case EmergingCategory::NoPattern:
        return "No Pattern Detected";
    case EmergingCategory::NewHot:
        return "New Hot Spot";
    case EmergingCategory::ConsecutiveHot:
        return "Consecutive Hot Spot";
    case EmergingCategory::IntensifyingHot:
        return "Intensifying Hot Spot";
    case EmergingCategory::PersistentHot:
        return "Persistent Hot Spot";
    case EmergingCategory::DiminishingHot:
        return "Diminishing Hot Spot";
    case EmergingCategory::SporadicHot:
        return "Sporadic Hot Spot";
    case EmergingCategory::OscillatingHot:
        return "Oscillating Hot Spot";
    case EmergingCategory::HistoricalHot:
        return "Historical Hot Spot";
    case EmergingCategory::NewCold:
        return "New Cold Spot";
    case EmergingCategory::ConsecutiveCold:
        return "Consecutive Cold Spot";
    case EmergingCategory::IntensifyingCold:
        return "Intensifying Cold Spot";
    case EmergingCategory::PersistentCold:
        return "Persistent Cold Spot";
    case EmergingCategory::DiminishingCold:
        return "Diminishing Cold Spot";
    case EmergingCategory::SporadicCold:
        return "Sporadic Cold Spot";
    case EmergingCategory::OscillatingCold:
        return "Oscillating Cold Spot";
    case EmergingCategory::HistoricalCold:
        return "Historical Cold Spot";
    }
    return "";
}

std::string_view rule_of(EmergingCategory c)
{
    switch (c)
    {
    case EmergingCategory::NoPattern:
        return "none of the other rules holds";
    case EmergingCategory::NewHot:
        return "significantly hot in the final step, and never before";
    case EmergingCategory::ConsecutiveHot:
        return "one unbroken run of 2 or more hot steps ends the series; never hot before it; "
               "under 90% of steps hot";
    case EmergingCategory::IntensifyingHot:
        return "hot in 90% of steps including the final one, and the Gi* z-scores rise "
               "significantly (Mann-Kendall)";
    case EmergingCategory::PersistentHot:
        return "hot in 90% of steps including the final one, with no significant trend";
    case EmergingCategory::DiminishingHot:
        return "hot in 90% of steps including the final one, and the z-scores fall "
               "significantly";
    case EmergingCategory::SporadicHot:
        return "hot in the final step, on and off before; under 90% of steps hot; never cold";
    case EmergingCategory::OscillatingHot:
        return "hot in the final step, and cold in some earlier step; under 90% of steps hot";
    case EmergingCategory::HistoricalHot:
        return "hot in 90% of steps, but not in the final one";
    case EmergingCategory::NewCold:
        return "significantly cold in the final step, and never before";
    case EmergingCategory::ConsecutiveCold:
        return "one unbroken run of 2 or more cold steps ends the series; never cold before it; "
               "under 90% of steps cold";
    case EmergingCategory::IntensifyingCold:
        return "cold in 90% of steps including the final one, and the z-scores fall "
               "significantly";
    case EmergingCategory::PersistentCold:
        return "cold in 90% of steps including the final one, with no significant trend";
    case EmergingCategory::DiminishingCold:
        return "cold in 90% of steps including the final one, and the z-scores rise "
               "significantly";
    case EmergingCategory::SporadicCold:
        return "cold in the final step, on and off before; under 90% of steps cold; never hot";
    case EmergingCategory::OscillatingCold:
        return "cold in the final step, and hot in some earlier step; under 90% of steps cold";
    case EmergingCategory::HistoricalCold:
        return "cold in 90% of steps, but not in the final one";
    }
    return "";
}

namespace
{
// The hot rules, applied to hot spots (sign +1) or cold spots (sign -1, with the categories and the
// trend's direction mirrored).
EmergingCategory classify_one_side(const std::vector<double>& z,
                                   const std::vector<std::uint8_t>& significant,
                                   const MannKendall& trend, double alpha, int sign)
{
    const std::size_t n = z.size();
    const auto hot = [&](std::size_t t) { return significant[t] && z[t] * sign > 0; };
    const auto cold = [&](std::size_t t) { return significant[t] && z[t] * sign < 0; };
    std::size_t hot_steps = 0;
    bool ever_cold = false;
    for (std::size_t t = 0; t < n; ++t)
    {
        hot_steps += hot(t);
        ever_cold = ever_cold || cold(t);
    }
    const auto pick = [&](EmergingCategory hot_category)
    {
        return sign > 0 ? hot_category
                        : static_cast<EmergingCategory>(static_cast<int>(hot_category) + 8);
    };
    const bool final_hot = n > 0 && hot(n - 1);
    if (n > 0 && static_cast<double>(hot_steps) >= 0.9 * static_cast<double>(n))
    {
        if (!final_hot)
            return pick(EmergingCategory::HistoricalHot);
        const bool trend_significant = trend.p < alpha;
        if (trend_significant && trend.z * sign > 0)
            return pick(EmergingCategory::IntensifyingHot);
        if (trend_significant && trend.z * sign < 0)
            return pick(EmergingCategory::DiminishingHot);
        return pick(EmergingCategory::PersistentHot);
    }
    if (!final_hot)
        return EmergingCategory::NoPattern;
    if (hot_steps == 1)
        return pick(EmergingCategory::NewHot);
    std::size_t run = 0;
    while (run < n && hot(n - 1 - run))
        ++run;
    if (run >= 2 && run == hot_steps)
        return pick(EmergingCategory::ConsecutiveHot);
    if (ever_cold)
        return pick(EmergingCategory::OscillatingHot);
    return pick(EmergingCategory::SporadicHot);
}
} // namespace

EmergingCategory classify_emerging(const std::vector<double>& z,
                                   const std::vector<std::uint8_t>& significant,
                                   const MannKendall& trend, double alpha)
{
    const EmergingCategory hot = classify_one_side(z, significant, trend, alpha, +1);
    return hot != EmergingCategory::NoPattern ? hot
                                              : classify_one_side(z, significant, trend, alpha, -1);
}

EmergingResult emerging_hotspots(const SpaceTimeCube& cube, double band_m, int time_window,
                                 GlobalWindow global, double alpha, const RunContext& context)
{
    EmergingResult out;
    out.gi = space_time_gi_star(cube, band_m, time_window, global, alpha, context);
    const std::size_t L = cube.locations.size();
    const auto T = static_cast<std::size_t>(cube.steps);
    out.locations.resize(L);
    tbb::parallel_for(std::size_t{0}, L,
                      [&](std::size_t l)
                      {
                          std::vector<double> z(T), counts(T);
                          std::vector<std::uint8_t> significant(T);
                          LocationTrend& r = out.locations[l];
                          for (std::size_t t = 0; t < T; ++t)
                          {
                              const std::size_t b = t * L + l;
                              // A step without variation has no z: it stands for "not unusual".
                              z[t] = std::isnan(out.gi.z[b]) ? 0.0 : out.gi.z[b];
                              significant[t] = out.gi.significant[b];
                              counts[t] = cube.values[b];
                              r.hot_steps += significant[t] && z[t] > 0;
                              r.cold_steps += significant[t] && z[t] < 0;
                          }
                          r.counts = mann_kendall(counts);
                          r.gi = mann_kendall(z);
                          r.category = classify_emerging(z, significant, r.gi, alpha);
                      });
    for (const auto& r : out.locations)
        ++out.per_category[static_cast<std::size_t>(r.category)];
    context.report(1.0);
    return out;
}

} // namespace hotspot::engine
