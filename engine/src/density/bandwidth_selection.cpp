// Bandwidth selectors with spatstat's definitions: bw.scott, bw.ppl, bw.diggle and bw.CvL.

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/density/bandwidth.hpp"

#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <optional>

namespace hotspot::engine
{

namespace
{
constexpr double pi = std::numbers::pi;
// spatstat truncates the Gaussian at 8 sigma (its kernel table's half-width).
constexpr double cutoff_sigmas = 8.0;
// Grid nodes per sigma for binned sums, and the most nodes a side.
constexpr double nodes_per_sigma = 8.0;
constexpr std::int64_t max_nodes_side = 2048;

// Points bucketed in square cells, for finding the pairs within a distance.
class PointGrid
{
  public:
    PointGrid(const std::vector<Point2>& points, double cell) : points_(points)
    {
        Box2 box;
        for (const auto& p : points)
            box.expand(p.x, p.y);
        // No more cells than four per point, however small the cell asked for.
        const double area = std::max(box.width(), 1.0) * std::max(box.height(), 1.0);
        cell_ = std::max(cell, std::sqrt(area / (4.0 * static_cast<double>(points.size()) + 1.0)));
        x0_ = box.xmin;
        y0_ = box.ymin;
        cols_ = static_cast<std::int64_t>(box.width() / cell_) + 1;
        rows_ = static_cast<std::int64_t>(box.height() / cell_) + 1;
        start_.assign(static_cast<std::size_t>(cols_ * rows_ + 1), 0);
        std::vector<std::size_t> cell_of(points.size());
        for (std::size_t i = 0; i < points.size(); ++i)
        {
            cell_of[i] = static_cast<std::size_t>(row(points[i].y) * cols_ + col(points[i].x));
            ++start_[cell_of[i] + 1];
        }
        std::partial_sum(start_.begin(), start_.end(), start_.begin());
        order_.resize(points.size());
        std::vector<std::size_t> next(start_.begin(), start_.end() - 1);
        for (std::size_t i = 0; i < points.size(); ++i)
            order_[next[cell_of[i]]++] = static_cast<std::uint32_t>(i);
    }

    /// Calls f(j, d2) for every point j within `radius` of p (p's own index included).
    template <class F> void within(Point2 p, double radius, F&& f) const
    {
        const std::int64_t c0 = std::max<std::int64_t>(0, col(p.x - radius));
        const std::int64_t c1 = std::min<std::int64_t>(cols_ - 1, col(p.x + radius));
        const std::int64_t r0 = std::max<std::int64_t>(0, row(p.y - radius));
        const std::int64_t r1 = std::min<std::int64_t>(rows_ - 1, row(p.y + radius));
        const double r2 = radius * radius;
        for (std::int64_t r = r0; r <= r1; ++r)
            for (std::size_t k = start_[static_cast<std::size_t>(r * cols_ + c0)],
                             end = start_[static_cast<std::size_t>(r * cols_ + c1 + 1)];
                 k < end; ++k)
            {
                const std::uint32_t j = order_[k];
                const double dx = points_[j].x - p.x, dy = points_[j].y - p.y;
                const double d2 = dx * dx + dy * dy;
                if (d2 <= r2)
                    f(j, d2);
            }
    }

    /// Pairs (i, j), self included, whose cells lie within `radius`: the work of `within` for all.
    double candidate_pairs(double radius) const
    {
        const std::int64_t reach = static_cast<std::int64_t>(std::ceil(radius / cell_));
        double total = 0.0;
        for (std::int64_t r = 0; r < rows_; ++r)
        {
            const std::int64_t r0 = std::max<std::int64_t>(0, r - reach);
            const std::int64_t r1 = std::min<std::int64_t>(rows_ - 1, r + reach);
            for (std::int64_t c = 0; c < cols_; ++c)
            {
                const double here = static_cast<double>(count(r, c, c));
                if (here == 0)
                    continue;
                const std::int64_t c0 = std::max<std::int64_t>(0, c - reach);
                const std::int64_t c1 = std::min<std::int64_t>(cols_ - 1, c + reach);
                double around = 0.0;
                for (std::int64_t rr = r0; rr <= r1; ++rr)
                    around += static_cast<double>(count(rr, c0, c1));
                total += here * around;
            }
        }
        return total;
    }

    double cell() const { return cell_; }

