#include "hotspot/engine/hotspots/evaluation.hpp"

#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/density/study_window.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace hotspot::engine
{

PredictionScore score_hotspots(const Raster<std::uint8_t>& hot, const Raster<std::uint8_t>& study,
                               const Raster<double>& counts1, const Raster<double>& counts2)
{
    PredictionScore s;
    std::int64_t study_cells = 0;
    std::vector<double> period2;
    for (std::size_t k = 0; k < study.values.size(); ++k)
    {
        if (!study.values[k])
            continue;
        ++study_cells;
        s.total1 += counts1.values[k];
        s.total2 += counts2.values[k];
        period2.push_back(counts2.values[k]);
        if (hot.values[k])
        {
            ++s.hot_cells;
            s.n1 += counts1.values[k];
            s.n2 += counts2.values[k];
        }
    }
    if (study_cells == 0)
        return s;
    s.coverage = static_cast<double>(s.hot_cells) / static_cast<double>(study_cells);
    s.hit_rate = s.total2 > 0 ? s.n2 / s.total2 : 0.0;
    s.pai = s.coverage > 0 ? s.hit_rate / s.coverage : 0.0;
    // The best as many cells could do: the period-2 counts' own top cells.
    const auto k = static_cast<std::ptrdiff_t>(s.hot_cells);
    std::partial_sort(period2.begin(), period2.begin() + k, period2.end(), std::greater<>());
    for (std::ptrdiff_t i = 0; i < k; ++i)
        s.best_n2 += period2[static_cast<std::size_t>(i)];
    s.pei = s.best_n2 > 0 ? s.n2 / s.best_n2 : 0.0;
    s.rri = s.n1 > 0 && s.total2 > 0 && s.total1 > 0 ? (s.n2 / s.n1) / (s.total2 / s.total1)
                                                     : std::numeric_limits<double>::quiet_NaN();
    return s;
}

std::vector<PredictionScore> coverage_curve(const Raster<double>& surface1,
                                            const Raster<std::uint8_t>& study,
                                            const Raster<double>& counts1,
                                            const Raster<double>& counts2,
                                            const std::vector<double>& percents)
{
    // The cells in order of density once, then each coverage a prefix of it: the same cells
    // threshold_cells(TopArea) picks (positive cells, ties to the earlier cell).
    std::vector<std::size_t> order;
    std::int64_t study_cells = 0;
    for (std::size_t k = 0; k < surface1.values.size(); ++k)
        if (study.values[k])
        {
            ++study_cells;
            if (surface1.values[k] > 0)
                order.push_back(k);
        }
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b)
                     { return surface1.values[a] > surface1.values[b]; });
    std::vector<PredictionScore> curve;
    Raster<std::uint8_t> hot(surface1.grid, 0);
    std::size_t taken = 0;
    for (const double p : percents)
    {
        const auto wanted =
            static_cast<std::size_t>(std::llround(p / 100.0 * static_cast<double>(study_cells)));
        const std::size_t take =
            order.empty() ? 0 : std::min(std::max<std::size_t>(wanted, 1), order.size());
        std::fill(hot.values.begin(), hot.values.end(), 0);
        for (taken = 0; taken < take; ++taken)
            hot.values[order[taken]] = 1;
        curve.push_back(score_hotspots(hot, study, counts1, counts2));
    }
    return curve;
}

double mean_hit_rate(const std::vector<PredictionScore>& curve)
{
    double mean = 0;
    for (const PredictionScore& s : curve)
        mean += s.hit_rate / static_cast<double>(curve.size());
    return mean;
}

RollingScore average_over_origins(const std::vector<std::vector<PredictionScore>>& curves)
{
    RollingScore s;
    if (curves.empty())
        return s;
    const std::size_t coverages = curves.front().size();
    s.mean_hit_rate.assign(coverages, 0.0);
    s.mean_pai.assign(coverages, 0.0);
    const double origins = static_cast<double>(curves.size());
    for (const auto& curve : curves)
    {
        if (curve.size() != coverages)
            throw Error(Errc::Internal, "rolling origins scored over different coverages");
        for (std::size_t i = 0; i < coverages; ++i)
        {
            s.mean_hit_rate[i] += curve[i].hit_rate / origins;
            s.mean_pai[i] += curve[i].pai / origins;
        }
    }
    for (const double h : s.mean_hit_rate)
        s.mean_hit_rate_all += h / static_cast<double>(coverages);
    return s;
}

