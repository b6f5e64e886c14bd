#pragma once
// The density pipeline up to the kernel sums: the study window, the bandwidth (given, ArcGIS's
// rule or a selector, under a publishing floor), edge correction, adaptive bandwidths, and who
// the surface counts. The command line turns its options into a DensityRequest, io reads the
// offences and the study area, and plan_density decides the rest; the grid and the kernel sums
// come after.

#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/core/run_context.hpp"
#include "hotspot/engine/density/adaptive.hpp"
#include "hotspot/engine/density/bandwidth.hpp"
#include "hotspot/engine/density/kde.hpp"
#include "hotspot/engine/density/study_window.hpp"

#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace hotspot::engine
{

/// A bandwidth as asked for: metres, or the selector that chooses it from the offences.
struct BandwidthChoice
{
    std::optional<double> metres;
    BandwidthSelector selector = BandwidthSelector::ArcGis;
};

/// A floor under the bandwidth of a surface that is to be published (a --publish preset).
struct BandwidthFloor
{
    double min_bandwidth_m = 0;
    std::string set_by; ///< the option that sets it, e.g. "--publish"
    std::string preset; ///< e.g. "police"
};

/// How a surface is to be made, short of its grid.
struct DensityRequest
{
    Kernel kernel = Kernel::Quartic;
    DensityUnits units = DensityUnits::PerKm2;
    BandwidthChoice bandwidth;
    std::optional<double> fixed_bandwidth_m; ///< overrides `bandwidth`: one for several surfaces
    EdgeCorrection edge = EdgeCorrection::None;
    bool adaptive = false;
    std::optional<BandwidthChoice> pilot; ///< adaptive: the pilot's; default the bandwidth
    double trim = 5.0;                    ///< adaptive: the widest as a multiple of the bandwidth
    std::optional<BandwidthFloor> floor;
    /// The study window: the area's polygons, else the extent, else the offences' bounding
    /// rectangle (as spatstat's default window).
    std::vector<const MultiPolygon*> area;
    std::string area_name; ///< as the analyst named it, for messages; "" without an area
    std::optional<Box2> extent;
};

/// Where a pipeline says what it did as it goes: figures and warnings in order, and the progress
/// of its long stages. Empty functions say nothing.
struct StageLog
{
    std::function<void(const std::string&)> info;
    std::function<void(const std::string&)> warn;
    std::function<ProgressFn(const std::string&)> begin; ///< a long stage starts: its progress
    std::function<void()> done;                          ///< and ends
};

/// A surface decided but not yet summed: how it is made and whom it counts.
struct DensityPlan
{
    KdeOptions options; ///< adaptive: bandwidth_m is the largest offence's (the kernel's reach)
    StudyWindow window;
    bool windowed = false;                      ///< an area or extent bounds the study
    std::string bandwidth_selector = "given";   ///< "given", "arcgis", "scott", ...
    std::string bandwidth_note = "given";       ///< "given", or how the bandwidth was found
    std::optional<double> selected_sigma_m;     ///< the Gaussian sigma a selector chose
    std::optional<AdaptiveBandwidths> adaptive; ///< without the per-offence vector
    std::size_t outside_window = 0;             ///< offences the edge correction leaves out
    /// Inside the window, and reaching into it through the kernel: who the surface counts.
    WindowPopulation population;
};

/// A plan and the offences it sums, where they are not those given: the ones inside the window
/// (edge correction) or those weighted by Diggle's correction.
struct PlannedDensity
{
    DensityPlan plan;
    Incidents in_window; ///< kept only where a bandwidth or the correction needs them alone
    Incidents diggle_weighted;
    enum class Sum
    {
        Given,
        InWindow,
        DiggleWeighted
    } sum = Sum::Given;
    /// The offences the kernel sums: `given`, or one of the sets above.
    const Incidents& summed(const Incidents& given) const;
};

/// Plans the surface of `incidents` (already in the analysis CRS, stacks spread). Throws
/// Error(BadData) when no offence lies in the window but the plan needs some there, and
/// Error(Usage) when every offence lies on one point and the ArcGIS rule must derive a bandwidth.
PlannedDensity plan_density(const DensityRequest& request, const Incidents& incidents,
                            const StageLog& log = {});

/// What a grid costs in memory and whether it may be computed a strip at a time.
struct MemoryBudget
{
    double limit_bytes = std::numeric_limits<double>::infinity();
    double bytes_per_cell = 17; ///< held whole: the surface, its staging for the writer, a mask
    double bytes_per_strip_cell = 17; ///< computed, masked and staged a strip at a time
    double strip_fixed_bytes = 0;     ///< beside a strip's cells: the writer's block cache
    std::int64_t strip_rows = 512;
    double bytes_per_offence = 64; ///< the offences held, and their copy for the kernel
    bool can_stream = false;       ///< a writer can take the surface a strip at a time
    bool always_stream = false;    ///< and is to, even when it fits whole
    /// A grid that a writer can take in strips is streamed past this size held whole, even when
    /// it fits: past it, strips are faster and hold a fraction of the memory.
    double stream_above_bytes = std::numeric_limits<double>::infinity();
};

/// The grid of a surface, and how it is held.
struct GridPlan
{
    GridSpec grid;
    Box2 box;                    ///< the extent the grid covers (snapped, or as given)
    bool default_extent = false; ///< none given: the offences' bounds grown by the kernel's reach
    bool streamed = false;       ///< computed and written a strip at a time
    bool fits_whole = true;      ///< the grid held whole and the offences fit the budget's limit
    bool fits = true;            ///< false: neither whole nor a strip at a time fits the budget
    double cell_m = 0;
    double cols = 0, rows = 0;
    double whole_bytes = 0, strip_bytes = 0, offence_bytes = 0;
};

/// A grid over `extent` (none: the offences' bounds grown by the kernel's reach, snapped outwards
/// to whole cells, as an area's bounds are when `snap`) of `cell_m` cells (default:
/// default_cell_size of the extent), held whole unless the budget says it does not fit and a strip
/// at a time does (the England and Wales 25 m grid), or it passes the budget's
/// stream_above_bytes. Throws Error(Usage) for an empty extent
/// without a cell size, and for a kernel reaching over more than 2,000 cells.
GridPlan plan_grid(const DensityPlan& plan, const Incidents& incidents, std::optional<Box2> extent,
                   bool snap, std::optional<double> cell_m, const MemoryBudget& budget);
/// The same for a grid whose cells reach `reach_m` beyond themselves: the kernel's reach for a
/// surface, 0 for a grid of counts (trends, predict), whose default extent is the offences' bounds.
GridPlan plan_grid(double reach_m, const Incidents& incidents, std::optional<Box2> extent,
                   bool snap, std::optional<double> cell_m, const MemoryBudget& budget);

/// Refuses a kernel that reaches over more than 2,000 cells: a typo (kilometres given as metres,
/// degrees as metres) that would take hours. Throws Error(Usage).
void check_reach(double radius_m, double cell_m);

/// The offences far from the rest (beyond half the core's size from the 1st-99th percentile
/// box) when they stretch `box` to over four times the core's area: police.uk places some of a
/// force's offences in other cities. None when the box is not stretched, or for under 100 offences.
std::optional<std::size_t> stretching_offences(const Incidents& incidents, const Box2& box);

/// Disclosure control: the cells of `surface` (those not `nodata`) that fewer than `min_count`
/// offences reach, each offence reaching as far as its kernel does under `options` (its own
/// bandwidth where `options` has one per offence). A published surface leaves them out.
struct SparseCells
{
    Raster<std::uint8_t> mask; ///< 1 for a sparse cell
    std::int64_t count = 0;
};
SparseCells sparse_cells(const Incidents& offences, const Raster<double>& surface, double nodata,
                         const KdeOptions& options, int min_count);

/// The bandwidth a surface is known by: the given or selected one (adaptive: the global h0).
double nominal_bandwidth(const DensityPlan& plan);

} // namespace hotspot::engine