  private:
    std::int64_t col(double x) const
    {
        return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((x - x0_) / cell_)), 0,
                                        cols_ - 1);
    }
    std::int64_t row(double y) const
    {
        return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((y - y0_) / cell_)), 0,
                                        rows_ - 1);
    }
    std::size_t count(std::int64_t r, std::int64_t c0, std::int64_t c1) const
    {
        return start_[static_cast<std::size_t>(r * cols_ + c1 + 1)] -
               start_[static_cast<std::size_t>(r * cols_ + c0)];
    }

    const std::vector<Point2>& points_;
    double cell_ = 1.0, x0_ = 0.0, y0_ = 0.0;
    std::int64_t cols_ = 1, rows_ = 1;
    std::vector<std::size_t> start_;
    std::vector<std::uint32_t> order_;
};

// Distance from each point to the nearest point at another location (infinity if none), and
// whether another point shares its location.
struct Neighbours
{
    std::vector<double> nearest;
    std::vector<std::uint8_t> duplicated;
};

Neighbours nearest_distinct(const std::vector<Point2>& points)
{
    Box2 box;
    for (const auto& p : points)
        box.expand(p.x, p.y);
    const double area = std::max(box.width(), 1.0) * std::max(box.height(), 1.0);
    const PointGrid grid(points, std::sqrt(area / static_cast<double>(points.size())));
    Neighbours out;
    out.nearest.assign(points.size(), std::numeric_limits<double>::infinity());
    out.duplicated.assign(points.size(), 0);
    const double diagonal = std::hypot(box.width(), box.height());
    tbb::parallel_for(std::size_t{0}, points.size(),
                      [&](std::size_t i)
                      {
                          double best2 = std::numeric_limits<double>::infinity();
                          for (double radius = grid.cell();; radius *= 2.0)
                          {
                              grid.within(points[i], radius,
                                          [&](std::uint32_t j, double d2)
                                          {
                                              if (d2 > 0 && d2 < best2)
                                                  best2 = d2;
                                              if (d2 == 0 && j != i)
                                                  out.duplicated[i] = 1;
                                          });
                              if (best2 <= radius * radius || radius > 2.0 * diagonal)
                                  break;
                          }
                          out.nearest[i] = std::sqrt(best2);
                      });
    return out;
}

// Exact sums of any kernel within its reach (8 sigma for the Gaussian, as spatstat).
std::vector<double> exact_sums(const std::vector<Point2>& points,
                               const std::vector<double>* weights, const PointGrid& grid,
                               Kernel kernel, double bandwidth, bool include_self)
{
    const double reach = kernel == Kernel::Gaussian ? cutoff_sigmas * bandwidth
                                                    : kernel_support_radius(kernel, bandwidth);
    const double k = 1.0 / (2.0 * bandwidth * bandwidth);
    const double norm = 1.0 / (2.0 * pi * bandwidth * bandwidth);
    std::vector<double> sums(points.size());
    tbb::parallel_for(std::size_t{0}, points.size(),
                      [&](std::size_t i)
                      {
                          double s = 0.0;
                          grid.within(points[i], reach,
                                      [&](std::uint32_t j, double d2)
                                      {
                                          if (j == i && !include_self)
                                              return;
                                          const double w = weights ? (*weights)[j] : 1.0;
                                          s += w * (kernel == Kernel::Gaussian
                                                        ? norm * std::exp(-k * d2)
                                                        : kernel_value(kernel, bandwidth, d2));
                                      });
                          sums[i] = s;
                      });
    return sums;
}

