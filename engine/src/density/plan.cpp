#include "hotspot/engine/density/plan.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace hotspot::engine
{

namespace
{
void say(const std::function<void(const std::string&)>& to, const std::string& line)
{
    if (to)
        to(line);
}

// A bandwidth and how it was found.
struct ResolvedBandwidth
{
    double bandwidth_m = 0.0;
    std::string note = "given";
    std::optional<double> sigma_m; ///< a selector's Gaussian sigma
};

// A bandwidth for `kernel` from a choice: the metres given, the ArcGIS rule, or a selector's
// Gaussian sigma turned into the kernel's bandwidth of the same standard deviation.
ResolvedBandwidth resolve_bandwidth(const BandwidthChoice& choice, Kernel kernel,
                                    const Incidents& offences, const StudyWindow& window,
                                    const std::string& where, const StageLog& log)
{
    if (choice.metres)
        return {*choice.metres};
    if (choice.selector == BandwidthSelector::ArcGis)
    {
        const BandwidthRule rule = default_bandwidth(offences);
        if (!(rule.bandwidth_m > 0))
            throw Error(
                Errc::Usage,
                "cannot derive a bandwidth: every offence lies on one point; give --bandwidth");
        return {rule.bandwidth_m, "ArcGIS rule: SD " + fixed(rule.standard_distance_m, 1) +
                                      " m, Dm " + fixed(rule.median_distance_m, 1) + " m, n " +
                                      fixed(rule.n, 0) + where};
    }
    const std::string selector(to_string(choice.selector));
    const SelectedSigma chosen =
        select_sigma(choice.selector, offences, window,
                     RunContext{log.begin ? log.begin("bandwidth " + selector) : ProgressFn{}});
    if (log.done)
        log.done();
    if (chosen.at_range_end)
        say(log.warn, "bandwidth " + selector + ": the " + chosen.criterion +
                          " is best at an end of the range searched (sigma " +
                          fixed(chosen.sigma_m, 1) +
                          " m); the offences may not support a choice, consider another selector");
    return {bandwidth_for_sigma(kernel, chosen.sigma_m),
            selector + " (" + chosen.criterion + "): Gaussian sigma " + fixed(chosen.sigma_m, 1) +
                " m, n " + std::to_string(offences.size()) + where +
                (kernel == Kernel::Gaussian ? std::string()
                                            : "; " + std::string(to_string(kernel)) +
                                                  " radius of the same standard deviation"),
            chosen.sigma_m};
}
} // namespace

const Incidents& PlannedDensity::summed(const Incidents& given) const
{
    switch (sum)
    {
    case Sum::InWindow:
        return in_window;
    case Sum::DiggleWeighted:
        return diggle_weighted;
    case Sum::Given:
        break;
    }
    return given;
}

PlannedDensity plan_density(const DensityRequest& request, const Incidents& inc,
                            const StageLog& log)
{
    PlannedDensity planned;
    DensityPlan& p = planned.plan;
    p.options = {.kernel = request.kernel, .bandwidth_m = 0.0, .units = request.units};
    const EdgeCorrection edge = request.edge;

    // The study window: the area, else the extent, else the offences' bounding rectangle (as
    // spatstat's default window). Selectors and edge correction look at the offences inside it.
    if (!request.area.empty())
        p.window = StudyWindow::polygons(request.area);
    else if (request.extent)
        p.window = StudyWindow::rectangle(*request.extent);
    else
    {
        Box2 box;
        for (std::size_t i = 0; i < inc.size(); ++i)
            box.expand(inc.x[i], inc.y[i]);
        p.window = StudyWindow::rectangle(box);
    }
    const bool from_data = (!request.fixed_bandwidth_m && !request.bandwidth.metres) ||
                           (request.adaptive && request.pilot && !request.pilot->metres);
    // The offences in the window, copied only where a bandwidth comes from them or the edge
    // correction keeps them alone: a national run with an extent and a given bandwidth copies
    // none.
    p.windowed = !request.area.empty() || request.extent;
    if (p.windowed && (from_data || edge != EdgeCorrection::None))
    {
        planned.in_window = inc.subset(
            [&](std::size_t i) {
                return p.window.contains({inc.x[i], inc.y[i]});
            });
        if (planned.in_window.size() == 0)
            throw Error(
                Errc::BadData,
                "no offence lies in " +
                    (request.area_name.empty() ? "--extent" : "--area " + request.area_name) +
                    (from_data ? ", so no bandwidth can be derived from them; give "
                                 "--bandwidth"
                               : ", so there is nothing to correct for its edge"));
    }
    const Incidents& study = p.windowed ? planned.in_window : inc;
    const std::string where =
        request.area_name.empty() ? "" : " (offences in " + request.area_name + ")";

    if (request.fixed_bandwidth_m)
        p.options.bandwidth_m = *request.fixed_bandwidth_m;
    else
    {
        if (!request.bandwidth.metres)
            p.bandwidth_selector = to_string(request.bandwidth.selector);
        const ResolvedBandwidth resolved =
            resolve_bandwidth(request.bandwidth, p.options.kernel, study, p.window, where, log);
        p.options.bandwidth_m = resolved.bandwidth_m;
        p.bandwidth_note = resolved.note;
        p.selected_sigma_m = resolved.sigma_m;
    }
    if (const auto& floor = request.floor; floor && p.options.bandwidth_m < floor->min_bandwidth_m)
    {
        say(log.warn, floor->set_by + " " + floor->preset + ": the " + p.bandwidth_selector +
                          " bandwidth, " + fixed(p.options.bandwidth_m, 1) +
                          " m, is raised to the least the preset allows, " +
                          fixed(floor->min_bandwidth_m, 0) + " m");
        p.bandwidth_note +=
            "; raised to " + fixed(floor->min_bandwidth_m, 0) + " m by " + floor->set_by;
        p.options.bandwidth_m = floor->min_bandwidth_m;
    }

    // With edge correction the surface counts the offences inside the window alone: the
    // correction stands in for those beyond its edge.
    if (edge != EdgeCorrection::None)
    {
        p.outside_window = inc.size() - planned.in_window.size();
        if (p.outside_window > 0)
            say(log.info, "edge       " + std::to_string(p.outside_window) +
                              " offences outside the study area are left out of the corrected "
                              "surface");
        planned.sum = PlannedDensity::Sum::InWindow;
    }
    if (request.adaptive)
    {
        const Incidents& used = planned.summed(inc);
        if (used.size() == 0)
            throw Error(Errc::BadData, "no offences to adapt a bandwidth to");
        const double pilot_m = !request.pilot ? p.options.bandwidth_m
                                              : resolve_bandwidth(*request.pilot, p.options.kernel,
                                                                  study, p.window, where, log)
                                                    .bandwidth_m;
        AdaptiveBandwidths adaptive = abramson_bandwidths(
            used, p.options.kernel, p.options.bandwidth_m, pilot_m, request.trim, edge, &p.window);
        p.options.point_bandwidth_m = std::move(adaptive.bandwidth_m);
        adaptive.bandwidth_m.clear();
        p.adaptive = adaptive;
        say(log.info, "adaptive   Abramson, pilot " + fixed(pilot_m, 1) + " m, bandwidths " +
                          fixed(adaptive.smallest_m, 1) + " to " + fixed(adaptive.largest_m, 1) +
                          " m, " + std::to_string(adaptive.trimmed) + " trimmed at " +
                          fixed(request.trim, 1) + "x");
    }
    if (edge == EdgeCorrection::Diggle)
    {
        // Each offence weighs 1 / e(x_i), e with its own bandwidth: offences near the edge
        // count for the kernel mass they lose beyond it.
        planned.diggle_weighted =
            diggle_weighted(planned.in_window, p.window, p.options.kernel, p.options.bandwidth_m,
                            p.options.point_bandwidth_m);
        planned.sum = PlannedDensity::Sum::DiggleWeighted;
    }
    if (p.adaptive)
        p.options.bandwidth_m = p.adaptive->largest_m;
    const double radius = kernel_support_radius(p.options.kernel, p.options.bandwidth_m);

    // Who the surface counts: the offences inside the study area, and those whose kernel reaches
    // into it from beyond (a borough's surface is not the whole force's offences).
    const Incidents& used = planned.summed(inc);
    if (!p.windowed)
    {
        // The window is the offences' own bounding rectangle: every offence is inside it.
        const auto n = static_cast<std::int64_t>(used.size());
        const double w = used.total_weight();
        p.population = {n, n, w, w};
    }
    else
    {
        std::vector<double> reach{radius};
        if (!p.options.point_bandwidth_m.empty())
        {
            reach.resize(p.options.point_bandwidth_m.size());
            for (std::size_t i = 0; i < reach.size(); ++i)
                reach[i] = kernel_support_radius(p.options.kernel, p.options.point_bandwidth_m[i]);
        }
        p.population = window_population(used, p.window, reach);
    }
    return planned;
}

void check_reach(double radius_m, double cell_m)
{
    constexpr double max_radius_in_cells = 2'000.0;
    if (radius_m / cell_m > max_radius_in_cells)
        throw Error(
            Errc::Usage,
            "a search radius of " + fixed(radius_m, 1) + " m over cells of " + fixed(cell_m, 3) +
                " m is absurd: each offence would reach over 12 million cells; use a larger "
                "--cell or a smaller --bandwidth");
}

std::optional<std::size_t> stretching_offences(const Incidents& inc, const Box2& box)
{
    if (inc.size() < 100)
        return std::nullopt;
    // A strided sample of at most a million stands for the whole (and copies little).
    const std::size_t stride = std::max<std::size_t>(1, inc.size() / 1'000'000);
    std::vector<double> xs, ys;
    for (std::size_t i = 0; i < inc.size(); i += stride)
    {
        xs.push_back(inc.x[i]);
        ys.push_back(inc.y[i]);
    }
    const auto at = [](std::vector<double>& v, double q)
    {
        const auto k =
            v.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
        std::nth_element(v.begin(), k, v.end());
        return *k;
    };
    const Box2 core{at(xs, 0.01), at(ys, 0.01), at(xs, 0.99), at(ys, 0.99)};
    const double core_area = std::max(core.width(), 1.0) * std::max(core.height(), 1.0);
    if (box.width() * box.height() <= 4.0 * core_area)
        return std::nullopt;
    std::size_t far = 0;
    const Box2 generous = core.grown(0.5 * std::max(core.width(), core.height()));
    for (std::size_t i = 0; i < inc.size(); ++i)
        if (inc.x[i] < generous.xmin || inc.x[i] > generous.xmax || inc.y[i] < generous.ymin ||
            inc.y[i] > generous.ymax)
            ++far;
    return far;
}

GridPlan plan_grid(const DensityPlan& plan, const Incidents& inc, std::optional<Box2> extent,
                   bool snap, std::optional<double> cell_m, const MemoryBudget& budget)
{
    return plan_grid(kernel_support_radius(plan.options.kernel, plan.options.bandwidth_m), inc,
                     extent, snap, cell_m, budget);
}

GridPlan plan_grid(double radius, const Incidents& inc, std::optional<Box2> extent, bool snap,
                   std::optional<double> cell_m, const MemoryBudget& budget)
{
    GridPlan g;
    g.default_extent = !extent;
    if (g.default_extent)
    {
        Box2 box;
        for (std::size_t i = 0; i < inc.size(); ++i)
            box.expand(inc.x[i], inc.y[i]);
        extent = box.grown(radius);
    }
    const double cell = cell_m ? *cell_m : default_cell_size(*extent);
    if (!(cell > 0))
        throw Error(Errc::Usage, "cannot derive a cell size from an empty extent; give --cell");
    check_reach(radius, cell);
    g.cell_m = cell;
    g.box = (g.default_extent || snap) ? snap_outward(*extent, cell) : *extent;
    // Whether it fits, before allocating it: the grid's cells beside the offences.
    g.cols = std::ceil(g.box.width() / cell);
    g.rows = std::ceil(g.box.height() / cell);
    g.whole_bytes = g.cols * g.rows * budget.bytes_per_cell;
    g.offence_bytes = static_cast<double>(inc.size()) * budget.bytes_per_offence;
    g.strip_bytes = static_cast<double>(budget.strip_rows) * g.cols * budget.bytes_per_strip_cell +
                    budget.strip_fixed_bytes;
    const double limit = budget.limit_bytes;
    g.fits_whole = !(g.whole_bytes + g.offence_bytes > limit);
    const bool strip_fits = g.strip_bytes + g.offence_bytes <= limit;
    g.streamed = budget.can_stream &&
                 (budget.always_stream ||
                  ((!g.fits_whole || g.whole_bytes > budget.stream_above_bytes) && strip_fits));
    g.fits = (g.fits_whole || g.streamed) && !(g.cols > 2e9 || g.rows > 2e9);
    if (g.fits)
        g.grid = grid_for_extent(g.box, cell);
    return g;
}

double nominal_bandwidth(const DensityPlan& plan)
{
    return plan.adaptive ? plan.adaptive->global_m : plan.options.bandwidth_m;
}

SparseCells sparse_cells(const Incidents& offences, const Raster<double>& surface, double nodata,
                         const KdeOptions& options, int min_count)
{
    // Offences within each cell's reach: a uniform kernel of each offence's support radius,
    // weighted by its disc's area, adds exactly 1 where it reaches.
    const auto& h = options.point_bandwidth_m;
    Incidents ones;
    ones.reserve(offences.size());
    KdeOptions disc{.kernel = Kernel::Uniform,
                    .bandwidth_m = kernel_support_radius(options.kernel, options.bandwidth_m),
                    .units = DensityUnits::PerM2};
    for (std::size_t i = 0; i < offences.size(); ++i)
    {
        const double r =
            kernel_support_radius(options.kernel, h.empty() ? options.bandwidth_m : h[i]);
        ones.add(offences.x[i], offences.y[i], std::numbers::pi * r * r);
        if (!h.empty())
            disc.point_bandwidth_m.push_back(r);
    }
    const auto counts = estimate_kde(ones, surface.grid, disc);
    SparseCells out{Raster<std::uint8_t>(surface.grid, 0), 0};
    for (std::size_t k = 0; k < counts.values.size(); ++k)
        if (surface.values[k] != nodata &&
            std::llround(counts.values[k]) < static_cast<long long>(min_count))
        {
            out.mask.values[k] = 1;
            ++out.count;
        }
    return out;
}

} // namespace hotspot::engine
