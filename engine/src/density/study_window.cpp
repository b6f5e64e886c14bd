#include "hotspot/engine/density/study_window.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>

namespace hotspot::engine
{

namespace
{
// sum + g[0] cover[0] + g[1] cover[1] + ..., in that order. Not inlined: inlined, GCC keeps the
// sum in memory across the tile lookups around it, and the loop runs at half speed.
[[gnu::noinline]] double add_products(double sum, const double* g, const std::uint8_t* cover,
                                      std::int64_t n)
{
    for (std::int64_t i = 0; i < n; ++i)
        sum += g[i] * cover[i];
    return sum;
}

// Calls f(a, b) for every edge of the window's boundary.
template <class F> void for_each_edge(const StudyWindow& w, F&& f)
{
    if (w.rectangular())
    {
        const Box2& b = w.frame;
        const Point2 corners[4] = {
            {b.xmin, b.ymin}, {b.xmax, b.ymin}, {b.xmax, b.ymax}, {b.xmin, b.ymax}};
        for (int k = 0; k < 4; ++k)
            f(corners[k], corners[(k + 1) % 4]);
        return;
    }
    const auto ring_edges = [&](const Ring& ring)
    {
        for (std::size_t k = 0; k < ring.size(); ++k)
            f(ring[k], ring[(k + 1) % ring.size()]);
    };
    for (const auto* shape : w.shapes)
        for (const auto& polygon : *shape)
        {
            ring_edges(polygon.outer);
            for (const auto& hole : polygon.holes)
                ring_edges(hole);
        }
}

double ring_area(const Ring& ring)
{
    double twice = 0.0;
    for (std::size_t k = 0; k < ring.size(); ++k)
    {
        const Point2& a = ring[k];
        const Point2& b = ring[(k + 1) % ring.size()];
        twice += a.x * b.y - b.x * a.y;
    }
    return std::abs(0.5 * twice);
}

double normal_cdf(double z)
{
    return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

// The finest raster of the window: a billion cells (only the tiles near offences or cells that
// need them are ever built).
constexpr double max_mask_cells = 1e9;
// Raster cells a kernel radius spans, and the samples a side within each cell that measure the
// share of the cell inside the window: an edge is then placed to 1/96 of the radius.
constexpr double cells_per_radius = 24.0;
constexpr std::int64_t samples_per_side = 4;
constexpr double full_cover = samples_per_side * samples_per_side;
// Cells a side of the tiles the raster is built in; a tile wholly inside lets `at` skip the sum.
constexpr std::int64_t tile_cells = 64;
} // namespace

StudyWindow StudyWindow::polygons(std::vector<const MultiPolygon*> shapes)
{
    StudyWindow w;
    for (const auto* s : shapes)
        w.frame.expand(bounds(*s));
    w.shapes = std::move(shapes);
    return w;
}

bool StudyWindow::contains(Point2 p) const
{
    if (rectangular())
        return p.x >= frame.xmin && p.x <= frame.xmax && p.y >= frame.ymin && p.y <= frame.ymax;
    if (p.x < frame.xmin || p.x > frame.xmax || p.y < frame.ymin || p.y > frame.ymax)
        return false;
    return std::any_of(shapes.begin(), shapes.end(),
                       [&](const MultiPolygon* s) { return engine::contains(*s, p); });
}

double area_m2(const MultiPolygon& shape)
{
    double total = 0.0;
    for (const auto& polygon : shape)
    {
        total += ring_area(polygon.outer);
        for (const auto& hole : polygon.holes)
            total -= ring_area(hole);
    }
    return total;
}

double StudyWindow::area_m2() const
{
    if (rectangular())
        return frame.width() * frame.height();
    double total = 0.0;
    for (const auto* s : shapes)
        total += engine::area_m2(*s);
    return total;
}

double StudyWindow::diameter() const
{
    std::vector<Point2> vertices;
    for_each_edge(*this, [&](Point2 a, Point2) { vertices.push_back(a); });
    // All pairs up to a few thousand vertices; beyond, the frame's diagonal bounds it closely.
    if (vertices.size() > 4000)
        return std::hypot(frame.width(), frame.height());
    double best2 = 0.0;
    for (std::size_t i = 0; i < vertices.size(); ++i)
        for (std::size_t j = i + 1; j < vertices.size(); ++j)
            best2 = std::max(best2,
                             (vertices[i].x - vertices[j].x) * (vertices[i].x - vertices[j].x) +
                                 (vertices[i].y - vertices[j].y) * (vertices[i].y - vertices[j].y));
    return std::sqrt(best2);
}

double StudyWindow::distance_to_boundary(Point2 p) const
{
    double best = std::numeric_limits<double>::infinity();
    for_each_edge(*this,
                  [&](Point2 a, Point2 b)
                  {
                      const double ex = b.x - a.x, ey = b.y - a.y;
                      const double len2 = ex * ex + ey * ey;
                      double t = len2 > 0 ? ((p.x - a.x) * ex + (p.y - a.y) * ey) / len2 : 0.0;
                      t = std::clamp(t, 0.0, 1.0);
                      best = std::min(best, std::hypot(a.x + t * ex - p.x, a.y + t * ey - p.y));
                  });
    return best;
}

double StudyWindow::circle_share_inside(Point2 p, double r) const
{
    if (!(r > 0))
        return 1.0;
    // Angles where the circle crosses the boundary split it into arcs wholly inside or outside;
    // the midpoint of each tells which.
    std::vector<double> angles;
    for_each_edge(*this,
                  [&](Point2 a, Point2 b)
                  {
                      const double ex = b.x - a.x, ey = b.y - a.y;
                      const double fx = a.x - p.x, fy = a.y - p.y;
                      const double qa = ex * ex + ey * ey;
                      if (!(qa > 0))
                          return;
                      const double qb = 2.0 * (fx * ex + fy * ey);
                      const double qc = fx * fx + fy * fy - r * r;
                      const double disc = qb * qb - 4.0 * qa * qc;
                      if (disc < 0)
                          return;
                      const double root = std::sqrt(disc);
                      for (const double t : {(-qb - root) / (2.0 * qa), (-qb + root) / (2.0 * qa)})
                          if (t >= 0.0 && t <= 1.0)
                              angles.push_back(std::atan2(fy + t * ey, fx + t * ex));
                  });
    const auto inside_at = [&](double angle) {
        return contains({p.x + r * std::cos(angle), p.y + r * std::sin(angle)});
    };
    if (angles.empty())
        return inside_at(0.0) ? 1.0 : 0.0;
    std::sort(angles.begin(), angles.end());
    double inside = 0.0;
    for (std::size_t k = 0; k < angles.size(); ++k)
    {
        const double from = angles[k];
        const double to =
            k + 1 < angles.size() ? angles[k + 1] : angles.front() + 2.0 * std::numbers::pi;
        if (to - from > 0 && inside_at(0.5 * (from + to)))
            inside += to - from;
    }
    return std::clamp(inside / (2.0 * std::numbers::pi), 0.0, 1.0);
}

// The window as a raster of coverage, built a tile at a time as `at` first needs it: most
// offences and cells lie far from the edge, where no tile is needed at all.
struct EdgeFactor::Mask
{
    struct Tile
    {
        std::vector<std::uint8_t> cover; ///< samples of each cell inside, 0 to full_cover
        bool full = false;               ///< every cell wholly inside
    };