// Linear binning onto nodes `step` apart, separable Gaussian smoothing of the node masses, and
// bilinear interpolation back at the points with the binning's own weights. The point's own
// share, spread and gathered by the same weights, is then known exactly and taken out.
std::vector<double> binned_sums(const std::vector<Point2>& points,
                                const std::vector<double>* weights, double sigma, bool include_self)
{
    Box2 box;
    for (const auto& p : points)
        box.expand(p.x, p.y);
    double step = sigma / nodes_per_sigma;
    step = std::max({step, box.width() / static_cast<double>(max_nodes_side - 2),
                     box.height() / static_cast<double>(max_nodes_side - 2)});
    const std::int64_t cols = static_cast<std::int64_t>(box.width() / step) + 2;
    const std::int64_t rows = static_cast<std::int64_t>(box.height() / step) + 2;
    const auto locate =
        [&](const Point2& p, std::int64_t& c, std::int64_t& r, double& tx, double& ty)
    {
        const double fx = (p.x - box.xmin) / step, fy = (p.y - box.ymin) / step;
        c = std::min<std::int64_t>(cols - 2, static_cast<std::int64_t>(fx));
        r = std::min<std::int64_t>(rows - 2, static_cast<std::int64_t>(fy));
        tx = fx - static_cast<double>(c);
        ty = fy - static_cast<double>(r);
    };
    std::vector<double> mass(static_cast<std::size_t>(cols * rows), 0.0);
    for (std::size_t i = 0; i < points.size(); ++i)
    {
        std::int64_t c, r;
        double tx, ty;
        locate(points[i], c, r, tx, ty);
        const double w = weights ? (*weights)[i] : 1.0;
        double* m = &mass[static_cast<std::size_t>(r * cols + c)];
        m[0] += w * (1 - tx) * (1 - ty);
        m[1] += w * tx * (1 - ty);
        m[cols] += w * (1 - tx) * ty;
        m[cols + 1] += w * tx * ty;
    }
    // Binning and interpolation each blur by a tent of variance step^2/6 an axis: smoothing with a
    // correspondingly narrower Gaussian leaves the total variance sigma^2.
    const double taps_sigma =
        std::sqrt(std::max(sigma * sigma - step * step / 3.0, 0.25 * sigma * sigma));
    const std::int64_t half = static_cast<std::int64_t>(std::ceil(cutoff_sigmas * sigma / step));
    std::vector<double> taps(static_cast<std::size_t>(half + 1));
    for (std::int64_t d = 0; d <= half; ++d)
    {
        const double x = static_cast<double>(d) * step;
        taps[static_cast<std::size_t>(d)] = std::exp(-x * x / (2.0 * taps_sigma * taps_sigma));
    }
    const auto tap = [&](std::int64_t d)
    { return std::abs(d) > half ? 0.0 : taps[static_cast<std::size_t>(std::abs(d))]; };
    // Rows, then columns.
    std::vector<double> across(mass.size(), 0.0), smooth(mass.size(), 0.0);
    tbb::parallel_for(std::int64_t{0}, rows,
                      [&](std::int64_t r)
                      {
                          const double* in = &mass[static_cast<std::size_t>(r * cols)];
                          double* out = &across[static_cast<std::size_t>(r * cols)];
                          for (std::int64_t c = 0; c < cols; ++c)
                          {
                              if (in[c] == 0)
                                  continue;
                              for (std::int64_t d = std::max<std::int64_t>(-half, -c);
                                   d <= std::min<std::int64_t>(half, cols - 1 - c); ++d)
                                  out[c + d] += in[c] * taps[static_cast<std::size_t>(std::abs(d))];
                          }
                      });
    tbb::parallel_for(std::int64_t{0}, rows,
                      [&](std::int64_t r)
                      {
                          double* out = &smooth[static_cast<std::size_t>(r * cols)];
                          for (std::int64_t rr = std::max<std::int64_t>(0, r - half);
                               rr <= std::min<std::int64_t>(rows - 1, r + half); ++rr)
                          {
                              const double w = taps[static_cast<std::size_t>(std::abs(rr - r))];
                              const double* in = &across[static_cast<std::size_t>(rr * cols)];
                              for (std::int64_t c = 0; c < cols; ++c)
                                  out[c] += w * in[c];
                          }
                      });
    const double norm = 1.0 / (2.0 * pi * taps_sigma * taps_sigma);
    std::vector<double> sums(points.size());
    tbb::parallel_for(
        std::size_t{0}, points.size(),
        [&](std::size_t i)
        {
            std::int64_t c, r;
            double tx, ty;
            locate(points[i], c, r, tx, ty);
            const std::array<double, 4> w{(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty,
                                          tx * ty};
            const std::array<std::int64_t, 4> dc{0, 1, 0, 1}, dr{0, 0, 1, 1};
            double value = 0.0, self = 0.0;
            for (int a = 0; a < 4; ++a)
            {
                value += w[a] * smooth[static_cast<std::size_t>((r + dr[a]) * cols + c + dc[a])];
                for (int b = 0; b < 4; ++b)
                    self += w[a] * w[b] * tap(dc[a] - dc[b]) * tap(dr[a] - dr[b]);
            }
            const double own = weights ? (*weights)[i] : 1.0;
            sums[i] = norm * (value - own * self + (include_self ? own : 0.0));
        });
    return sums;
}

struct SumsContext
{
    const std::vector<Point2>& points;
    Neighbours neighbours;
};

// `rough`: binning down to two nodes a sigma is allowed (5% or more off in sparse places), for
// the search's first, coarse look.
std::vector<double> gaussian_sums(const std::vector<Point2>& points,
                                  const std::vector<double>* weights, double sigma,
                                  bool include_self, SumMethod method = SumMethod::Cheaper,
                                  bool rough = false)
{
    if (method == SumMethod::Binned)
        return binned_sums(points, weights, sigma, include_self);
    if (method == SumMethod::Exact)
        return exact_sums(points, weights, PointGrid(points, cutoff_sigmas * sigma),
                          Kernel::Gaussian, sigma, include_self);
    // The cheaper of the two, where binning is fine enough to be accurate (a node every eighth
    // of sigma: 0.15% off on average; a quarter is 5% off at the worst): exact sums cost an
    // exponential a pair within reach, binned ones a multiply-add per node and tap.
    const PointGrid grid(points, cutoff_sigmas * sigma);
    const double exact_cost = 5.0 * grid.candidate_pairs(cutoff_sigmas * sigma);
    Box2 box;
    for (const auto& p : points)
        box.expand(p.x, p.y);
    const double step =
        std::max({sigma / nodes_per_sigma, box.width() / static_cast<double>(max_nodes_side - 2),
                  box.height() / static_cast<double>(max_nodes_side - 2)});
    const double nodes = (box.width() / step + 2) * (box.height() / step + 2);
    const double binned_cost = nodes * 2.0 * (2.0 * std::ceil(cutoff_sigmas * sigma / step) + 1.0) +
                               16.0 * static_cast<double>(points.size());
    const bool binned_accurate = sigma / step >= (rough ? 2.0 : nodes_per_sigma - 1e-9);
    return binned_accurate && binned_cost < exact_cost
               ? binned_sums(points, weights, sigma, include_self)
               : exact_sums(points, weights, grid, Kernel::Gaussian, sigma, include_self);
}

std::vector<double> sums_at(const SumsContext& ctx, double sigma, bool include_self, bool rough)
{
    std::vector<double> sums =
        gaussian_sums(ctx.points, nullptr, sigma, include_self, SumMethod::Cheaper, rough);
    // An offence with no other within the cutoff still has its nearest neighbour's term
    // (spatstat widens the cutoff to twice the largest nearest-neighbour distance), so that the
    // likelihood is finite.
    for (std::size_t i = 0; i < sums.size(); ++i)
    {
        const double d = ctx.neighbours.nearest[i];
        if (!(sums[i] > 0) && std::isfinite(d))
            sums[i] = std::exp(-d * d / (2 * sigma * sigma)) / (2 * pi * sigma * sigma);
    }
    return sums;
}

// The integral over W of the edge-corrected density, as spatstat's integral.im of density.ppp:
// on its default 128 x 128 pixels over the window's frame, the offences counted in their pixel,
// and the counts and the window's mask smoothed by the same Gaussian taps (pixel area and the
// kernel's constant cancel): the sum over pixels in W of smoothed counts / smoothed mask.
class PixelIntegral
{
  public:
    PixelIntegral(const std::vector<Point2>& points, const StudyWindow& window)
        : xstep_(window.frame.width() / dim), ystep_(window.frame.height() / dim),
          counts_(dim * dim, 0.0), inside_(dim * dim, 0.0)
    {
        const Box2& f = window.frame;
        const auto index = [](double v) { return std::clamp(static_cast<int>(v), 0, dim - 1); };
        for (const auto& p : points)
            counts_[static_cast<std::size_t>(index((f.ymax - p.y) / ystep_) * dim +
                                             index((p.x - f.xmin) / xstep_))] += 1.0;
        for (int r = 0; r < dim; ++r)
            for (int c = 0; c < dim; ++c)
                inside_[static_cast<std::size_t>(r * dim + c)] =
                    window.contains({f.xmin + (c + 0.5) * xstep_, f.ymax - (r + 0.5) * ystep_})
                        ? 1.0
                        : 0.0;
    }

    double operator()(double sigma) const
    {
        const auto smoothed = [&](const std::vector<double>& in)
        {
            const auto taps = [&](double step)
            {
                const int half = std::min(dim - 1, static_cast<int>(std::ceil(8 * sigma / step)));
                std::vector<double> t(static_cast<std::size_t>(half + 1));
                for (int k = 0; k <= half; ++k)
                    t[static_cast<std::size_t>(k)] =
                        std::exp(-(k * step) * (k * step) / (2 * sigma * sigma));
                return t;
            };
            const auto tx = taps(xstep_), ty = taps(ystep_);
            const int hx = static_cast<int>(tx.size()) - 1, hy = static_cast<int>(ty.size()) - 1;
            std::vector<double> across(in.size(), 0.0), out(in.size(), 0.0);
            for (int r = 0; r < dim; ++r)
                for (int c = 0; c < dim; ++c)
                {
                    const double v = in[static_cast<std::size_t>(r * dim + c)];
                    if (v == 0)
                        continue;
                    for (int d = std::max(-hx, -c); d <= std::min(hx, dim - 1 - c); ++d)
                        across[static_cast<std::size_t>(r * dim + c + d)] +=
                            v * tx[static_cast<std::size_t>(std::abs(d))];
                }
            for (int r = 0; r < dim; ++r)
                for (int d = std::max(-hy, -r); d <= std::min(hy, dim - 1 - r); ++d)
                {
                    const double w = ty[static_cast<std::size_t>(std::abs(d))];
                    for (int c = 0; c < dim; ++c)
                        out[static_cast<std::size_t>((r + d) * dim + c)] +=
                            w * across[static_cast<std::size_t>(r * dim + c)];
                }
            return out;
        };
        const auto s = smoothed(counts_), e = smoothed(inside_);
        double total = 0.0;
        for (std::size_t k = 0; k < s.size(); ++k)
            if (inside_[k] > 0 && e[k] > 0)
                total += s[k] / e[k];
        return total;
    }

  private:
    static constexpr int dim = 128;
    double xstep_, ystep_;
    std::vector<double> counts_, inside_;
};

// The search: spatstat's 16 values on a log scale over [lo, hi], then golden-section search on
// log sigma between the neighbours of the best, where spatstat stops at the best of the 16.
template <class Score>
SelectedSigma optimise(double lo, double hi, bool maximise, Score&& score,
                       const RunContext& context)
{
    SelectedSigma out;
    const int n = 16;
    const auto value = [&](double s, bool rough = false)
    {
        const double v = score(s, rough);
        return std::isfinite(v) ? (maximise ? v : -v) : -std::numeric_limits<double>::infinity();
    };
    std::vector<double> values;
    for (int k = 0; k < n; ++k)
    {
        const double s = lo * std::pow(hi / lo, static_cast<double>(k) / (n - 1));
        out.sigmas.push_back(s);
        values.push_back(value(s, true));
        out.scores.push_back(maximise ? values.back() : -values.back());
        context.report(0.7 * (k + 1) / n);
    }
    const auto best =
        static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
    out.at_range_end = best == 0 || best == n - 1;
    double a = std::log(out.sigmas[static_cast<std::size_t>(std::max(0, best - 1))]);
    double b = std::log(out.sigmas[static_cast<std::size_t>(std::min(n - 1, best + 1))]);
    const double golden = (std::sqrt(5.0) - 1.0) / 2.0;
    double c = b - golden * (b - a), d = a + golden * (b - a);
    double fc = value(std::exp(c)), fd = value(std::exp(d));
    for (int iteration = 0; iteration < 40 && b - a > 1e-3; ++iteration)
    {
        if (fc >= fd)
        {
            b = d;
            d = c;
            fd = fc;
            c = b - golden * (b - a);
            fc = value(std::exp(c));
        }
        else
        {
            a = c;
            c = d;
            fc = fd;
            d = a + golden * (b - a);
            fd = value(std::exp(d));
        }
        context.report(0.7 + 0.3 * (iteration + 1) / 40.0);
    }
    out.sigma_m = std::exp(0.5 * (a + b));
    if (out.at_range_end)
        out.sigma_m = out.sigmas[static_cast<std::size_t>(best)];
    return out;
}

// Ripley's K function as spatstat's Kest(correction = "good") computes it for bw.diggle: the
// isotropic correction below 1,000 points, translation below 3,000, border below 100,000, none
// beyond. `r` is an even grid from 0.
std::vector<double> k_function(const std::vector<Point2>& points, const StudyWindow& window,
                               const std::vector<double>& r, std::string& correction)
{
    enum class Correction
    {
        Isotropic,
        Translate,
        Border,
        None
    };
    const std::size_t n = points.size();
    const double area = window.area_m2();
    const double rmax = r.back();
    const double step = r[1] - r[0];
    Correction chosen = n < 1000     ? Correction::Isotropic
                        : n < 3000   ? Correction::Translate
                        : n < 100000 ? Correction::Border
                                     : Correction::None;
    // Translation needs |W and W shifted|, exact for a rectangle only: polygons take isotropic.
    if (chosen == Correction::Translate && !window.rectangular())
        chosen = Correction::Isotropic;
    correction = chosen == Correction::Isotropic   ? "isotropic"
                 : chosen == Correction::Translate ? "translate"
                 : chosen == Correction::Border    ? "border"
                                                   : "none";
    // spatstat counts a pair at distance d in every r >= d.
    const auto bin_of = [&](double d)
    { return static_cast<std::size_t>(std::max(0.0, std::ceil(d / step - 1e-12))); };
    const PointGrid grid(points, rmax);
    const double frame_w = window.frame.width(), frame_h = window.frame.height();
    // Pairs by blocks of points in parallel, each block its own histograms, added in block order:
    // the same sums whatever the threads. Border: per-r sums of neighbours counted from points
    // far enough from the edge, and how many such points; else weighted pair counts.
    const std::size_t block = 2048;
    const std::size_t blocks = (n + block - 1) / block;
    std::vector<std::vector<double>> numerators(blocks), denominators(blocks);
    tbb::parallel_for(
        std::size_t{0}, blocks,
        [&](std::size_t b)
        {
            std::vector<double>& numerator = numerators[b];
            std::vector<double>& denominator = denominators[b];
            numerator.assign(r.size(), 0.0);
            denominator.assign(r.size(), 0.0);
            std::vector<double> here(r.size());
            for (std::size_t i = b * block; i < std::min(n, (b + 1) * block); ++i)
            {
                std::fill(here.begin(), here.end(), 0.0);
                grid.within(
                    points[i], rmax,
                    [&](std::uint32_t j, double d2)
                    {
                        if (j == i)
                            return;
                        const double d = std::sqrt(d2);
                        const std::size_t k = bin_of(d);
                        if (k >= r.size())
                            return;
                        double weight = 1.0;
                        if (chosen == Correction::Isotropic)
                            weight = 1.0 / std::max(window.circle_share_inside(points[i], d), 0.01);
                        else if (chosen == Correction::Translate)
                        {
                            const double dx = std::abs(points[j].x - points[i].x);
                            const double dy = std::abs(points[j].y - points[i].y);
                            weight = std::min(100.0, frame_w * frame_h /
                                                         ((frame_w - dx) * (frame_h - dy)));
                        }
                        here[k] += weight;
                    });
                if (chosen != Correction::Border)
                {
                    for (std::size_t k = 0; k < r.size(); ++k)
                        numerator[k] += here[k];
                    continue;
                }
                const double edge = window.distance_to_boundary(points[i]);
                double cumulative = 0.0;
                for (std::size_t k = 0; k < r.size(); ++k)
                {
                    cumulative += here[k];
                    if (edge >= r[k])
                    {
                        numerator[k] += cumulative;
                        denominator[k] += 1.0;
                    }
                }
            }
        });
    std::vector<double> numerator(r.size(), 0.0), denominator(r.size(), 0.0);
    for (std::size_t b = 0; b < blocks; ++b)
        for (std::size_t k = 0; k < r.size(); ++k)
        {
            numerator[k] += numerators[b][k];
            denominator[k] += denominators[b][k];
        }
    std::vector<double> k(r.size());
    if (chosen == Correction::Border)
    {
        // K(r) = sum over i with b_i >= r of #{j: d_ij <= r} / (lambda * #{i: b_i >= r}).
        const double lambda = static_cast<double>(n) / area;
        for (std::size_t q = 0; q < r.size(); ++q)
            k[q] = denominator[q] > 0 ? numerator[q] / (lambda * denominator[q])
                                      : std::numeric_limits<double>::quiet_NaN();
        return k;
    }
    std::partial_sum(numerator.begin(), numerator.end(), k.begin());
    const double lambda2 = static_cast<double>(n) * static_cast<double>(n - 1) / (area * area);
    for (auto& c : k)
        c /= lambda2 * area;
    return k;
}

SelectedSigma diggle(const std::vector<Point2>& points, const StudyWindow& window)
{
    const double area = window.area_m2();
    const double lambda = static_cast<double>(points.size()) / area;
    const double shortside = std::min(window.frame.width(), window.frame.height());
    const double rmax = std::min(shortside / 4.0, std::sqrt(1000.0 / (pi * lambda)));
    const std::size_t nr = 512;
    std::vector<double> r(nr);
    for (std::size_t k = 0; k < nr; ++k)
        r[k] = rmax * static_cast<double>(k) / static_cast<double>(nr - 1);
    SelectedSigma out;
    std::string correction;
    std::vector<double> k = k_function(points, window, r, correction);
    std::size_t good = k.size();
    for (std::size_t q = 0; q < k.size(); ++q)
        if (!std::isfinite(k[q]))
        {
            good = q;
            break;
        }
    if (good < 3)
        throw Error(Errc::BadData, "bandwidth diggle: the K function is undefined at small "
                                   "distances (the window is too small for the offences)");
    k.resize(good);
    r.resize(good);
    // J(r) = 2 r^2 sum_j phi(r_j / 2r) dK_j, as spatstat's digberJ, up to half the range.
    const double rmax2 = r.back() / 2.0;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 1; i < r.size() && r[i] <= rmax2; ++i)
    {
        double integral = 0.0;
        for (std::size_t j = 0; j + 1 < k.size(); ++j)
        {
            const double y = r[j] / (2.0 * r[i]);
            if (y >= 1.0)
                break;
            integral += (std::acos(y) - y * std::sqrt(1.0 - y * y)) * (k[j + 1] - k[j]);
        }
        const double j_value = 2.0 * r[i] * r[i] * integral;
        const double pir2 = pi * r[i] * r[i];
        const double m = (1.0 / lambda - 2.0 * k[i]) / pir2 + j_value / (pir2 * pir2);
        out.sigmas.push_back(r[i] / 2.0);
        out.scores.push_back(m);
        if (m < best)
        {
            best = m;
            out.sigma_m = r[i] / 2.0;
        }
    }
    out.at_range_end = !out.sigmas.empty() &&
                       (out.sigma_m == out.sigmas.front() || out.sigma_m == out.sigmas.back());
    out.method = "K function with " + correction + " edge correction on 512 distances to " +
                 std::to_string(static_cast<long long>(std::llround(rmax))) + " m";
    return out;
}
} // namespace


