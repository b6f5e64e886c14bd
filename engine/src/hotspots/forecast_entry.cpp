#include "hotspot/engine/hotspots/forecast_entry.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/density/study_window.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace hotspot::engine
{

ForecastEntry entry_cells(const GridSpec& grid, const std::vector<MultiPolygon>& police_area)
{
    ForecastEntry entry;
    std::vector<Box2> part_bounds;
    for (const auto& part : police_area)
    {
        entry.area += area_m2(part);
        part_bounds.push_back(bounds(part));
    }
    // Cells some edge may cross (each edge marks the cells under its bounding box): only these
    // are cut, exactly; any other cell lies wholly inside a part or wholly outside them all.
    std::vector<std::uint8_t> near_edge(static_cast<std::size_t>(grid.cell_count()), 0);
    const auto clamp_col = [&](double x) { return std::clamp<std::int64_t>(grid.col_of(x), 0, grid.cols - 1); };
    const auto clamp_row = [&](double y) { return std::clamp<std::int64_t>(grid.row_of(y), 0, grid.rows - 1); };
    const auto mark_ring = [&](const Ring& ring)
    {
        for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++)
        {
            const double slack = 1e-9 * grid.cell_m; // an edge along a cell's side marks both
            const std::int64_t c0 = clamp_col(std::min(ring[i].x, ring[j].x) - slack),
                               c1 = clamp_col(std::max(ring[i].x, ring[j].x) + slack),
                               r0 = clamp_row(std::max(ring[i].y, ring[j].y) + slack),
                               r1 = clamp_row(std::min(ring[i].y, ring[j].y) - slack);
            for (std::int64_t r = r0; r <= r1; ++r)
                for (std::int64_t c = c0; c <= c1; ++c)
                    near_edge[static_cast<std::size_t>(r * grid.cols + c)] = 1;
        }
    };
    for (const auto& part : police_area)
        for (const auto& polygon : part)
        {
            if (!polygon.outer.empty())
                mark_ring(polygon.outer);
            for (const auto& hole : polygon.holes)
                if (!hole.empty())
                    mark_ring(hole);
        }

    const double full = grid.cell_area_m2();
    for (std::int64_t k = 0; k < grid.cell_count(); ++k)
    {
        const MultiPolygon square = cell_square(grid, k);
        EntryCell cell{k, square, full, false, 0, 0, false};
        if (near_edge[static_cast<std::size_t>(k)])
        {
            const Box2 box = bounds(square);
            std::vector<MultiPolygon> pieces;
            double area = 0;
            for (std::size_t p = 0; p < police_area.size(); ++p)
                if (part_bounds[p].intersects(box))
                {
                    MultiPolygon piece = intersection(square, police_area[p]);
                    const double a = area_m2(piece);
                    if (a > 0)
                    {
                        area += a;
                        pieces.push_back(std::move(piece));
                    }
                }
            if (pieces.empty())
                continue;
            // Districts digitised apart leave slivers between them a millionth of a cell wide:
            // a cell that loses no more than that is whole, not cut by the area's edge.
            cell.cut = area < full * (1 - 1e-6);
            if (cell.cut)
            {
                cell.area = area;
                cell.shape = pieces.size() == 1 ? std::move(pieces.front()) : union_of(pieces);
                // Boost's union can fail on near-coincident edges (districts that do not quite
                // meet) and return less than it was given: the pieces are then kept side by side.
                if (std::abs(area_m2(cell.shape) - area) > 1e-9 * full)
                {
                    cell.shape.clear();
                    for (auto& piece : pieces)
                        for (auto& polygon : piece)
                            cell.shape.push_back(std::move(polygon));
                }
            }
        }
        else
        {
            const Point2 centre{grid.center_x(k % grid.cols), grid.center_y(k / grid.cols)};
            if (std::none_of(police_area.begin(), police_area.end(),
                             [&](const MultiPolygon& part) { return contains(part, centre); }))
                continue;
        }
        entry.cells.push_back(std::move(cell));
    }
    return entry;
}

void choose_hot(ForecastEntry& entry, const std::vector<double>& risk, double nodata,
                double hot_area)
{
    for (auto& cell : entry.cells)
    {
        if (static_cast<std::size_t>(cell.cell) >= risk.size())
            throw Error(Errc::Internal, "choose_hot: a risk per cell of the grid");
        const double v = risk[static_cast<std::size_t>(cell.cell)];
        cell.risk = v == nodata || !(v == v) ? 0.0 : v;
        cell.hot = false;
    }
    entry.hot_cells = 0;
    entry.hot_area = 0;
    std::vector<std::size_t> order(entry.cells.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b)
                     { return entry.cells[a].risk > entry.cells[b].risk; });
    for (std::size_t i = 0; i < order.size(); ++i)
        entry.cells[order[i]].rank = static_cast<std::int64_t>(i + 1);
    for (const std::size_t c : order)
    {
        if (entry.hot_area >= hot_area)
            break;
        entry.cells[c].hot = true;
        entry.hot_area += entry.cells[c].area;
        ++entry.hot_cells;
    }
}

