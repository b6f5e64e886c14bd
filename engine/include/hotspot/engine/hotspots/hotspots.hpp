#pragma once
// Hotspots from a density surface: which cells are hot, how they join into areas, and their
// outlines.

#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/core/names.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot::engine
{

enum class ThresholdMethod
{
    MeanMultiple, ///< cells at or above K x the mean of non-zero cells (the Home Office approach)
    MeanSd,       ///< cells at or above the mean plus K standard deviations of non-zero cells
    TopArea,      ///< the densest P% of the study area
    GiStar,       ///< cells whose Getis-Ord Gi* is significantly high after FDR correction
};
inline constexpr std::array<Named<ThresholdMethod>, 4> threshold_method_names{
    {{ThresholdMethod::MeanMultiple, "mean-multiple"},
     {ThresholdMethod::MeanSd, "mean-sd"},
     {ThresholdMethod::TopArea, "top-area"},
     {ThresholdMethod::GiStar, "gi-star"}}};

constexpr std::string_view to_string(ThresholdMethod method)
{
    return name_in(threshold_method_names, method);
}

struct ThresholdResult
{
    Raster<std::uint8_t> hot;     ///< 1 for hot cells
    double threshold = 0;         ///< the density a cell needs (not for Gi*)
    std::int64_t study_cells = 0; ///< cells considered
    std::int64_t hot_cells = 0;
};

/// Cells of `surface` above a threshold. Only cells with study[k] != 0 are considered.
/// `parameter` is K for MeanMultiple and MeanSd, P (percent, 0 < P <= 100) for TopArea.
ThresholdResult threshold_cells(const Raster<double>& surface, const Raster<std::uint8_t>& study,
                                ThresholdMethod method, double parameter);

/// Getis-Ord Gi* (Getis & Ord 1992; Ord & Getis 1995, as ArcGIS "Hot Spot Analysis" computes it) of
/// cell counts, with binary weights for cells whose centres lie within `band_m` of a cell's centre,
/// the cell itself included:
///   Gi* = (sum_j w_ij x_j - mean(x) sum_j w_ij) / (S sqrt((n sum_j w_ij^2 - (sum_j w_ij)^2) / (n -
///   1)))
/// over the n study cells, S = sqrt(sum x^2 / n - mean(x)^2). Gi* is a z-score; p-values are
/// two-sided, and cells are hot where z > 0 and p passes the Benjamini-Hochberg false discovery
/// rate at `alpha`.
struct GiStarResult
{
    Raster<double> z;
    Raster<double> p;
    Raster<std::uint8_t> hot;
    double p_cutoff = 0; ///< the largest p-value still significant (0: none)
    std::int64_t tested = 0;
    std::int64_t hot_cells = 0;
};
GiStarResult gi_star(const Raster<double>& counts, const Raster<std::uint8_t>& study, double band_m,
                     double alpha);

/// For each study cell, the sum of `values` over the study cells whose centres lie within `band_m`
/// of its centre, itself included, and how many those cells are (0 outside the study). The sums
/// that Gi* is made of, in time independent of the band's width.
struct BandSums
{
    std::vector<double> sum;
    std::vector<std::int64_t> cells;
};
BandSums band_sums(const Raster<double>& values, const Raster<std::uint8_t>& study, double band_m);

/// Gi* of a cell whose binary-weighted neighbourhood holds `weights` bins summing to `local`,
/// among n bins of mean `mean` and standard deviation `s` (population); NaN where undefined.
double gi_star_z(double local, double weights, double mean, double s, double n);

/// Offences (or their weights) per cell.
Raster<double> cell_counts(const Incidents& incidents, const GridSpec& grid, bool weighted);

/// Hot cells joined into regions by 8-connectivity, numbered 1.. in raster order of their first
/// cell.
struct Regions
{
    Raster<std::int32_t> label; ///< 0 for cells in no region
    std::int32_t count = 0;
    std::vector<std::vector<std::int64_t>>
        cells; ///< cells[l - 1]: the cells of region l, in raster order
};
/// Regions smaller than `min_cells` are dropped and the rest renumbered.
Regions label_regions(const Raster<std::uint8_t>& hot, std::int64_t min_cells = 1);

/// Cells in the study area: those of `surface` that are neither `nodata` nor NaN.
Raster<std::uint8_t> study_cells(const Raster<double>& surface, double nodata);

/// How hot cells are chosen and joined: the `hotspots` command's --method and its parameters.
struct HotspotRule
{
    ThresholdMethod method = ThresholdMethod::MeanMultiple;
    std::optional<double> k;       ///< K for mean-multiple (default 3) and mean-sd (default 2)
    std::optional<double> percent; ///< P for top-area (default 5)
    std::optional<double> band_m;  ///< Gi*'s distance band (default: the density's bandwidth)
    double alpha = 0.05;           ///< Gi*'s false discovery rate
    double min_area_m2 = 0;        ///< regions smaller than this are dropped
};

/// The hot cells of `surface` under `rule`, joined into regions of at least `rule.min_area_m2`
/// (whole cells, at least one), and the rule in words with its threshold:
/// "density >= 3.00 x mean of non-zero cells (41.200)". `counts` are offences per cell, which
/// Gi* tests; `bandwidth_m` is Gi*'s band when the rule gives none.
struct HotspotCells
{
    Regions regions;
    std::string description;
};
HotspotCells find_hotspot_cells(const HotspotRule& rule, const Raster<double>& surface,
                                const Raster<std::uint8_t>& study, const Raster<double>& counts,
                                double bandwidth_m);

/// The bandwidth taken for a surface that does not record its own (one another tool made): four
/// of its cells, a span that kernel surfaces are commonly smoothed over. It stands for Gi*'s band
/// and the report's bandwidth, and is said to be taken, not known.
double assumed_bandwidth_m(const GridSpec& grid);

/// The outline of region `label` along cell edges: outer rings counter-clockwise, holes clockwise,
/// and cells that touch only at a corner kept as separate polygons, so the result is valid.
MultiPolygon region_outline(const Regions& regions, std::int32_t label);

/// Names every hotspot can be told apart by, in a briefing and from one week's run to the next.
/// `names[i]` is hotspot i's own name (a place, else its main area); `streets[i]` its streets,
/// busiest first; `peaks[i]` where its density peaks. A name several hotspots share is qualified
/// with each one's busiest street that is not the name itself ("Shepway (Oxford Gardens)"), and,
/// where that still repeats, with the 100 m square of its peak ("Shepway (577700, 153400)"), so
/// that a hotspot that stays put keeps its name. Names no other hotspot has are left alone.
std::vector<std::string> distinct_names(const std::vector<std::string>& names,
                                        const std::vector<std::vector<std::string>>& streets,
                                        const std::vector<Point2>& peaks);

} // namespace hotspot::engine
