#include "hotspot/engine/hotspots/hotspots.hpp"
#include "hotspot/engine/statistics/significance.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

namespace hotspot::engine
{

ThresholdResult threshold_cells(const Raster<double>& surface, const Raster<std::uint8_t>& study,
                                ThresholdMethod method, double parameter)
{
    ThresholdResult r;
    r.hot = Raster<std::uint8_t>(surface.grid, 0);
    const std::size_t n = surface.values.size();
    std::vector<std::size_t> positive;
    for (std::size_t k = 0; k < n; ++k)
        if (study.values[k])
        {
            ++r.study_cells;
            if (surface.values[k] > 0)
                positive.push_back(k);
        }
    if (positive.empty())
        return r;
    switch (method)
    {
    case ThresholdMethod::MeanMultiple:
    case ThresholdMethod::MeanSd:
    {
        double sum = 0, sum2 = 0;
        for (const auto k : positive)
        {
            sum += surface.values[k];
            sum2 += surface.values[k] * surface.values[k];
        }
        const double count = static_cast<double>(positive.size());
        const double mean = sum / count;
        const double sd = std::sqrt(std::max(0.0, sum2 / count - mean * mean));
        r.threshold =
            method == ThresholdMethod::MeanMultiple ? parameter * mean : mean + parameter * sd;
        for (const auto k : positive)
            if (surface.values[k] >= r.threshold)
                r.hot.values[k] = 1;
        break;
    }
    case ThresholdMethod::TopArea:
    {
        // The densest cells until they cover P% of the study area; ties go to the earlier cell.
        const auto wanted = static_cast<std::size_t>(
            std::llround(parameter / 100.0 * static_cast<double>(r.study_cells)));
        const std::size_t take = std::min(std::max<std::size_t>(wanted, 1), positive.size());
        std::stable_sort(positive.begin(), positive.end(),
                         [&](std::size_t a, std::size_t b)
                         { return surface.values[a] > surface.values[b]; });
        for (std::size_t i = 0; i < take; ++i)
            r.hot.values[positive[i]] = 1;
        r.threshold = surface.values[positive[take - 1]];
        break;
    }
    case ThresholdMethod::GiStar:
        throw Error(Errc::Internal, "threshold_cells: Gi* has its own function");
    }
    for (const auto v : r.hot.values)
        r.hot_cells += v;
    return r;
}

Raster<double> cell_counts(const Incidents& inc, const GridSpec& grid, bool weighted)
{
    Raster<double> counts(grid, 0.0);
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        const auto c = grid.col_of(inc.x[i]), r = grid.row_of(inc.y[i]);
        if (c >= 0 && c < grid.cols && r >= 0 && r < grid.rows)
            counts.at(c, r) += weighted ? inc.weight_of(i) : 1.0;
    }
    return counts;
}

