#include "hotspot/engine/core/geometry.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/grid.hpp"

// Boost.Geometry's rescaling policy trips GCC 12's -Wmaybe-uninitialized at -O3 (a false alarm
// inside Boost); it is silenced for this file's intersection alone. Clang has no such warning.
#pragma GCC diagnostic push
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>

namespace hotspot::engine
{

namespace
{
namespace bg = boost::geometry;
using BgPoint = bg::model::d2::point_xy<double>;
using BgPolygon = bg::model::polygon<BgPoint>;
using BgMulti = bg::model::multi_polygon<BgPolygon>;

BgMulti to_boost(const MultiPolygon& shape)
{
    BgMulti out;
    for (const auto& polygon : shape)
    {
        BgPolygon p;
        for (const auto& v : polygon.outer)
            p.outer().emplace_back(v.x, v.y);
        for (const auto& hole : polygon.holes)
        {
            p.inners().emplace_back();
            for (const auto& v : hole)
                p.inners().back().emplace_back(v.x, v.y);
        }
        out.push_back(std::move(p));
    }
    bg::correct(out); // closes the rings and winds them as Boost expects
    return out;
}

MultiPolygon from_boost(const BgMulti& shape)
{
    const auto ring_of = [](const auto& ring)
    {
        Ring out;
        for (const auto& v : ring)
            out.push_back({v.x(), v.y()});
        return out;
    };
    MultiPolygon out;
    for (const auto& p : shape)
    {
        Polygon polygon{ring_of(p.outer()), {}};
        for (const auto& hole : p.inners())
            polygon.holes.push_back(ring_of(hole));
        out.push_back(std::move(polygon));
    }
    return out;
}

BgMulti shared(const MultiPolygon& a, const MultiPolygon& b)
{
    BgMulti out;
    if (bounds(a).intersects(bounds(b)))
        bg::intersection(to_boost(a), to_boost(b), out);
    return out;
}
} // namespace

double shared_area(const MultiPolygon& a, const MultiPolygon& b)
{
    return bg::area(shared(a, b));
}

MultiPolygon intersection(const MultiPolygon& a, const MultiPolygon& b)
{
    return from_boost(shared(a, b));
}

MultiPolygon union_of(const std::vector<MultiPolygon>& pieces)
{
    BgMulti all;
    for (const auto& piece : pieces)
    {
        BgMulti joined;
        bg::union_(all, to_boost(piece), joined);
        all = std::move(joined);
    }
    return from_boost(all);
}
#pragma GCC diagnostic pop

Box2 bounds(const MultiPolygon& shape)
{
    Box2 box;
    for (const auto& polygon : shape)
        for (const auto& p : polygon.outer)
            box.expand(p.x, p.y);
    return box;
}

namespace
{
// Calls f(x) for every crossing of the horizontal line at y with the ring's edges. Point-in-polygon
// and the scanline mask both use it, so that they agree to the last bit on every cell centre.
template <class F> void for_each_crossing(const Ring& ring, double y, F&& f)
{
    const std::size_t n = ring.size();
    if (n < 3)
        return;
    for (std::size_t i = 0, j = n - 1; i < n; j = i++)
    {
        const Point2& a = ring[i];
        const Point2& b = ring[j];
        if ((a.y > y) != (b.y > y))
            f(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y));
    }
}

void toggle_crossings(const Ring& ring, Point2 p, bool& inside)
{
    for_each_crossing(ring, p.y,
                      [&](double x_cross)
                      {
                          if (p.x < x_cross)
                              inside = !inside;
                      });
}
} // namespace

bool contains(const MultiPolygon& shape, Point2 p)
{
    bool inside = false;
    for (const auto& polygon : shape)
    {
        toggle_crossings(polygon.outer, p, inside);
        for (const auto& hole : polygon.holes)
            toggle_crossings(hole, p, inside);
    }
    return inside;
}

namespace
{
// One row of the mask: 1 where the cell's centre lies inside any of the shapes.
void mask_row(const std::vector<const MultiPolygon*>& shapes, const GridSpec& grid,
              std::int64_t row, std::uint8_t* out, std::vector<double>& crossings)
{
    const double y = grid.center_y(row);
    for (const MultiPolygon* shape : shapes)
    {
        crossings.clear();
        const auto collect = [&](double x) { crossings.push_back(x); };
        for (const auto& polygon : *shape)
        {
            for_each_crossing(polygon.outer, y, collect);
            for (const auto& hole : polygon.holes)
                for_each_crossing(hole, y, collect);
        }
        std::sort(crossings.begin(), crossings.end());
        // A centre x is inside when an odd number of crossings lie strictly east of it, that is
        // when crossings[2k] <= x < crossings[2k+1].
        for (std::size_t k = 0; k + 1 < crossings.size(); k += 2)
        {
            const double x0 = crossings[k];
            const double x1 = crossings[k + 1];
            std::int64_t c = std::max<std::int64_t>(0, grid.col_of(x0) - 1);
            for (; c < grid.cols && grid.center_x(c) < x1; ++c)
                if (grid.center_x(c) >= x0)
                    out[c] = 1;
        }
    }
}
} // namespace

Raster<std::uint8_t> rasterize_mask(const std::vector<const MultiPolygon*>& shapes,
                                    const GridSpec& grid)
{
    Raster<std::uint8_t> mask(grid, 0);
    std::vector<double> crossings;
    for (std::int64_t row = 0; row < grid.rows; ++row)
        mask_row(shapes, grid, row, &mask.values[static_cast<std::size_t>(row * grid.cols)],
                 crossings);
    return mask;
}

Raster<double> rasterize_values(const std::vector<MultiPolygon>& shapes,
                                const std::vector<double>& values, const GridSpec& grid,
                                double fill)
{
    if (shapes.size() != values.size())
        throw Error(Errc::Internal, "rasterize_values: a value for each shape");
    Raster<double> out(grid, fill);
    for (std::size_t i = 0; i < shapes.size(); ++i)
    {
        const auto mask = rasterize_mask({&shapes[i]}, grid);
        for (std::size_t k = 0; k < mask.values.size(); ++k)
            if (mask.values[k])
                out.values[k] = std::max(out.values[k], values[i]);
    }
    return out;
}

GridSpec framing_grid(const Box2& box, double margin_share, double min_margin, int cells_across)
{
    const double margin = std::max(min_margin, margin_share * std::max(box.width(), box.height()));
    const Box2 framed = box.grown(margin);
    const double cell = std::max(framed.width(), framed.height()) / cells_across;
    return {framed.xmin, framed.ymax, cell,
            static_cast<std::int64_t>(std::ceil(framed.width() / cell)),
            static_cast<std::int64_t>(std::ceil(framed.height() / cell))};
}

std::vector<std::uint8_t> rasterize_mask_rows(const std::vector<const MultiPolygon*>& shapes,
                                              const GridSpec& grid, std::int64_t first_row,
                                              std::int64_t row_count)
{
    std::vector<std::uint8_t> mask(static_cast<std::size_t>(row_count * grid.cols), 0);
    std::vector<double> crossings;
    for (std::int64_t r = 0; r < row_count; ++r)
        mask_row(shapes, grid, first_row + r, &mask[static_cast<std::size_t>(r * grid.cols)],
                 crossings);
    return mask;
}

} // namespace hotspot::engine
