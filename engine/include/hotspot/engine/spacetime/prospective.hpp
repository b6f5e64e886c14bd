#pragma once
// Prospective hotspots: where crime is likely next, from how recent the offences nearby are.
// ProMap (Bowers, Johnson & Pease 2004) and a time-decayed weighting for kernel density.

#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/core/names.hpp"
#include "hotspot/engine/core/run_context.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace hotspot::engine
{

/// The day an offence is taken to have happened: its day, else the 15th of its month (records
/// dated to the month, as police.uk's), else no_day.
DayIndex effective_day(const Incidents& incidents, std::size_t i);

struct ProMapOptions
{
    double band_m = 400;    ///< offences reach the cells whose centres lie this close to theirs
    int weeks = 8;          ///< offences up to this many whole weeks old count
    DayIndex reference = 0; ///< the day the forecast is for; later offences are ignored
};

/// ProMap: each offence of age t whole weeks (0 <= t < weeks, age = reference - day) adds
///   weight x 1 / (1 + d) x 1 / (1 + t)
/// to every cell whose centre lies within band_m of the centre of the offence's cell, d being that
/// distance in cells (0 for its own cell). Offences without a day count for nothing. The result
/// does not depend on the thread count.
Raster<double> promap_surface(const Incidents& incidents, const GridSpec& grid,
                              const ProMapOptions& options, const RunContext& context = {});

/// The offences up to `reference` (not after), each weighted by 2^(-age / half_life_days) on top
/// of its own weight, for a time-decayed kernel density; offences without a day are left out.
Incidents time_decayed(const Incidents& incidents, DayIndex reference, double half_life_days);

/// What a forecast weighs past offences by.
enum class ProspectiveMethod
{
    ProMap, ///< ProMap (promap_surface)
    Decay,  ///< a kernel density of offences weighted by their age (time_decayed)
    Sepp,   ///< a self-exciting point process per cell (fit_sepp)
    Auto,   ///< the best of a few candidates by backtest (prospective_candidates)
    Kde,    ///< a plain kernel density of the last weeks: one of Auto's candidates only
};
/// The names --method takes; kde, a candidate of auto's, is named in its results only.
inline constexpr std::array<Named<ProspectiveMethod>, 4> prospective_method_names{
    {{ProspectiveMethod::ProMap, "promap"},
     {ProspectiveMethod::Decay, "decay"},
     {ProspectiveMethod::Sepp, "sepp"},
     {ProspectiveMethod::Auto, "auto"}}};
/// The method's name, kde included.
std::string to_string(ProspectiveMethod method);

struct ProspectiveParameters
{
    ProspectiveMethod method = ProspectiveMethod::ProMap;
    double band_m = 400;        ///< ProMap's reach
    int weeks = 8;              ///< ProMap's memory, and kde's
    double half_life_days = 14; ///< decay
};

/// The earliest day an offence is dated to (effective_day: month-only records on their 15th), or
/// no_day.
DayIndex earliest_day(const Incidents& incidents);
/// Offences dated to the month only (police.uk's), which cannot be timed to the day.
std::size_t dated_by_month(const Incidents& incidents);
/// The day after the data: the last offence's day + 1, or the first day of the month after the
/// last month when a record of that month gives the month only. Throws Error(BadData) when no
/// offence is dated.
DayIndex day_after(const Incidents& incidents);

/// How many days before `day` a forecast weighs offences, which the data must cover (a missing
/// month would read as a quiet one): ProMap and kde their weeks; the decayed density three
/// half-lives (weights of 1/8 on); SEPP, fitted over the whole history, and auto, which weighs
/// SEPP among its candidates, back to `earliest` (no_day: none).
double history_days(const ProspectiveParameters& parameters, DayIndex day, DayIndex earliest);

/// The offences dated before `day` (effective_day), and of them those of the `weeks` whole weeks
/// before it.
Incidents offences_before(const Incidents& incidents, DayIndex day);
Incidents offences_in_weeks_before(const Incidents& incidents, DayIndex day, int weeks);
/// The points of the offences dated to a day from `first` to `last` (inclusive; records dated to
/// the month only left out) whose flag in `keep` is set: those a forecast of those days is scored
/// on.
std::vector<Point2> points_dated_between(const Incidents& incidents, DayIndex first, DayIndex last,
                                         const std::vector<std::uint8_t>& keep);

/// SEPP's events: each offence dated to a day before `day` whose point lies on `grid`, as its cell
/// and its time in whole days from the first of them (so offences of the same day are not taken
/// as setting one another off). Records dated to the month only are left out: count them with
/// dated_by_month and refuse them first.
struct SeppEvents
{
    std::vector<std::int64_t> cells;
    std::vector<double> times;
    DayIndex first = no_day; ///< the first event's day
    double window_days = 0;  ///< from `first` to `day`
};
SeppEvents sepp_events(const Incidents& incidents, const GridSpec& grid, DayIndex day);

/// Every cell where `mask` is 0 set to `nodata`.
void blank_outside(std::vector<double>& values, const Raster<std::uint8_t>& mask, double nodata);

/// The cells to patrol: those of positive risk (nodata aside), highest first, ties in raster
/// order, the first `top` of them; and the risk of every such cell summed, for shares.
struct HighestCells
{
    std::vector<std::int64_t> cells;
    double total = 0;
};
HighestCells highest_cells(const std::vector<double>& risk, double nodata, std::size_t top);

// --method auto: a few candidate forecasts, each scored at rolling origins before the day forecast
// (choose_by_backtest).

/// A candidate: its method and parameters, on the grid moved west by dx and north by dy cells.
struct ProspectiveCandidate
{
    ProspectiveParameters parameters;
    double dx = 0, dy = 0;
    std::string label; ///< "promap 8 weeks, grid moved W half a cell"
};
/// On each of four placements of the grid (as given, and moved half a cell west, north, or
/// both): ProMap of 4, 8 and 16 weeks, decay with half-lives of 14 and 56 days, kde of 8 weeks and
/// SEPP; otherwise `given`'s parameters. Few on purpose: about 20 burglaries a week cannot tell
/// dozens apart.
std::vector<ProspectiveCandidate> prospective_candidates(const ProspectiveParameters& given);
/// The weeks of offences the oldest origin needs before it: the longest memory of a ProMap
/// candidate. (The decayed densities weigh every earlier offence, less the older it is.)
inline constexpr int longest_candidate_weeks = 16;

/// `grid` moved west by dx and north by dy cells, one column and row larger where moved, so that
/// it still covers what it covered.
GridSpec shifted_grid(const GridSpec& grid, double dx, double dy);

/// The m-th origin before `at`, a whole horizon apart: m x its days, or m x its months (the same
/// day of the month, or the month's last).
DayIndex origin_before(DayIndex at, const Horizon& horizon, int m);

} // namespace hotspot::engine
