#pragma once
// The study window W that bandwidth selectors, edge correction and relative risk look at: the
// --area polygons, or a rectangle.

#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/density/kde.hpp"

#include <memory>
#include <vector>

namespace hotspot::engine
{

struct StudyWindow
{
    Box2 frame; ///< the rectangle itself when `shapes` is empty, else the shapes' bounds
    std::vector<const MultiPolygon*> shapes;

    static StudyWindow rectangle(const Box2& box) { return {box, {}}; }
    static StudyWindow polygons(std::vector<const MultiPolygon*> shapes);

    bool rectangular() const { return shapes.empty(); }
    bool contains(Point2 p) const;
    double area_m2() const;
    /// The largest distance between two points of the window (between vertices of polygons).
    double diameter() const;
    /// Distance from p (inside) to the nearest point of the window's boundary.
    double distance_to_boundary(Point2 p) const;
    /// The share of the circle of radius r about p that lies inside the window, in [0, 1]: the
    /// weight of Ripley's isotropic edge correction is its reciprocal.
    double circle_share_inside(Point2 p, double r) const;
};

/// The offences a surface over a window counts: those inside it, and those whose kernel reaches
/// into it from wherever they lie (those inside included).
struct WindowPopulation
{
    std::int64_t inside = 0;
    std::int64_t reaching = 0;
    double inside_weight = 0; ///< their weights summed (harm, --weight-field): 1 each without
    double reaching_weight = 0;
};
/// `reach` is the kernel's support radius, or each offence's own (adaptive bandwidths) when it
/// has one value per offence. An offence outside reaches in when it lies nearer the window than
/// its reach.
WindowPopulation window_population(const Incidents& incidents, const StudyWindow& window,
                                   const std::vector<double>& reach);

/// Edge corrections, as spatstat's density.ppp(edge =, diggle =).
enum class EdgeCorrection
{
    None,    ///< the kernel's mass beyond the window is lost (ArcGIS, QGIS)
    Uniform, ///< each cell divided by e(cell)
    Diggle,  ///< each offence weighted by 1 / e(offence)
};
inline constexpr std::array<Named<EdgeCorrection>, 3> edge_correction_names{
    {{EdgeCorrection::None, "none"},
     {EdgeCorrection::Uniform, "uniform"},
     {EdgeCorrection::Diggle, "diggle"}}};

/// Area of a polygon set by the shoelace formula; holes are subtracted.
double area_m2(const MultiPolygon& shape);

/// e(u) = integral over W of K(u - v) dv: the share of the kernel centred at u that falls inside
/// the study window, 1 far from its edge and about 1/2 on a straight edge. Exact for the Gaussian
/// kernel on a rectangle (a product of normal probabilities, as spatstat); otherwise a sum over a
/// raster of the window at 1/24 of the kernel's radius, each cell weighted by its share inside
/// (from 4 x 4 samples), normalised by the same sum over the whole plane so that it is exactly 1
/// wherever the kernel lies inside.
class EdgeFactor
{
  public:
    EdgeFactor(const StudyWindow& window, Kernel kernel, double bandwidth_m);
    double at(double x, double y) const;

  private:
    struct Mask;
    struct TileSpan;
    StudyWindow window_;
    Kernel kernel_;
    double bandwidth_m_;
    double radius_m_;
    std::shared_ptr<Mask> mask_; ///< null for the exact Gaussian rectangle; tiles built on demand
};

/// Diggle's correction: the offences with each weight divided by e(x_i), e for the offence's own
/// bandwidth (`point_bandwidth_m`, one per offence, when given; else `bandwidth_m`).
Incidents diggle_weighted(const Incidents& incidents, const StudyWindow& window, Kernel kernel,
                          double bandwidth_m, const std::vector<double>& point_bandwidth_m = {});

/// The uniform correction of rows [first_row, first_row + row_count) of a surface on `grid`:
/// every value other than 0 and `nodata` divided by e at its cell centre.
void divide_by_edge_factor(const EdgeFactor& edge, const GridSpec& grid, std::int64_t first_row,
                           std::int64_t row_count, double* values, double nodata);

/// What finishes a strip of a surface computed a strip at a time, wherever it was computed: the
/// area mask and the uniform edge correction.
struct StripFinish
{
    GridSpec grid;
    std::vector<const MultiPolygon*> shapes; ///< the area; none: no mask
    const EdgeFactor* edge = nullptr;        ///< the uniform edge correction; none: no correction
    double nodata = -9999.0;                 ///< what a masked cell holds
};

/// A finished strip's peak and cells with data.
struct StripFigures
{
    double peak = 0;
    std::int64_t cells_with_data = 0;
};

/// Masks and corrects rows [first, first + count) in place; returns their figures.
StripFigures finish_rows(const StripFinish& finish, std::int64_t first, std::int64_t count,
                         std::vector<double>& values);

} // namespace hotspot::engine