    GridSpec grid;
    std::int64_t tile_cols = 0, tile_rows = 0;
    std::unique_ptr<std::once_flag[]> built;
    // Read before call_once, which is called a cell at a time otherwise: call_once goes through
    // thread-local storage, whose every access is slow under the sanitizers (seven times the run).
    std::unique_ptr<std::atomic<bool>[]> ready;
    std::vector<Tile> tiles;

    const Tile& tile(const StudyWindow& window, std::int64_t tc, std::int64_t tr)
    {
        const std::size_t k = static_cast<std::size_t>(tr * tile_cols + tc);
        if (!ready[k].load(std::memory_order_acquire))
            std::call_once(built[k],
                           [&]
                           {
                               build(window, tc, tr, tiles[k]);
                               ready[k].store(true, std::memory_order_release);
                           });
        return tiles[k];
    }

    void build(const StudyWindow& window, std::int64_t tc, std::int64_t tr, Tile& t) const
    {
        const double cell = grid.cell_m;
        GridSpec local;
        local.origin_x = grid.origin_x + static_cast<double>(tc * tile_cells) * cell;
        local.origin_y = grid.origin_y - static_cast<double>(tr * tile_cells) * cell;
        local.cell_m = cell;
        local.cols = local.rows = tile_cells;
        t.cover.assign(static_cast<std::size_t>(tile_cells * tile_cells), 0);
        if (window.rectangular())
        {
            // The share of each cell inside the rectangle, exactly, in sixteenths.
            const Box2& b = window.frame;
            const auto overlap = [](double lo, double hi, double a, double z)
            { return std::max(0.0, std::min(hi, z) - std::max(lo, a)); };
            for (std::int64_t r = 0; r < tile_cells; ++r)
                for (std::int64_t c = 0; c < tile_cells; ++c)
                {
                    const double x0 = local.origin_x + static_cast<double>(c) * cell;
                    const double y1 = local.origin_y - static_cast<double>(r) * cell;
                    const double share = overlap(x0, x0 + cell, b.xmin, b.xmax) *
                                         overlap(y1 - cell, y1, b.ymin, b.ymax) / (cell * cell);
                    t.cover[static_cast<std::size_t>(r * tile_cells + c)] =
                        static_cast<std::uint8_t>(std::lround(share * full_cover));
                }
        }
        else
        {
            // Each cell sampled at a 4 x 4 lattice: a four times finer raster of the tile.
            GridSpec fine = local;
            fine.cell_m = cell / samples_per_side;
            fine.cols = fine.rows = tile_cells * samples_per_side;
            const auto samples = rasterize_mask_rows(window.shapes, fine, 0, fine.rows);
            for (std::int64_t r = 0; r < fine.rows; ++r)
                for (std::int64_t c = 0; c < fine.cols; ++c)
                    t.cover[static_cast<std::size_t>((r / samples_per_side) * tile_cells +
                                                     c / samples_per_side)] +=
                        samples[static_cast<std::size_t>(r * fine.cols + c)];
        }
        t.full = std::all_of(t.cover.begin(), t.cover.end(),
                             [](std::uint8_t v) { return v == full_cover; });
    }
};

EdgeFactor::EdgeFactor(const StudyWindow& window, Kernel kernel, double bandwidth_m)
    : window_(window), kernel_(kernel), bandwidth_m_(bandwidth_m),
      radius_m_(kernel_support_radius(kernel, bandwidth_m))
{
    if (kernel == Kernel::Gaussian && window.rectangular())
        return;
    const Box2 box = window.frame.grown(radius_m_);
    double cell = radius_m_ / cells_per_radius;
    cell = std::max(cell, std::sqrt(box.width() * box.height() / max_mask_cells));
    auto mask = std::make_shared<Mask>();
    mask->grid = grid_for_extent(box, cell);
    mask->tile_cols = (mask->grid.cols + tile_cells - 1) / tile_cells;
    mask->tile_rows = (mask->grid.rows + tile_cells - 1) / tile_cells;
    const auto tiles = static_cast<std::size_t>(mask->tile_cols * mask->tile_rows);
    mask->built = std::make_unique<std::once_flag[]>(tiles);
    mask->ready = std::make_unique<std::atomic<bool>[]>(tiles);
    mask->tiles.resize(tiles);
    mask_ = std::move(mask);
}

// The columns c0..c1 of a row of the mask a tile at a time, in order: one tile lookup a tile
// rather than a cell. cover[c - first] is column c's.
struct EdgeFactor::TileSpan
{
    const EdgeFactor& factor;
    std::int64_t row, c0, c1;
    std::int64_t first = 0, last = -1;
    const std::uint8_t* cover = nullptr;