ForecastEntry make_entry(const GridSpec& grid, const std::vector<double>& risk, double nodata,
                         const std::vector<MultiPolygon>& police_area, double hot_area)
{
    if (risk.size() != static_cast<std::size_t>(grid.cell_count()))
        throw Error(Errc::Internal, "make_entry: a risk per cell of the grid");
    ForecastEntry entry = entry_cells(grid, police_area);
    choose_hot(entry, risk, nodata, hot_area);
    return entry;
}

EntryScore score_on_grid(const ForecastEntry& entry, const GridSpec& grid,
                         const std::vector<Point2>& inside)
{
    std::vector<std::int64_t> index_of(static_cast<std::size_t>(grid.cell_count()), -1);
    for (std::size_t c = 0; c < entry.cells.size(); ++c)
        index_of[static_cast<std::size_t>(entry.cells[c].cell)] = static_cast<std::int64_t>(c);
    std::vector<std::int64_t> counts(entry.cells.size(), 0);
    EntryScore s;
    s.cells = entry.cells.size();
    s.hot_cells = entry.hot_cells;
    s.hot_area = entry.hot_area;
    s.area = entry.area;
    for (const auto& p : inside)
    {
        ++s.offences_inside;
        const auto c = grid.col_of(p.x), r = grid.row_of(p.y);
        const std::int64_t e = c < 0 || c >= grid.cols || r < 0 || r >= grid.rows
                                   ? -1
                                   : index_of[static_cast<std::size_t>(r * grid.cols + c)];
        if (e < 0)
        {
            ++s.in_no_cell;
            continue;
        }
        ++counts[static_cast<std::size_t>(e)];
        if (entry.cells[static_cast<std::size_t>(e)].hot)
            ++s.in_hot_cells;
    }
    finish_score(s, std::move(counts));
    return s;
}

namespace
{
std::string thousands(double v)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.0f", v);
    std::string digits = text, out;
    const std::size_t lead = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
    out = digits.substr(0, lead);
    for (std::size_t i = lead; i < digits.size(); i += 3)
        out += "," + digits.substr(i, 3);
    return out;
}
} // namespace

std::vector<double> uncut_cell_areas(const std::vector<MultiPolygon>& cells, const AreaIndex& area)
{
    double largest_cell = 0;
    for (const auto& cell : cells)
        largest_cell = std::max(largest_cell, area_m2(cell));
    const double near = 1e-3 * std::sqrt(largest_cell);
    std::vector<double> uncut;
    for (const auto& cell : cells)
    {
        const double a = area_m2(cell);
        bool on_edge = false;
        for (const auto& polygon : cell)
            for (const auto& v : polygon.outer)
                on_edge = on_edge || area.locate(v) < 0 || area.nearest_within(v, near).area >= 0;
        if (a >= largest_cell * (1 - 1e-6) || !on_edge)
            uncut.push_back(a);
    }
    return uncut;
}

Nij2017Rules check_nij2017(const std::vector<double>& whole_cell_areas_m2, double hot_area_m2)
{
    Nij2017Rules rules;
    rules.whole_cells = whole_cell_areas_m2.size();
    if (!whole_cell_areas_m2.empty())
    {
        const auto [lo, hi] =
            std::minmax_element(whole_cell_areas_m2.begin(), whole_cell_areas_m2.end());
        rules.smallest_sq_ft = *lo / m2_per_sq_ft;
        rules.largest_sq_ft = *hi / m2_per_sq_ft;
    }
    rules.hot_sq_mi = hot_area_m2 / m2_per_sq_mile;
    rules.cells_met = rules.whole_cells > 0 && rules.smallest_sq_ft >= 62'500 * 0.999 &&
                      rules.largest_sq_ft <= 360'000 * 1.001;
    rules.hot_area_met = rules.hot_sq_mi >= 0.25 * 0.999 && rules.hot_sq_mi <= 0.75 * 1.001;
    return rules;
}

std::string Nij2017Rules::describe() const
{
    char hot[32];
    std::snprintf(hot, sizeof hot, "%.3f", hot_sq_mi);
    return (whole_cells == 0 ? std::string("no cell lies wholly inside the police area")
                             : "cells not cut by the edge of " + thousands(smallest_sq_ft) + "-" +
                                   thousands(largest_sq_ft) + " sq ft (62,500-360,000: " +
                                   (cells_met ? "met" : "NOT met") + ")") +
           "; hot area " + hot + " sq mi (0.25-0.75: " + (hot_area_met ? "met" : "NOT met") + ")";
}

} // namespace hotspot::engine
