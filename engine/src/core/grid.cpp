#include "hotspot/engine/core/grid.hpp"

#include "hotspot/engine/core/error.hpp"

#include <cmath>

namespace hotspot::engine
{

std::int64_t GridSpec::col_of(double x) const
{
    const double f = std::floor((x - origin_x) / cell_m);
    if (f < 0)
        return -1;
    return f >= static_cast<double>(cols) ? cols : static_cast<std::int64_t>(f);
}

std::int64_t GridSpec::row_of(double y) const
{
    const double f = std::floor((origin_y - y) / cell_m);
    if (f < 0)
        return -1;
    return f >= static_cast<double>(rows) ? rows : static_cast<std::int64_t>(f);
}

namespace
{
// Cells needed to cover `length`: a length that is a whole number of cells to within 1e-9 of a cell
// is that number, not one more, because 20000/25 computed from coordinates may come out
// 800.0000000001.
std::int64_t cells_to_cover(double length, double cell_m)
{
    const double ratio = length / cell_m;
    const double nearest = std::round(ratio);
    const double cells = std::abs(ratio - nearest) < 1e-9 ? nearest : std::ceil(ratio);
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(cells));
}
} // namespace

GridSpec grid_for_extent(const Box2& extent, double cell_m)
{
    if (!(cell_m > 0) || !std::isfinite(cell_m))
        throw Error(Errc::Usage, "grid: cell size must be a positive number of metres");
    if (extent.empty() || !std::isfinite(extent.width()) || !std::isfinite(extent.height()))
        throw Error(Errc::Usage, "grid: extent must have xmin <= xmax and ymin <= ymax");
    GridSpec g;
    g.origin_x = extent.xmin;
    g.origin_y = extent.ymax;
    g.cell_m = cell_m;
    g.cols = cells_to_cover(extent.width(), cell_m);
    g.rows = cells_to_cover(extent.height(), cell_m);
    return g;
}

Box2 snap_outward(const Box2& box, double cell_m)
{
    return {std::floor(box.xmin / cell_m) * cell_m, std::floor(box.ymin / cell_m) * cell_m,
            std::ceil(box.xmax / cell_m) * cell_m, std::ceil(box.ymax / cell_m) * cell_m};
}

double readable_size(double metres)
{
    if (!(metres > 0) || !std::isfinite(metres))
        return metres;
    // The nearest, by ratio, of 1, 2, 2.5 and 5 times a power of ten.
    const double decade = std::pow(10.0, std::floor(std::log10(metres)));
    double best = decade;
    for (const double step : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (std::abs(std::log(step * decade / metres)) < std::abs(std::log(best / metres)))
            best = step * decade;
    return best;
}

double default_cell_size(const Box2& extent)
{
    return readable_size(std::min(extent.width(), extent.height()) / 250.0);
}

MultiPolygon cell_square(const GridSpec& g, std::int64_t k)
{
    const double x0 = g.origin_x + static_cast<double>(k % g.cols) * g.cell_m;
    const double y1 = g.origin_y - static_cast<double>(k / g.cols) * g.cell_m;
    const double x1 = x0 + g.cell_m, y0 = y1 - g.cell_m;
    return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

} // namespace hotspot::engine