BandSums band_sums(const Raster<double>& values, const Raster<std::uint8_t>& study, double band_m)
{
    const GridSpec& g = values.grid;
    // The band as row segments: for a row offset dy (in cells), columns dx with dx^2 + dy^2 <= r^2.
    const double r_cells = band_m / g.cell_m;
    const auto reach = static_cast<std::int64_t>(std::floor(r_cells + 1e-9));
    std::vector<std::int64_t> half_width(static_cast<std::size_t>(2 * reach + 1));
    for (std::int64_t dy = -reach; dy <= reach; ++dy)
        half_width[static_cast<std::size_t>(dy + reach)] = static_cast<std::int64_t>(std::floor(
            std::sqrt(std::max(0.0, r_cells * r_cells - static_cast<double>(dy * dy))) + 1e-9));

    // Row prefix sums of the values and of the study cells: each segment's sum in O(1).
    const std::int64_t cols = g.cols, rows = g.rows;
    std::vector<double> prefix_x(static_cast<std::size_t>(rows * (cols + 1)), 0.0);
    std::vector<std::int64_t> prefix_n(static_cast<std::size_t>(rows * (cols + 1)), 0);
    for (std::int64_t row = 0; row < rows; ++row)
        for (std::int64_t c = 0; c < cols; ++c)
        {
            const std::size_t k = static_cast<std::size_t>(row * cols + c);
            const std::size_t p = static_cast<std::size_t>(row * (cols + 1) + c);
            const bool in = study.values[k] != 0;
            prefix_x[p + 1] = prefix_x[p] + (in ? values.values[k] : 0.0);
            prefix_n[p + 1] = prefix_n[p] + (in ? 1 : 0);
        }

    BandSums out;
    out.sum.assign(values.values.size(), 0.0);
    out.cells.assign(values.values.size(), 0);
    tbb::parallel_for(
        tbb::blocked_range<std::int64_t>(0, rows),
        [&](const tbb::blocked_range<std::int64_t>& range)
        {
            for (std::int64_t row = range.begin(); row != range.end(); ++row)
                for (std::int64_t c = 0; c < cols; ++c)
                {
                    const std::size_t k = static_cast<std::size_t>(row * cols + c);
                    if (!study.values[k])
                        continue;
                    double local = 0;
                    std::int64_t neighbours = 0;
                    for (std::int64_t dy = -reach; dy <= reach; ++dy)
                    {
                        const std::int64_t rr = row + dy;
                        if (rr < 0 || rr >= rows)
                            continue;
                        const std::int64_t hw = half_width[static_cast<std::size_t>(dy + reach)];
                        const std::int64_t c0 = std::max<std::int64_t>(0, c - hw),
                                           c1 = std::min(cols - 1, c + hw);
                        const std::size_t base = static_cast<std::size_t>(rr * (cols + 1));
                        local += prefix_x[base + static_cast<std::size_t>(c1 + 1)] -
                                 prefix_x[base + static_cast<std::size_t>(c0)];
                        neighbours += prefix_n[base + static_cast<std::size_t>(c1 + 1)] -
                                      prefix_n[base + static_cast<std::size_t>(c0)];
                    }
                    out.sum[k] = local;
                    out.cells[k] = neighbours;
                }
        });
    return out;
}

double gi_star_z(double local, double w, double mean, double s, double n)
{
    // Binary weights: sum w = sum w^2 = w.
    const double denominator = s * std::sqrt((n * w - w * w) / (n - 1.0));
    if (!(denominator > 0))
        return std::numeric_limits<double>::quiet_NaN();
    return (local - mean * w) / denominator;
}

GiStarResult gi_star(const Raster<double>& counts, const Raster<std::uint8_t>& study, double band_m,
                     double alpha)
{
    if (!(band_m > 0) || !std::isfinite(band_m))
        throw Error(Errc::Usage, "gi-star: the distance band must be a positive number of metres");
    if (!(alpha > 0 && alpha < 1))
        throw Error(Errc::Usage, "gi-star: alpha must lie between 0 and 1");
    const GridSpec& g = counts.grid;
    GiStarResult out;
    out.z = Raster<double>(g, std::numeric_limits<double>::quiet_NaN());
    out.p = Raster<double>(g, std::numeric_limits<double>::quiet_NaN());
    out.hot = Raster<std::uint8_t>(g, 0);

    double sum = 0, sum2 = 0;
    std::int64_t n = 0;
    for (std::size_t k = 0; k < counts.values.size(); ++k)
        if (study.values[k])
        {
            sum += counts.values[k];
            sum2 += counts.values[k] * counts.values[k];
            ++n;
        }
    out.tested = n;
    if (n < 2)
        return out;
    const double nd = static_cast<double>(n);
    const double mean = sum / nd;
    const double s = std::sqrt(std::max(0.0, sum2 / nd - mean * mean));
    if (!(s > 0))
        return out; // every cell alike: nothing stands out

    const BandSums sums = band_sums(counts, study, band_m);
    std::vector<double> ps;
    ps.reserve(static_cast<std::size_t>(n));
    for (std::size_t k = 0; k < counts.values.size(); ++k)
    {
        if (!study.values[k])
            continue;
        const double z = gi_star_z(sums.sum[k], static_cast<double>(sums.cells[k]), mean, s, nd);
        if (std::isnan(z))
            continue;
        out.z.values[k] = z;
        out.p.values[k] = two_sided_p(z);
        ps.push_back(out.p.values[k]);
    }
    out.p_cutoff = fdr_cutoff(std::move(ps), alpha);
    if (out.p_cutoff > 0)
        for (std::size_t k = 0; k < out.p.values.size(); ++k)
            if (out.z.values[k] > 0 && out.p.values[k] <= out.p_cutoff)
            {
                out.hot.values[k] = 1;
                ++out.hot_cells;
            }
    return out;
}

