#pragma once
// How well hotspots predict, and whether crime moved: prediction scores and the Weighted
// Displacement Quotient.

#include "hotspot/engine/core/grid.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hotspot::engine
{

/// Hotspots drawn from period 1, scored on period 2.
struct PredictionScore
{
    double coverage = 0; ///< a/A: share of the study area the hotspots cover
    double hit_rate = 0; ///< n2/N2: share of period-2 offences inside the hotspots
    double pai = 0; ///< Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008): (n2/N2) / (a/A)
    double pei =
        0; ///< Predictive Efficiency Index: n2 / n2*, the best any choice of as many cells could do
    double rri =
        0; ///< Recapture Rate Index (Levine 2008): (n2/n1) / (N2/N1); NaN when n1 or N2 is 0
    std::int64_t hot_cells = 0;
    double n1 = 0, n2 = 0, total1 = 0, total2 = 0, best_n2 = 0;
};

/// Scores hot cells against offence counts per cell of period 1 and period 2 (study cells only).
PredictionScore score_hotspots(const Raster<std::uint8_t>& hot, const Raster<std::uint8_t>& study,
                               const Raster<double>& counts1, const Raster<double>& counts2);

/// Scores of the densest P% of period 1's surface, for each P in `percents` (1 to 20 is usual).
std::vector<PredictionScore> coverage_curve(const Raster<double>& surface1,
                                            const Raster<std::uint8_t>& study,
                                            const Raster<double>& counts1,
                                            const Raster<double>& counts2,
                                            const std::vector<double>& percents);

/// The hit rate averaged over a curve's coverages: the one number surfaces are ranked by.
double mean_hit_rate(const std::vector<PredictionScore>& curve);

/// A method's coverage curves over rolling origins, averaged: at each coverage, the hit rate and
/// PAI over the origins; and that mean hit rate over every coverage, which methods are ranked by.
struct RollingScore
{
    std::vector<double> mean_hit_rate; ///< per coverage, over the origins
    std::vector<double> mean_pai;      ///< per coverage, over the origins
    double mean_hit_rate_all = 0;      ///< mean_hit_rate over the coverages
};

/// Averages one method's curves, one per origin and each over the same coverages.
RollingScore average_over_origins(const std::vector<std::vector<PredictionScore>>& curves);

/// The index of the score with the largest mean hit rate over every coverage; the first of equals.
std::size_t best_rolling_score(const std::vector<RollingScore>& scores);

/// A forecast entry scored as the NIJ Real-Time Crime Forecasting Challenge (2017) scored them.
/// The entry is a grid of cells over the police area, some of them hot; offences outside the police
/// area are left out. With N the offences inside the area, n those in hot cells, a the hot cells'
/// area as clipped to the police area and A the police area's:
///   PAI = (n/N) / (a/A);   PEI* = n / n*, n* the most offences any set of as many cells held;
///   hit rate = n/N.
struct EntryScore
{
    std::int64_t offences_inside = 0; ///< N
    std::int64_t in_hot_cells = 0;    ///< n
    std::int64_t best_possible = 0;   ///< n*
    std::int64_t outside_area = 0;    ///< offences left out: outside the police area
    std::int64_t in_no_cell = 0;      ///< inside the area but in no cell of the entry
    std::size_t cells = 0, hot_cells = 0;
    double hot_area = 0;  ///< a, clipped to the police area (square units of the CRS)
    double area = 0;      ///< A
    double pai = 0, pei_star = 0, hit_rate = 0; ///< NaN where undefined (N, a or n* of 0)
};
/// The hot cells' area clipped to the police area (a) and the police area's (A), in the square of
/// the shapes' units times `unit_m2`.
struct EntryAreas
{
    double hot_area = 0;
    double area = 0;
};
EntryAreas entry_areas(const std::vector<MultiPolygon>& cells, const std::vector<bool>& hot,
                       const std::vector<MultiPolygon>& police_area, double unit_m2 = 1.0);
/// The score, with the offences located in the cells and area as given; `areas` measured
/// elsewhere (in the entry's own CRS, where a reprojection would scale them) or, without, here.
EntryScore score_entry(const std::vector<MultiPolygon>& cells, const std::vector<bool>& hot,
                       const std::vector<MultiPolygon>& police_area,
                       const std::vector<Point2>& offences,
                       const std::optional<EntryAreas>& areas = std::nullopt);

/// Fills n*, PAI, PEI* and the hit rate of a score whose N, n, hot cells and areas are set, from
/// the offences counted in each cell.
void finish_score(EntryScore& score, std::vector<std::int64_t> counts);

/// Offences before and after an intervention in the target area, its buffer and a control area.
struct DisplacementCounts
{
    double target_before = 0, target_after = 0;
    double buffer_before = 0, buffer_after = 0;
    double control_before = 0, control_after = 0;
};

/// The Weighted Displacement Quotient (Bowers & Johnson 2003):
///   success measure SM = A_after/C_after - A_before/C_before   (negative: the target improved on
///   the control) buffer displacement measure BDM = B_after/C_after - B_before/C_before WDQ = BDM /
///   SM
/// and the net effect in offences: prevented = A_before C_after/C_before - A_after (the target's
/// expected count less the observed), displaced = B_after - B_before C_after/C_before, net =
/// prevented - displaced.
struct DisplacementResult
{
    double success_measure = 0;
    double buffer_displacement_measure = 0;
    double wdq = 0;       ///< NaN when the success measure is not negative
    bool success = false; ///< SM < 0
    double prevented = 0;
    double displaced = 0;
    double net_effect = 0;
    std::string interpretation;
};
DisplacementResult weighted_displacement_quotient(const DisplacementCounts& counts);

} // namespace hotspot::engine
