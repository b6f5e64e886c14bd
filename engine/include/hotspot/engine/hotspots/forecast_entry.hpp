#pragma once

#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/hotspots/evaluation.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hotspot::engine
{

inline constexpr double m2_per_sq_ft = 0.09290304;          // international foot, 0.3048 m
inline constexpr double m2_per_sq_mile = 2'589'988.110336; // 5,280 ft squared

/// One cell of a forecast entry.
struct EntryCell
{
    std::int64_t cell = 0; ///< row * cols + col in the grid
    MultiPolygon shape;    ///< the square, or its part inside the police area when cut
    double area = 0;       ///< in the square of the grid's units
    bool cut = false;      ///< cut by the police area's edge
    double risk = 0;
    std::int64_t rank = 0; ///< 1 for the highest risk (ties in raster order), set with the risk
    bool hot = false;
};

/// A forecast entry in the form of the NIJ Real-Time Crime Forecasting Challenge (2017): square
/// cells covering the whole police area, cut at its edge, the highest-risk of them hot.
struct ForecastEntry
{
    std::vector<EntryCell> cells; ///< in raster order
    std::size_t hot_cells = 0;
    double hot_area = 0; ///< the hot cells' area as cut
    double area = 0;     ///< the police area's, the sum of its parts
};

/// Every cell of `grid` that overlaps the police area, none hot yet (see make_entry).
ForecastEntry entry_cells(const GridSpec& grid, const std::vector<MultiPolygon>& police_area);
/// Gives the entry's cells their risk and makes the highest-risk hot (see make_entry).
void choose_hot(ForecastEntry& entry, const std::vector<double>& risk, double nodata,
                double hot_area);

/// Every cell of `grid` that overlaps the police area, whose parts (districts) may share edges; a
/// cell that keeps all but a millionth of its area (a sliver where districts do not quite meet) is
/// whole. A cell's risk is its value in `risk` (`nodata` counts as 0). Cells are made hot highest risk first
/// (ties in raster order) until their area as cut reaches `hot_area`: the smallest such set.
ForecastEntry make_entry(const GridSpec& grid, const std::vector<double>& risk, double nodata,
                         const std::vector<MultiPolygon>& police_area, double hot_area);

/// The entry scored as engine::score_entry scores it, the offences located by the grid: `inside`
/// are the offences of the horizon inside the police area. Faster than locating them in the cells'
/// polygons, for backtests that score many entries on one grid.
EntryScore score_on_grid(const ForecastEntry& entry, const GridSpec& grid,
                         const std::vector<Point2>& inside);

/// The challenge's rules for an entry: each cell not cut by the police area's edge of 62,500 to
/// 360,000 sq ft, and hot cells of 0.25 to 0.75 sq mi in all. Areas computed from coordinates
/// rounded when a file was written are given a thousandth's grace.
struct Nij2017Rules
{
    std::size_t whole_cells = 0;
    double smallest_sq_ft = 0, largest_sq_ft = 0;
    double hot_sq_mi = 0;
    bool cells_met = false, hot_area_met = false;

    bool met() const { return cells_met && hot_area_met; }
    /// "cells not cut by the edge of 360,000-360,000 sq ft (62,500-360,000: met); hot area ..."
    std::string describe() const;
};
/// The areas of an entry's cells that the police area's edge does not cut, in the cells' own units
/// squared. A cell is cut when it is smaller than the largest cell and a corner lies on the edge
/// of `area` (within a thousandth of the largest cell's side) or beyond it. A small cell wholly
/// inside is kept, so that the rules below see it and fail.
std::vector<double> uncut_cell_areas(const std::vector<MultiPolygon>& cells, const AreaIndex& area);

/// The rules checked on the areas, in square metres, of the cells not cut by the edge and of the
/// hot cells in all.
Nij2017Rules check_nij2017(const std::vector<double>& whole_cell_areas_m2, double hot_area_m2);

} // namespace hotspot::engine