std::size_t best_rolling_score(const std::vector<RollingScore>& scores)
{
    std::size_t best = 0;
    double best_hit = -1;
    for (std::size_t m = 0; m < scores.size(); ++m)
        if (scores[m].mean_hit_rate_all > best_hit)
        {
            best_hit = scores[m].mean_hit_rate_all;
            best = m;
        }
    return best;
}

DisplacementResult weighted_displacement_quotient(const DisplacementCounts& c)
{
    if (!(c.control_before > 0) || !(c.control_after > 0))
        throw Error(Errc::BadData, "displacement: the control area needs offences in both periods");
    DisplacementResult r;
    r.success_measure = c.target_after / c.control_after - c.target_before / c.control_before;
    r.buffer_displacement_measure =
        c.buffer_after / c.control_after - c.buffer_before / c.control_before;
    r.success = r.success_measure < 0;
    const double control_change = c.control_after / c.control_before;
    r.prevented = c.target_before * control_change - c.target_after;
    r.displaced = c.buffer_after - c.buffer_before * control_change;
    r.net_effect = r.prevented - r.displaced;
    if (!r.success)
    {
        r.wdq = std::numeric_limits<double>::quiet_NaN();
        r.interpretation =
            "no measurable success: crime in the target area did not fall relative to the control "
            "area, so displacement cannot be assessed (WDQ undefined)";
        return r;
    }
    r.wdq = r.buffer_displacement_measure / r.success_measure;
    if (r.wdq > 1)
        r.interpretation = "diffusion of benefits greater than the direct effect: crime fell in "
                           "the buffer even more "
                           "than in the target area, relative to the control";
    else if (r.wdq > 0)
        r.interpretation =
            "diffusion of benefits: crime fell in the buffer too, relative to the control";
    else if (r.wdq == 0)
        r.interpretation = "no displacement and no diffusion of benefits";
    else if (r.wdq >= -1)
        r.interpretation = "some displacement into the buffer, smaller than the reduction in the "
                           "target area: a net "
                           "benefit";
    else
        r.interpretation =
            "displacement greater than the direct effect: the operation was counterproductive";
    return r;
}

EntryAreas entry_areas(const std::vector<MultiPolygon>& cells, const std::vector<bool>& hot,
                       const std::vector<MultiPolygon>& police_area, double unit_m2)
{
    EntryAreas a;
    for (const auto& part : police_area)
        a.area += area_m2(part) * unit_m2;
    for (std::size_t c = 0; c < cells.size(); ++c)
        if (hot[c])
            for (const auto& part : police_area)
                a.hot_area += shared_area(cells[c], part) * unit_m2;
    return a;
}

EntryScore score_entry(const std::vector<MultiPolygon>& cells, const std::vector<bool>& hot,
                       const std::vector<MultiPolygon>& police_area,
                       const std::vector<Point2>& offences, const std::optional<EntryAreas>& areas)
{
    if (hot.size() != cells.size())
        throw Error(Errc::Internal, "score_entry: a hot flag per cell");
    EntryScore s;
    s.cells = cells.size();
    const EntryAreas measured = areas ? *areas : entry_areas(cells, hot, police_area);
    s.area = measured.area;
    s.hot_area = measured.hot_area;
    const AreaIndex area_index(police_area);
    const AreaIndex cell_index(cells);
    std::vector<std::int64_t> counts(cells.size(), 0);
    for (const auto& p : offences)
    {
        if (area_index.locate(p) < 0)
        {
            ++s.outside_area;
            continue;
        }
        ++s.offences_inside;
        const std::int32_t c = cell_index.locate(p);
        if (c < 0)
            ++s.in_no_cell;
        else
            ++counts[static_cast<std::size_t>(c)];
    }
    for (std::size_t c = 0; c < cells.size(); ++c)
        if (hot[c])
        {
            ++s.hot_cells;
            s.in_hot_cells += counts[c];
        }
    finish_score(s, std::move(counts));
    return s;
}

void finish_score(EntryScore& s, std::vector<std::int64_t> counts)
{
    std::sort(counts.begin(), counts.end(), std::greater<>());
    s.best_possible = 0;
    for (std::size_t k = 0; k < s.hot_cells && k < counts.size(); ++k)
        s.best_possible += counts[k];
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double N = static_cast<double>(s.offences_inside), n = static_cast<double>(s.in_hot_cells);
    s.hit_rate = N > 0 ? n / N : nan;
    s.pai = N > 0 && s.hot_area > 0 && s.area > 0 ? (n / N) / (s.hot_area / s.area) : nan;
    s.pei_star = s.best_possible > 0 ? n / static_cast<double>(s.best_possible) : nan;
}

} // namespace hotspot::engine