std::size_t min_points(BandwidthSelector selector)
{
    switch (selector)
    {
    case BandwidthSelector::ArcGis:
    case BandwidthSelector::Scott:
        return 2;
    default:
        return 10;
    }
}

double bandwidth_for_sigma(Kernel kernel, double sigma_m)
{
    switch (kernel)
    {
    case Kernel::Gaussian:
        return sigma_m;
    case Kernel::Quartic:
        return std::sqrt(8.0) * sigma_m;
    case Kernel::Epanechnikov:
        return std::sqrt(6.0) * sigma_m;
    case Kernel::Triweight:
        return std::sqrt(10.0) * sigma_m;
    case Kernel::Triangular:
        return std::sqrt(20.0 / 3.0) * sigma_m;
    case Kernel::Uniform:
        return 2.0 * sigma_m;
    }
    return sigma_m;
}

double sigma_for_bandwidth(Kernel kernel, double bandwidth_m)
{
    return bandwidth_m * bandwidth_m / bandwidth_for_sigma(kernel, bandwidth_m);
}

// Many pairs: the surface on a grid of a sixteenth of the radius, read at each point by bilinear
// interpolation (as sparr reads its pilot off an image, but finer). Self always included.
std::vector<double> gridded_sums(const std::vector<Point2>& points,
                                 const std::vector<double>* weights, Kernel kernel,
                                 double bandwidth)
{
    Box2 box;
    for (const auto& p : points)
        box.expand(p.x, p.y);
    const double radius = kernel_support_radius(kernel, bandwidth);
    double cell = radius / 16.0;
    const Box2 area = box.grown(radius);
    cell = std::max(cell, std::sqrt(area.width() * area.height() / 16e6));
    const GridSpec grid = grid_for_extent(box.grown(2.0 * cell), cell);
    Incidents offences;
    offences.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i)
        offences.add(points[i].x, points[i].y, weights ? (*weights)[i] : 1.0);
    const Raster<double> f = estimate_kde(
        offences, grid, {.kernel = kernel, .bandwidth_m = bandwidth, .units = DensityUnits::PerM2});
    std::vector<double> sums(points.size());
    tbb::parallel_for(std::size_t{0}, points.size(),
                      [&](std::size_t i)
                      {
                          // Cell centres around the point: columns c, c + 1 and rows r, r + 1.
                          const double fx = (points[i].x - grid.origin_x) / cell - 0.5;
                          const double fy = (grid.origin_y - points[i].y) / cell - 0.5;
                          const auto c = static_cast<std::int64_t>(std::floor(fx));
                          const auto r = static_cast<std::int64_t>(std::floor(fy));
                          const double tx = fx - static_cast<double>(c);
                          const double ty = fy - static_cast<double>(r);
                          sums[i] = (1 - ty) * ((1 - tx) * f.at(c, r) + tx * f.at(c + 1, r)) +
                                    ty * ((1 - tx) * f.at(c, r + 1) + tx * f.at(c + 1, r + 1));
                      });
    return sums;
}

