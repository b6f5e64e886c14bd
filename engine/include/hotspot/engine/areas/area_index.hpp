#pragma once

#include "hotspot/engine/core/geometry.hpp"

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace hotspot::engine
{

/// A spatial index over the polygons of one boundary layer (beats, wards, LSOAs), for assigning
/// points to areas. Built once, then queried from any number of threads (all queries are const).
/// Point-in-polygon follows `contains` exactly (even-odd, half-open edges); each polygon's edges
/// are bucketed by latitude band so a query tests a handful of edges rather than all of them.
class AreaIndex
{
  public:
    explicit AreaIndex(std::vector<MultiPolygon> shapes);
    ~AreaIndex();
    AreaIndex(AreaIndex&&) noexcept;
    AreaIndex& operator=(AreaIndex&&) noexcept;

    std::size_t size() const;
    const MultiPolygon& shape(std::size_t area) const;

    /// Every area containing p, in index order (generalised boundaries can overlap).
    void containing(Point2 p, std::vector<std::int32_t>& out) const;
    /// The first area containing p, or -1.
    std::int32_t locate(Point2 p) const;

    /// Distance from p to the nearest edge of `area`, metres. Returns +infinity when that is more
    /// than `max_distance_m` (pass infinity for an exact distance at any range).
    double distance_to_edge(std::size_t area, Point2 p,
                            double max_distance_m = std::numeric_limits<double>::infinity()) const;

    struct Nearest
    {
        std::int32_t area = -1;
        double distance_m = std::numeric_limits<double>::infinity();
    };
    /// The area whose edge is nearest to p within `max_distance_m` (for points in gaps between
    /// polygons); ties go to the lower index. area = -1 when none is that close.
    Nearest nearest_within(Point2 p, double max_distance_m) const;

    /// The first area containing p, else the area nearest to it within `max_distance_m` (a point
    /// in a gap between generalised polygons), else -1.
    std::int32_t locate_within(Point2 p, double max_distance_m) const
    {
        const std::int32_t area = locate(p);
        return area >= 0 ? area : nearest_within(p, max_distance_m).area;
    }

    /// A point inside the area (on its largest polygon), for labels and for placing records that
    /// have a code but no location.
    Point2 interior_point(std::size_t area) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// AreaIndex::locate_within for n points, in parallel: out[i] for (x[i], y[i]).
void locate_points(const AreaIndex& index, const double* x, const double* y, std::size_t n,
                   double max_distance_m, std::int32_t* out);

} // namespace hotspot::engine