    bool next()
    {
        first = last < c0 ? c0 : last + 1;
        if (first > c1)
            return false;
        const std::int64_t tc = first / tile_cells;
        last = std::min(c1, (tc + 1) * tile_cells - 1);
        cover =
            factor.mask_->tile(factor.window_, tc, row / tile_cells).cover.data() +
            static_cast<std::size_t>((row % tile_cells) * tile_cells + (first - tc * tile_cells));
        return true;
    }
};

double EdgeFactor::at(double x, double y) const
{
    if (!mask_)
    {
        const Box2& b = window_.frame;
        const double s = bandwidth_m_;
        return (normal_cdf((b.xmax - x) / s) - normal_cdf((b.xmin - x) / s)) *
               (normal_cdf((b.ymax - y) / s) - normal_cdf((b.ymin - y) / s));
    }
    const GridSpec& g = mask_->grid;
    const std::int64_t c0 = std::max<std::int64_t>(0, g.col_of(x - radius_m_));
    const std::int64_t c1 = std::min<std::int64_t>(g.cols - 1, g.col_of(x + radius_m_));
    const std::int64_t r0 = std::max<std::int64_t>(0, g.row_of(y + radius_m_));
    const std::int64_t r1 = std::min<std::int64_t>(g.rows - 1, g.row_of(y - radius_m_));
    if (c0 > c1 || r0 > r1)
        return 0.0;
    bool whole = true;
    for (std::int64_t tr = r0 / tile_cells; whole && tr <= r1 / tile_cells; ++tr)
        for (std::int64_t tc = c0 / tile_cells; whole && tc <= c1 / tile_cells; ++tc)
            whole = mask_->tile(window_, tc, tr).full;
    if (whole && window_.contains({x, y}))
        return 1.0;
    double inside = 0.0, all = 0.0;
    if (kernel_ == Kernel::Gaussian)
    {
        // Separable: one exponential a column and a row instead of one a cell.
        thread_local std::vector<double> gx, gy;
        gx.resize(static_cast<std::size_t>(c1 - c0 + 1));
        gy.resize(static_cast<std::size_t>(r1 - r0 + 1));
        const double k = 1.0 / (2.0 * bandwidth_m_ * bandwidth_m_);
        for (std::int64_t c = c0; c <= c1; ++c)
        {
            const double dx = g.center_x(c) - x;
            gx[static_cast<std::size_t>(c - c0)] = std::exp(-k * dx * dx);
        }
        for (std::int64_t r = r0; r <= r1; ++r)
        {
            const double dy = g.center_y(r) - y;
            gy[static_cast<std::size_t>(r - r0)] = std::exp(-k * dy * dy);
        }
        double sum_x = 0.0;
        for (const double v : gx)
            sum_x += v;
        for (std::int64_t r = r0; r <= r1; ++r)
        {
            double row = 0.0;
            for (TileSpan span{*this, r, c0, c1}; span.next();)
                row = add_products(row, gx.data() + (span.first - c0), span.cover,
                                   span.last - span.first + 1);
            inside += gy[static_cast<std::size_t>(r - r0)] * row;
            all += gy[static_cast<std::size_t>(r - r0)] * sum_x;
        }
        return all > 0 ? inside / (all * full_cover) : 0.0;
    }
    for (std::int64_t r = r0; r <= r1; ++r)
    {
        const double dy = g.center_y(r) - y;
        for (TileSpan span{*this, r, c0, c1}; span.next();)
            for (std::int64_t c = span.first; c <= span.last; ++c)
            {
                const double dx = g.center_x(c) - x;
                const double k = kernel_value(kernel_, bandwidth_m_, dx * dx + dy * dy);
                if (k == 0)
                    continue;
                all += k;
                inside += k * span.cover[c - span.first];
            }
    }
    return all > 0 ? inside / (all * full_cover) : 0.0;
}

Incidents diggle_weighted(const Incidents& incidents, const StudyWindow& window, Kernel kernel,
                          double bandwidth_m, const std::vector<double>& point_bandwidth_m)
{
    Incidents out = incidents;
    if (point_bandwidth_m.empty())
    {
        const EdgeFactor e(window, kernel, bandwidth_m);
        for (std::size_t i = 0; i < out.size(); ++i)
            out.set_weight(i, out.weight_of(i) / e.at(out.x[i], out.y[i]));
        return out;
    }
    // One edge factor per 1% band of bandwidths, built only for offences within reach of the
    // edge (the rest have e = 1).
    std::map<long, std::unique_ptr<EdgeFactor>> factors;
    for (std::size_t i = 0; i < out.size(); ++i)
    {
        const double h = point_bandwidth_m[i];
        if (window.distance_to_boundary({out.x[i], out.y[i]}) >= kernel_support_radius(kernel, h))
            continue;
        const long band = std::lround(std::log(h) / 0.01);
        auto& factor = factors[band];
        if (!factor)
            factor = std::make_unique<EdgeFactor>(window, kernel,
                                                  std::exp(static_cast<double>(band) * 0.01));
        out.set_weight(i, out.weight_of(i) / factor->at(out.x[i], out.y[i]));
    }
    return out;
}

WindowPopulation window_population(const Incidents& incidents, const StudyWindow& window,
                                   const std::vector<double>& reach)
{
    const bool own = reach.size() == incidents.size() && reach.size() != 1;
    // Which offences are in (2) or reach in (1), in parallel; then summed in order, so that the
    // weights add up to the same bits for any number of threads.
    std::vector<std::uint8_t> where(incidents.size(), 0);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, incidents.size(), 4096),
                      [&](const tbb::blocked_range<std::size_t>& range)
                      {
                          for (std::size_t i = range.begin(); i != range.end(); ++i)
                          {
                              const Point2 at{incidents.x[i], incidents.y[i]};
                              if (window.contains(at))
                              {
                                  where[i] = 2;
                                  continue;
                              }
                              const double r = own ? reach[i] : reach.empty() ? 0.0 : reach.front();
                              const Box2& f = window.frame;
                              if (at.x <= f.xmin - r || at.x >= f.xmax + r || at.y <= f.ymin - r ||
                                  at.y >= f.ymax + r)
                                  continue;
                              where[i] = window.distance_to_boundary(at) < r;
                          }
                      });
    WindowPopulation p;
    for (std::size_t i = 0; i < where.size(); ++i)
    {
        if (!where[i])
            continue;
        const double w = incidents.weight_of(i);
        ++p.reaching;
        p.reaching_weight += w;
        if (where[i] == 2)
        {
            ++p.inside;
            p.inside_weight += w;
        }
    }
    return p;
}