std::vector<double> kernel_sums_at_points(const std::vector<Point2>& points,
                                          const std::vector<double>* weights, Kernel kernel,
                                          double bandwidth_m, bool include_self, SumMethod method)
{
    if (kernel == Kernel::Gaussian)
        return gaussian_sums(points, weights, bandwidth_m, include_self, method);
    const double reach = kernel_support_radius(kernel, bandwidth_m);
    const PointGrid grid(points, reach);
    // Exact sums cost a pair within reach; in dense clusters of a million offences that is
    // billions, and the gridded surface is the cheaper.
    if (method != SumMethod::Exact && include_self &&
        grid.candidate_pairs(reach) > std::max(2e7, 50.0 * static_cast<double>(points.size())))
        return gridded_sums(points, weights, kernel, bandwidth_m);
    return exact_sums(points, weights, grid, kernel, bandwidth_m, include_self);
}

SelectedSigma select_sigma(BandwidthSelector selector, const Incidents& incidents,
                           const StudyWindow& window, const RunContext& context)
{
    const std::string name(to_string(selector));
    if (selector == BandwidthSelector::ArcGis)
        throw Error(Errc::Internal, "select_sigma: the ArcGIS rule is not a sigma selector");
    const std::size_t n = incidents.size();
    if (n < min_points(selector))
        throw Error(Errc::BadData, "bandwidth " + name + " needs at least " +
                                       std::to_string(min_points(selector)) +
                                       " offences in the study area; there are " +
                                       std::to_string(n));
    std::vector<Point2> points(n);
    for (std::size_t i = 0; i < n; ++i)
        points[i] = {incidents.x[i], incidents.y[i]};
    if (selector == BandwidthSelector::Scott)
    {
        const auto sd = [&](const std::vector<double>& v)
        {
            const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(n);
            double ss = 0.0;
            for (const double x : v)
                ss += (x - mean) * (x - mean);
            return std::sqrt(ss / static_cast<double>(n - 1));
        };
        const double eps = std::numeric_limits<double>::epsilon();
        const double sdx = std::max(sd(incidents.x), eps), sdy = std::max(sd(incidents.y), eps);
        SelectedSigma out;
        out.sigma_m = std::sqrt(sdx * sdy) * std::pow(static_cast<double>(n), -1.0 / 6.0);
        out.criterion = "Scott's rule";
        out.method = "geometric mean of the coordinates' standard deviations (" +
                     std::to_string(std::llround(sdx)) + " m, " +
                     std::to_string(std::llround(sdy)) + " m) times n^-1/6";
        if (sdx <= eps && sdy <= eps)
            throw Error(Errc::BadData, "bandwidth scott: every offence lies on one point");
        return out;
    }
    if (selector == BandwidthSelector::Diggle)
    {
        SelectedSigma out = diggle(points, window);
        out.criterion = "Berman-Diggle mean-square-error cross-validation";
        return out;
    }

    const SumsContext ctx{points, nearest_distinct(points)};
    // spatstat's range: the smallest nearest-neighbour distance among offences that share their
    // point with no other, to half the window's diameter.
    double lo = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n; ++i)
        if (!ctx.neighbours.duplicated[i])
            lo = std::min(lo, ctx.neighbours.nearest[i]);
    if (!std::isfinite(lo))
        lo = *std::min_element(ctx.neighbours.nearest.begin(), ctx.neighbours.nearest.end());
    const double hi = 0.5 * window.diameter();
    if (!std::isfinite(lo) || !(hi > lo))
        throw Error(Errc::BadData,
                    "bandwidth " + name + ": the offences lie on fewer than two distinct points");
    const double area = window.area_m2();
    SelectedSigma out;
    if (selector == BandwidthSelector::Ppl)
    {
        // sum log lambda_-i(x_i) - integral of lambda over W, with lambda corrected at each point
        // by the share of its kernel inside W (spatstat's default, edge = TRUE).
        const PixelIntegral integral(points, window);
        // Offences farther from the edge than the kernel reaches need no correction.
        std::vector<double> to_edge(n);
        tbb::parallel_for(std::size_t{0}, n,
                          [&](std::size_t i)
                          { to_edge[i] = window.distance_to_boundary(points[i]); });
        out = optimise(
            lo, hi, true,
            [&](double sigma, bool rough)
            {
                const auto sums = sums_at(ctx, sigma, false, rough);
                const double reach = kernel_support_radius(Kernel::Gaussian, sigma);
                std::optional<EdgeFactor> edge;
                double total = 0.0;
                for (std::size_t i = 0; i < n; ++i)
                {
                    double e = 1.0;
                    if (to_edge[i] < reach)
                    {
                        if (!edge)
                            edge.emplace(window, Kernel::Gaussian, sigma);
                        e = edge->at(points[i].x, points[i].y);
                    }
                    total += std::log(sums[i] / e);
                }
                return total - integral(sigma);
            },
            context);
        out.criterion = "likelihood cross-validation";
        out.method = "leave-one-out Gaussian sums at the offences with the uniform edge "
                     "correction, integral on 128 x 128 pixels; searched over [" +
                     std::to_string(lo) + ", " + std::to_string(hi) + "] m";
    }
    else
    {
        // (sum 1 / lambda(x_i) - |W|)^2 with lambda uncorrected and self included (bw.CvL).
        out = optimise(
            lo, hi, false,
            [&](double sigma, bool rough)
            {
                const auto sums = sums_at(ctx, sigma, true, rough);
                double inverse = 0.0;
                for (const double s : sums)
                    inverse += 1.0 / s;
                return (inverse - area) * (inverse - area);
            },
            context);
        out.criterion = "Cronie and van Lieshout";
        out.method = "Gaussian sums at the offences, self included, no edge correction";
    }
    return out;
}

} // namespace hotspot::engine