Regions label_regions(const Raster<std::uint8_t>& hot, std::int64_t min_cells)
{
    const GridSpec& g = hot.grid;
    Regions out;
    out.label = Raster<std::int32_t>(g, 0);
    std::vector<std::int64_t> stack;
    std::vector<std::vector<std::int64_t>> regions;
    for (std::int64_t k = 0; k < g.cell_count(); ++k)
    {
        if (!hot.values[static_cast<std::size_t>(k)] ||
            out.label.values[static_cast<std::size_t>(k)])
            continue;
        const auto id = static_cast<std::int32_t>(regions.size() + 1);
        std::vector<std::int64_t> cells;
        stack.assign(1, k);
        out.label.values[static_cast<std::size_t>(k)] = id;
        while (!stack.empty())
        {
            const std::int64_t cell = stack.back();
            stack.pop_back();
            cells.push_back(cell);
            const std::int64_t r = cell / g.cols, c = cell % g.cols;
            for (std::int64_t dr = -1; dr <= 1; ++dr)
                for (std::int64_t dc = -1; dc <= 1; ++dc)
                {
                    const std::int64_t rr = r + dr, cc = c + dc;
                    if (rr < 0 || rr >= g.rows || cc < 0 || cc >= g.cols)
                        continue;
                    const std::size_t kk = static_cast<std::size_t>(rr * g.cols + cc);
                    if (hot.values[kk] && !out.label.values[kk])
                    {
                        out.label.values[kk] = id;
                        stack.push_back(static_cast<std::int64_t>(kk));
                    }
                }
        }
        std::sort(cells.begin(), cells.end());
        regions.push_back(std::move(cells));
    }
    // Drop the specks and renumber the rest in the same order.
    std::vector<std::int32_t> renumber(regions.size() + 1, 0);
    for (std::size_t i = 0; i < regions.size(); ++i)
        if (static_cast<std::int64_t>(regions[i].size()) >= min_cells)
        {
            renumber[i + 1] = ++out.count;
            out.cells.push_back(std::move(regions[i]));
        }
    for (auto& l : out.label.values)
        l = renumber[static_cast<std::size_t>(l)];
    return out;
}

Raster<std::uint8_t> study_cells(const Raster<double>& surface, double nodata)
{
    Raster<std::uint8_t> study(surface.grid, 0);
    for (std::size_t k = 0; k < surface.values.size(); ++k)
        study.values[k] = surface.values[k] != nodata && !std::isnan(surface.values[k]);
    return study;
}

double assumed_bandwidth_m(const GridSpec& grid)
{
    return 4.0 * grid.cell_m;
}

