#pragma once

#include <algorithm>
#include <limits>
#include <vector>

namespace hotspot::engine
{

/// A point in a projected CRS, in metres.
struct Point2
{
    double x = 0.0;
    double y = 0.0;
};

/// An axis-aligned box in metres. A default box is empty and grows with `expand`.
struct Box2
{
    double xmin = std::numeric_limits<double>::infinity();
    double ymin = std::numeric_limits<double>::infinity();
    double xmax = -std::numeric_limits<double>::infinity();
    double ymax = -std::numeric_limits<double>::infinity();

    bool empty() const { return !(xmin <= xmax && ymin <= ymax); }
    double width() const { return xmax - xmin; }
    double height() const { return ymax - ymin; }
    void expand(double x, double y)
    {
        xmin = std::min(xmin, x);
        ymin = std::min(ymin, y);
        xmax = std::max(xmax, x);
        ymax = std::max(ymax, y);
    }
    void expand(const Box2& other)
    {
        if (other.empty())
            return;
        expand(other.xmin, other.ymin);
        expand(other.xmax, other.ymax);
    }
    Box2 grown(double margin) const
    {
        return {xmin - margin, ymin - margin, xmax + margin, ymax + margin};
    }
    bool intersects(const Box2& o) const
    {
        return !(o.xmin > xmax || o.xmax < xmin || o.ymin > ymax || o.ymax < ymin);
    }
};

/// A closed ring; the closing vertex may or may not repeat the first.
using Ring = std::vector<Point2>;

/// A polygon: one outer ring and any number of holes.
struct Polygon
{
    Ring outer;
    std::vector<Ring> holes;
};

/// One or more polygons, as a boundary feature (a ward, a beat, a district) is.
using MultiPolygon = std::vector<Polygon>;

Box2 bounds(const MultiPolygon& shape);

/// The area the two shapes share (in the square of their units): a forecast cell cut by the
/// police area's edge. Rings may wind either way.
double shared_area(const MultiPolygon& a, const MultiPolygon& b);
/// The shape the two share: a forecast cell cut at the police area's edge.
MultiPolygon intersection(const MultiPolygon& a, const MultiPolygon& b);
/// One shape covering the pieces, whose edges may be shared (a cell cut by two districts).
MultiPolygon union_of(const std::vector<MultiPolygon>& pieces);

/// Point in polygon by the even-odd rule over every ring, so holes are outside.
/// A point exactly on an edge counts as inside for left and bottom edges and outside for right and
/// top ones, the half-open convention that `rasterize_mask` shares, so the two always agree.
bool contains(const MultiPolygon& shape, Point2 p);

} // namespace hotspot::engine