void divide_by_edge_factor(const EdgeFactor& edge, const GridSpec& grid, std::int64_t first_row,
                           std::int64_t row_count, double* values, double nodata)
{
    tbb::parallel_for(first_row, first_row + row_count,
                      [&](std::int64_t r)
                      {
                          double* row = values + (r - first_row) * grid.cols;
                          const double y = grid.center_y(r);
                          for (std::int64_t c = 0; c < grid.cols; ++c)
                              if (row[c] != nodata && row[c] != 0)
                                  row[c] /= edge.at(grid.center_x(c), y);
                      });
}

StripFigures finish_rows(const StripFinish& f, std::int64_t first, std::int64_t count,
                         std::vector<double>& values)
{
    if (!f.shapes.empty())
    {
        const auto mask = rasterize_mask_rows(f.shapes, f.grid, first, count);
        for (std::size_t k = 0; k < values.size(); ++k)
            if (!mask[k])
                values[k] = f.nodata;
    }
    if (f.edge)
        divide_by_edge_factor(*f.edge, f.grid, first, count, values.data(), f.nodata);
    StripFigures figures;
    for (const double v : values)
        if (v != f.nodata)
        {
            figures.peak = std::max(figures.peak, v);
            ++figures.cells_with_data;
        }
    return figures;
}

} // namespace hotspot::engine