HotspotCells find_hotspot_cells(const HotspotRule& rule, const Raster<double>& surface,
                                const Raster<std::uint8_t>& study, const Raster<double>& counts,
                                double bandwidth_m)
{
    HotspotCells out;
    Raster<std::uint8_t> hot;
    if (rule.method == ThresholdMethod::GiStar)
    {
        const double band = rule.band_m.value_or(bandwidth_m);
        auto gi = gi_star(counts, study, band, rule.alpha);
        out.description = "Getis-Ord Gi* of offence counts, band " + fixed(band, 0) +
                          " m, hot where z > 0 and p <= " + fixed(gi.p_cutoff, 6) +
                          " (Benjamini-Hochberg FDR " + fixed(rule.alpha, 3) + ")";
        hot = std::move(gi.hot);
    }
    else
    {
        const double parameter = rule.method == ThresholdMethod::TopArea
                                     ? rule.percent.value_or(5.0)
                                 : rule.method == ThresholdMethod::MeanSd ? rule.k.value_or(2.0)
                                                                          : rule.k.value_or(3.0);
        auto t = threshold_cells(surface, study, rule.method, parameter);
        out.description = rule.method == ThresholdMethod::TopArea
                              ? "the densest " + fixed(parameter, 1) +
                                    "% of the study area (density >= " + fixed(t.threshold, 3) + ")"
                          : rule.method == ThresholdMethod::MeanSd
                              ? "density >= mean + " + fixed(parameter, 2) +
                                    " sd of non-zero cells (" + fixed(t.threshold, 3) + ")"
                              : "density >= " + fixed(parameter, 2) +
                                    " x mean of non-zero cells (" + fixed(t.threshold, 3) + ")";
        hot = std::move(t.hot);
    }
    // Whole cells, with a margin for an area given as a whole number of cells' square metres.
    const auto min_cells =
        static_cast<std::int64_t>(std::ceil(rule.min_area_m2 / surface.grid.cell_area_m2() - 1e-9));
    out.regions = label_regions(hot, std::max<std::int64_t>(1, min_cells));
    return out;
}

MultiPolygon region_outline(const Regions& regions, std::int32_t label)
{
    const GridSpec& g = regions.label.grid;
    const auto in = [&](std::int64_t c, std::int64_t r)
    { return c >= 0 && r >= 0 && c < g.cols && r < g.rows && regions.label.at(c, r) == label; };
    // Directed boundary edges on the lattice of cell corners (i = column, j = row, j growing
    // south), each with the region on its left as drawn on a north-up map, so outer rings run
    // counter-clockwise and holes clockwise.
    using Vertex = std::pair<std::int64_t, std::int64_t>;
    std::multimap<Vertex, Vertex> next;
    for (const auto cell : regions.cells[static_cast<std::size_t>(label - 1)])
    {
        const std::int64_t r = cell / g.cols, c = cell % g.cols;
        if (!in(c, r - 1))
            next.emplace(Vertex{c + 1, r}, Vertex{c, r}); // north side, running west
        if (!in(c - 1, r))
            next.emplace(Vertex{c, r}, Vertex{c, r + 1}); // west side, running south
        if (!in(c, r + 1))
            next.emplace(Vertex{c, r + 1}, Vertex{c + 1, r + 1}); // south side, running east
        if (!in(c + 1, r))
            next.emplace(Vertex{c + 1, r + 1}, Vertex{c + 1, r}); // east side, running north
    }
    std::vector<Ring> rings;
    while (!next.empty())
    {
        Ring ring;
        Vertex start = next.begin()->first, at = start;
        Vertex came_from = at;
        do
        {
            auto [lo, hi] = next.equal_range(at);
            auto chosen = lo;
            if (std::next(lo) != hi)
            {
                // Two ways on at a corner where cells touch diagonally: turn left (as drawn),
                // around the cell just passed, which keeps corner-touching cells in separate rings.
                const std::int64_t dx = at.first - came_from.first,
                                   dy = at.second - came_from.second;
                for (auto it = lo; it != hi; ++it)
                {
                    const std::int64_t ex = it->second.first - at.first,
                                       ey = it->second.second - at.second;
                    if (dx * ey - dy * ex < 0) // a left turn with j growing south
                        chosen = it;
                }
            }
            ring.push_back({g.origin_x + static_cast<double>(at.first) * g.cell_m,
                            g.origin_y - static_cast<double>(at.second) * g.cell_m});
            came_from = at;
            at = chosen->second;
            next.erase(chosen);
        } while (at != start);
        // Drop vertices in the middle of straight runs.
        Ring simple;
        for (std::size_t i = 0; i < ring.size(); ++i)
        {
            const Point2& a = ring[(i + ring.size() - 1) % ring.size()];
            const Point2& b = ring[i];
            const Point2& c = ring[(i + 1) % ring.size()];
            if ((b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x) != 0.0)
                simple.push_back(b);
        }
        simple.push_back(simple.front());
        rings.push_back(std::move(simple));
    }
    const auto signed_area = [](const Ring& ring)
    {
        double a = 0;
        for (std::size_t i = 0; i + 1 < ring.size(); ++i)
            a += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y;
        return 0.5 * a;
    };
    MultiPolygon shape;
    std::vector<const Ring*> holes;
    for (const auto& ring : rings)
    {
        if (signed_area(ring) > 0)
            shape.push_back({ring, {}});
        else
            holes.push_back(&ring);
    }
    // Each hole goes to the smallest outer ring around it; a point just inside the hole (half a
    // cell across its first edge, on the side away from the region) decides.
    for (const Ring* hole : holes)
    {
        const Point2 a = (*hole)[0], b = (*hole)[1];
        const double length = std::hypot(b.x - a.x, b.y - a.y);
        const Point2 probe{0.5 * (a.x + b.x) + 0.5 * g.cell_m * (b.y - a.y) / length,
                           0.5 * (a.y + b.y) - 0.5 * g.cell_m * (b.x - a.x) / length};
        Polygon* owner = nullptr;
        double owner_area = std::numeric_limits<double>::infinity();
        for (auto& polygon : shape)
        {
            const double area = signed_area(polygon.outer);
            if (area < owner_area && contains(MultiPolygon{Polygon{polygon.outer, {}}}, probe))
            {
                owner = &polygon;
                owner_area = area;
            }
        }
        if (owner)
            owner->holes.push_back(*hole);
    }
    return shape;
}

