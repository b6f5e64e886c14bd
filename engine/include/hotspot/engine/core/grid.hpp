#pragma once

#include "hotspot/engine/core/geometry.hpp"

#include <cstdint>
#include <vector>

namespace hotspot::engine
{

/// A north-up grid of square cells in a projected CRS (metres).
/// Column 0 is the west edge and row 0 the north edge: cell (c, r) spans
/// [origin_x + c*cell_m, origin_x + (c+1)*cell_m) by (origin_y - (r+1)*cell_m, origin_y -
/// r*cell_m].
struct GridSpec
{
    double origin_x = 0.0; ///< west edge, metres
    double origin_y = 0.0; ///< north edge, metres
    double cell_m = 1.0;   ///< cell side, metres
    std::int64_t cols = 0;
    std::int64_t rows = 0;

    double center_x(std::int64_t col) const
    {
        return origin_x + (static_cast<double>(col) + 0.5) * cell_m;
    }
    double center_y(std::int64_t row) const
    {
        return origin_y - (static_cast<double>(row) + 0.5) * cell_m;
    }
    std::int64_t cell_count() const { return cols * rows; }
    double cell_area_m2() const { return cell_m * cell_m; }
    Box2 extent() const
    {
        return {origin_x, origin_y - static_cast<double>(rows) * cell_m,
                origin_x + static_cast<double>(cols) * cell_m, origin_y};
    }
    /// Column holding x, or -1 / cols when x lies west / east of the grid. Half-open: a cell owns
    /// its west edge.
    std::int64_t col_of(double x) const;
    /// Row holding y, or -1 / rows when y lies north / south of the grid. A cell owns its north
    /// edge.
    std::int64_t row_of(double y) const;
};

/// The grid whose origin is (xmin, ymax) with ceil(width / cell) columns and ceil(height / cell)
/// rows. A width that is a whole number of cells up to floating-point noise (1e-9 of a cell) is not
/// rounded up to one more column.
GridSpec grid_for_extent(const Box2& extent, double cell_m);

/// The box grown outwards to the nearest multiples of cell_m, so that grids of different runs
/// align.
Box2 snap_outward(const Box2& box, double cell_m);

/// The default cell size: the shorter side of the extent divided by 250 (as ArcGIS Kernel Density),
/// rounded to a readable size.
double default_cell_size(const Box2& extent);

/// The nearest, by ratio, of 1, 2, 2.5 and 5 times a power of ten: 122.458 m gives 100 m and 37 m
/// gives 50 m (50/37 = 1.35 is nearer than 37/25 = 1.48).
double readable_size(double metres);

/// A raster of values on a grid, row-major from the north-west corner.
template <class T> struct Raster
{
    GridSpec grid;
    std::vector<T> values;

    Raster() = default;
    Raster(const GridSpec& g, T fill)
        : grid(g), values(static_cast<std::size_t>(g.cell_count()), fill)
    {
    }
    T& at(std::int64_t col, std::int64_t row)
    {
        return values[static_cast<std::size_t>(row * grid.cols + col)];
    }
    const T& at(std::int64_t col, std::int64_t row) const
    {
        return values[static_cast<std::size_t>(row * grid.cols + col)];
    }
};

/// The square of cell k (row * cols + col), counter-clockwise, as a polygon for vector outputs.
MultiPolygon cell_square(const GridSpec& grid, std::int64_t k);

/// 1 for every cell whose centre lies inside any of the shapes (`contains` semantics), else 0.
Raster<std::uint8_t> rasterize_mask(const std::vector<const MultiPolygon*>& shapes,
                                    const GridSpec& grid);

/// Each cell the largest of `values[i]` over the shapes[i] whose inside holds its centre (as
/// rasterize_mask), `fill` where none does: areas painted by a figure of each.
Raster<double> rasterize_values(const std::vector<MultiPolygon>& shapes,
                                const std::vector<double>& values, const GridSpec& grid,
                                double fill);

/// A grid of square cells over `box` grown on every side by `margin_share` of its longer side (at
/// least `min_margin`), with `cells_across` cells along that longer side: the frame of a map.
GridSpec framing_grid(const Box2& box, double margin_share, double min_margin, int cells_across);

/// The rows [first_row, first_row + row_count) of rasterize_mask, row-major: for surfaces
/// computed a strip at a time.
std::vector<std::uint8_t> rasterize_mask_rows(const std::vector<const MultiPolygon*>& shapes,
                                              const GridSpec& grid, std::int64_t first_row,
                                              std::int64_t row_count);

} // namespace hotspot::engine
