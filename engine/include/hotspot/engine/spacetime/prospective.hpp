#pragma once
// Prospective hotspots: where crime is likely next, from how recent the offences nearby are.
// ProMap (Bowers, Johnson & Pease 2004) and a time-decayed weighting for kernel density.

#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/core/run_context.hpp"

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

} // namespace hotspot::engine
