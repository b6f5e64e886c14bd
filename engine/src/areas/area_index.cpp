#include "hotspot/engine/areas/area_index.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include <algorithm>
#include <cmath>

namespace hotspot::engine
{

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace
{
using BoxPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using Box = bg::model::box<BoxPoint>;
using Entry = std::pair<Box, std::uint32_t>;

struct Edge
{
    Point2 a, b;
};

// One area's edges, bucketed by horizontal band so that a query visits only the edges whose
// y-range covers its band.
struct PreparedArea
{
    Box2 bounds;
    std::vector<Edge> edges;
    double band_height = 1.0;
    std::vector<std::uint32_t>
        band_start; // edges of band k: band_edges[band_start[k] .. band_start[k+1])
    std::vector<std::uint32_t> band_edges;

    std::size_t band_count() const { return band_start.size() - 1; }
    std::size_t band_of(double y) const
    {
        const double f = std::floor((y - bounds.ymin) / band_height);
        if (!(f > 0))
            return 0;
        return std::min(static_cast<std::size_t>(f), band_count() - 1);
    }
};

PreparedArea prepare(const MultiPolygon& shape)
{
    PreparedArea p;
    p.bounds = bounds(shape);
    const auto add_ring = [&](const Ring& ring)
    {
        const std::size_t n = ring.size();
        if (n < 3)
            return;
        // Same pairing as `contains`: edge (ring[i], ring[j]) with j = i - 1, wrapping.
        for (std::size_t i = 0, j = n - 1; i < n; j = i++)
            p.edges.push_back({ring[i], ring[j]});
    };
    for (const auto& polygon : shape)
    {
        add_ring(polygon.outer);
        for (const auto& hole : polygon.holes)
            add_ring(hole);
    }
    const std::size_t bands = std::clamp<std::size_t>(p.edges.size() / 4, 1, 4096);
    p.band_height = std::max(p.bounds.height() / static_cast<double>(bands), 1e-9);
    p.band_start.assign(bands + 1, 0);
    const auto span = [&](const Edge& e) {
        return std::pair{p.band_of(std::min(e.a.y, e.b.y)), p.band_of(std::max(e.a.y, e.b.y))};
    };
    for (const auto& e : p.edges)
    {
        const auto [lo, hi] = span(e);
        for (std::size_t k = lo; k <= hi; ++k)
            ++p.band_start[k + 1];
    }
    for (std::size_t k = 1; k <= bands; ++k)
        p.band_start[k] += p.band_start[k - 1];
    p.band_edges.resize(p.band_start.back());
    std::vector<std::uint32_t> fill(p.band_start.begin(), p.band_start.end() - 1);
    for (std::uint32_t i = 0; i < p.edges.size(); ++i)
    {
        const auto [lo, hi] = span(p.edges[i]);
        for (std::size_t k = lo; k <= hi; ++k)
            p.band_edges[fill[k]++] = i;
    }
    return p;
}

bool inside(const PreparedArea& area, Point2 p)
{
    if (p.x < area.bounds.xmin || p.x > area.bounds.xmax || p.y < area.bounds.ymin ||
        p.y > area.bounds.ymax)
        return false;
    const std::size_t band = area.band_of(p.y);
    bool in = false;
    for (std::uint32_t k = area.band_start[band]; k < area.band_start[band + 1]; ++k)
    {
        const Edge& e = area.edges[area.band_edges[k]];
        if ((e.a.y > p.y) != (e.b.y > p.y))
        {
            const double x_cross = e.a.x + (p.y - e.a.y) * (e.b.x - e.a.x) / (e.b.y - e.a.y);
            if (p.x < x_cross)
                in = !in;
        }
    }
    return in;
}

double segment_distance(Point2 p, const Edge& e)
{
    const double dx = e.b.x - e.a.x, dy = e.b.y - e.a.y;
    const double length2 = dx * dx + dy * dy;
    double t = length2 > 0 ? ((p.x - e.a.x) * dx + (p.y - e.a.y) * dy) / length2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    return std::hypot(p.x - (e.a.x + t * dx), p.y - (e.a.y + t * dy));
}
} // namespace

struct AreaIndex::Impl
{
    std::vector<MultiPolygon> shapes;
    std::vector<PreparedArea> prepared;
    bgi::rtree<Entry, bgi::quadratic<16>> tree;
};

AreaIndex::AreaIndex(std::vector<MultiPolygon> shapes) : m_impl(std::make_unique<Impl>())
{
    m_impl->shapes = std::move(shapes);
    std::vector<Entry> entries;
    for (std::uint32_t i = 0; i < m_impl->shapes.size(); ++i)
    {
        m_impl->prepared.push_back(prepare(m_impl->shapes[i]));
        const Box2& b = m_impl->prepared.back().bounds;
        if (!b.empty())
            entries.emplace_back(Box(BoxPoint(b.xmin, b.ymin), BoxPoint(b.xmax, b.ymax)), i);
    }
    m_impl->tree =
        bgi::rtree<Entry, bgi::quadratic<16>>(entries.begin(), entries.end()); // packed build
}

AreaIndex::~AreaIndex() = default;
AreaIndex::AreaIndex(AreaIndex&&) noexcept = default;
AreaIndex& AreaIndex::operator=(AreaIndex&&) noexcept = default;

std::size_t AreaIndex::size() const
{
    return m_impl->shapes.size();
}

const MultiPolygon& AreaIndex::shape(std::size_t area) const
{
    return m_impl->shapes[area];
}

void AreaIndex::containing(Point2 p, std::vector<std::int32_t>& out) const
{
    out.clear();
    const BoxPoint q(p.x, p.y);
    for (auto it = m_impl->tree.qbegin(bgi::intersects(q)); it != m_impl->tree.qend(); ++it)
        if (inside(m_impl->prepared[it->second], p))
            out.push_back(static_cast<std::int32_t>(it->second));
    std::sort(out.begin(), out.end());
}

std::int32_t AreaIndex::locate(Point2 p) const
{
    std::int32_t best = -1;
    const BoxPoint q(p.x, p.y);
    for (auto it = m_impl->tree.qbegin(bgi::intersects(q)); it != m_impl->tree.qend(); ++it)
        if ((best < 0 || static_cast<std::int32_t>(it->second) < best) &&
            inside(m_impl->prepared[it->second], p))
            best = static_cast<std::int32_t>(it->second);
    return best;
}

double AreaIndex::distance_to_edge(std::size_t area, Point2 p, double max_distance_m) const
{
    const PreparedArea& a = m_impl->prepared[area];
    double best = std::numeric_limits<double>::infinity();
    if (std::isfinite(max_distance_m))
    {
        const Box2 reach = a.bounds.grown(max_distance_m);
        if (p.x < reach.xmin || p.x > reach.xmax || p.y < reach.ymin || p.y > reach.ymax)
            return best;
        // Edges within max_distance lie in the bands covering [y - d, y + d]; an edge spanning
        // several of them is seen more than once, which costs a little and changes nothing.
        const std::size_t lo = a.band_of(p.y - max_distance_m),
                          hi = a.band_of(p.y + max_distance_m);
        for (std::size_t band = lo; band <= hi; ++band)
            for (std::uint32_t k = a.band_start[band]; k < a.band_start[band + 1]; ++k)
                best = std::min(best, segment_distance(p, a.edges[a.band_edges[k]]));
        return best <= max_distance_m ? best : std::numeric_limits<double>::infinity();
    }
    for (const auto& e : a.edges)
        best = std::min(best, segment_distance(p, e));
    return best;
}

AreaIndex::Nearest AreaIndex::nearest_within(Point2 p, double max_distance_m) const
{
    Nearest result;
    const Box query(BoxPoint(p.x - max_distance_m, p.y - max_distance_m),
                    BoxPoint(p.x + max_distance_m, p.y + max_distance_m));
    std::vector<Entry> candidates;
    m_impl->tree.query(bgi::intersects(query), std::back_inserter(candidates));
    std::sort(candidates.begin(), candidates.end(),
              [](const Entry& a, const Entry& b) { return a.second < b.second; });
    for (const auto& [box, area] : candidates)
    {
        const double d = distance_to_edge(area, p, max_distance_m);
        if (d < result.distance_m)
            result = {static_cast<std::int32_t>(area), d};
    }
    return result;
}

Point2 AreaIndex::interior_point(std::size_t area) const
{
    // On the largest polygon (by bounding box), the middle of the widest inside stretch of the
    // horizontal line through its vertical middle: inside by construction, even for a crescent.
    const MultiPolygon& shape = m_impl->shapes[area];
    const Polygon* largest = nullptr;
    double largest_area = -1;
    for (const auto& polygon : shape)
    {
        const Box2 b = bounds(MultiPolygon{polygon});
        if (b.width() * b.height() > largest_area)
        {
            largest_area = b.width() * b.height();
            largest = &polygon;
        }
    }
    if (!largest)
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    const Box2 b = bounds(MultiPolygon{*largest});
    const double y = 0.5 * (b.ymin + b.ymax);
    std::vector<double> xs;
    const auto collect = [&](const Ring& ring)
    {
        const std::size_t n = ring.size();
        for (std::size_t i = 0, j = n - 1; i < n; j = i++)
            if ((ring[i].y > y) != (ring[j].y > y))
                xs.push_back(ring[i].x +
                             (y - ring[i].y) * (ring[j].x - ring[i].x) / (ring[j].y - ring[i].y));
    };
    if (largest->outer.size() >= 3)
        collect(largest->outer);
    for (const auto& hole : largest->holes)
        if (hole.size() >= 3)
            collect(hole);
    std::sort(xs.begin(), xs.end());
    Point2 best{0.5 * (b.xmin + b.xmax), y};
    double widest = -1;
    for (std::size_t k = 0; k + 1 < xs.size(); k += 2)
        if (xs[k + 1] - xs[k] > widest)
        {
            widest = xs[k + 1] - xs[k];
            best = {0.5 * (xs[k] + xs[k + 1]), y};
        }
    return best;
}

void locate_points(const AreaIndex& index, const double* x, const double* y, std::size_t n,
                   double max_distance_m, std::int32_t* out)
{
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 4096),
                      [&](const tbb::blocked_range<std::size_t>& range)
                      {
                          for (std::size_t i = range.begin(); i != range.end(); ++i)
                              out[i] = index.locate_within({x[i], y[i]}, max_distance_m);
                      });
}

} // namespace hotspot::engine