std::vector<std::string> distinct_names(const std::vector<std::string>& names,
                                        const std::vector<std::vector<std::string>>& streets,
                                        const std::vector<Point2>& peaks)
{
    std::vector<std::string> out = names;
    const auto repeated = [&]
    {
        std::map<std::string, int> seen;
        for (const auto& n : out)
            ++seen[n];
        std::vector<std::uint8_t> r(out.size());
        for (std::size_t i = 0; i < out.size(); ++i)
            r[i] = seen[out[i]] > 1;
        return r;
    };
    auto again = repeated();
    std::vector<std::uint8_t> by_street(out.size(), 0);
    for (std::size_t i = 0; i < out.size(); ++i)
    {
        if (!again[i] || i >= streets.size())
            continue;
        for (const auto& street : streets[i])
            if (!street.empty() && !same_text(street, names[i]))
            {
                out[i] += " (" + street + ")";
                by_street[i] = 1;
                break;
            }
    }
    // Then the square of the peak: 100 m, finer only where two peaks share one.
    const std::vector<std::string> with_street = out;
    for (const double unit : {100.0, 10.0, 1.0})
    {
        again = repeated();
        for (std::size_t i = 0; i < out.size(); ++i)
            if (again[i] && i < peaks.size())
            {
                char square[64];
                std::snprintf(square, sizeof square, "%.0f, %.0f",
                              std::floor(peaks[i].x / unit) * unit,
                              std::floor(peaks[i].y / unit) * unit);
                const std::string& base = with_street[i];
                out[i] = by_street[i] ? base.substr(0, base.size() - 1) + ", " + square + ")"
                                      : base + " (" + square + ")";
            }
    }
    return out;
}

} // namespace hotspot::engine
