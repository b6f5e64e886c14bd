#pragma once
// Emerging hot spot analysis (as ArcGIS Pro's Emerging Hot Spot Analysis): space-time Getis-Ord
// Gi* per bin, the Mann-Kendall trend of each location's series, and the 17 categories.

#include "hotspot/engine/core/names.hpp"
#include "hotspot/engine/core/run_context.hpp"
#include "hotspot/engine/spacetime/cube.hpp"
#include "hotspot/engine/statistics/significance.hpp"

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace hotspot::engine
{

/// What a bin's neighbourhood is compared with: the global mean and standard deviation of the
/// Gi* statistic (ArcGIS Pro's "Define Global Window").
enum class GlobalWindow : std::uint8_t
{
    Cube,          ///< every bin of the cube (ArcGIS's default, ENTIRE_CUBE)
    Neighbourhood, ///< every bin of the steps the neighbourhood spans (NEIGHBORHOOD_TIME_STEP)
    Step,          ///< every bin of the bin's own step (INDIVIDUAL_TIME_STEP)
};
inline constexpr std::array<Named<GlobalWindow>, 3> global_window_names{
    {{GlobalWindow::Cube, "cube"},
     {GlobalWindow::Neighbourhood, "neighbourhood"},
     {GlobalWindow::Step, "step"}}};
constexpr std::string_view to_string(GlobalWindow window)
{
    return name_in(global_window_names, window);
}
/// The rule, in a sentence, for help texts and outputs.
std::string_view rule_of(GlobalWindow window);

/// Space-time Gi* of every bin. A bin's neighbourhood is the locations whose centres lie within
/// `band_m` of its own (itself included) in its step and the `time_window` steps before it, with
/// binary weights, as ArcGIS defines it. Its sum is compared with the mean and standard deviation
/// of the bins of `global` (n is their number). With time_window 0 and GlobalWindow::Step (or
/// Neighbourhood, the same then), each step is exactly `hotspots --method gi-star` on that step's
/// counts. Bins are significant where p <= the Benjamini-Hochberg cut-off of their step at
/// `alpha` (the false discovery rate is controlled step by step, whatever the global window).
struct SpaceTimeGiStar
{
    std::vector<double> z; ///< as SpaceTimeCube::values; NaN where the reference has no variation
    std::vector<double> p;
    std::vector<std::uint8_t> significant;
    std::vector<double> p_cutoff; ///< per step (0: nothing significant)
};
SpaceTimeGiStar space_time_gi_star(const SpaceTimeCube& cube, double band_m, int time_window,
                                   GlobalWindow global, double alpha,
                                   const RunContext& context = {});

enum class EmergingCategory : std::uint8_t
{
    NoPattern,
    NewHot,
    ConsecutiveHot,
    IntensifyingHot,
    PersistentHot,
    DiminishingHot,
    SporadicHot,
    OscillatingHot,
    HistoricalHot,
    NewCold,
    ConsecutiveCold,
    IntensifyingCold,
    PersistentCold,
    DiminishingCold,
    SporadicCold,
    OscillatingCold,
    HistoricalCold,
};
constexpr std::size_t emerging_category_count = 17;
/// "New Hot Spot", ..., "No Pattern Detected", as ArcGIS names them.
std::string_view to_string(EmergingCategory category);
/// The rule, in a sentence, for help texts.
std::string_view rule_of(EmergingCategory category);

/// The category of one location from its Gi* z series, which bins are significant, and the
/// Mann-Kendall trend of the z series (significant at `alpha`). Hot rules are checked first:
///   >= 90% of steps hot: final step not hot: Historical; else a significant rising trend:
///   Intensifying; falling: Diminishing; none: Persistent.
///   Final step hot (< 90% hot): hot only then: New; one run of >= 2 hot steps ending the series
///   and never hot before it: Consecutive; a cold step at any time: Oscillating; else Sporadic.
/// Cold spots mirror these, and a location matching none has No Pattern Detected.
EmergingCategory classify_emerging(const std::vector<double>& z,
                                   const std::vector<std::uint8_t>& significant,
                                   const MannKendall& trend, double alpha);

struct LocationTrend
{
    MannKendall counts; ///< trend of the location's counts
    MannKendall gi;     ///< trend of its Gi* z-scores (what the categories read)
    std::int32_t hot_steps = 0, cold_steps = 0;
    EmergingCategory category = EmergingCategory::NoPattern;
};

struct EmergingResult
{
    SpaceTimeGiStar gi;
    std::vector<LocationTrend> locations; ///< as SpaceTimeCube::locations
    std::array<std::int64_t, emerging_category_count> per_category{};
};
EmergingResult emerging_hotspots(const SpaceTimeCube& cube, double band_m, int time_window,
                                 GlobalWindow global, double alpha,
                                 const RunContext& context = {});

} // namespace hotspot::engine
