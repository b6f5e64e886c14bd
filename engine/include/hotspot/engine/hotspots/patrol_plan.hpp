#pragma once
// Who goes where, and when: visits of each shift of the week given to hotspots by the harm
// expected there in the shift's hours (from their aoristic signatures), as whole visits, at times
// drawn at random over each hotspot's busy hours, so that they are unpredictable.
//
// Visits follow Koper (1995): stops of about 10 minutes or more deter for longer after the officer
// leaves, 11-15 minutes best, at unpredictable times.

#include "hotspot/engine/core/names.hpp"
#include "hotspot/engine/spacetime/aoristic.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot::engine
{

/// A shift of every day: from `start_hour` to `end_hour` (half-open; past midnight when the end is
/// not after the start, and then the shift belongs to the day it starts on).
struct Shift
{
    std::string name;
    int start_hour = 0;
    int end_hour = 0;
    int hours() const { return end_hour > start_hour ? end_hour - start_hour : end_hour + 24 - start_hour; }
};
/// "early 07-15", "night 23:00-07:00". Throws Error(Usage) saying what is wrong.
Shift parse_shift(std::string_view text);
/// Throws Error(Usage) unless the shifts are distinct by name and cover no hour twice.
void check_shifts(const std::vector<Shift>& shifts);

enum class PatrolStrategy : std::uint8_t
{
    Proportional, ///< each shift's visits in proportion to the expected harm
    TopFirst,     ///< a full dose to the highest-harm hotspots first
};
inline constexpr std::array<Named<PatrolStrategy>, 2> patrol_strategy_names{
    {{PatrolStrategy::Proportional, "proportional"}, {PatrolStrategy::TopFirst, "top-first"}}};

struct PatrolOptions
{
    PatrolStrategy strategy = PatrolStrategy::Proportional;
    int visits_per_shift = 0; ///< capacity of each shift, after travel
    int visit_minutes = 15;
    int min_visits = 0;  ///< every hotspot, every shift
    int max_visits = -1; ///< per hotspot and shift; -1: no limit
    int dose = 3;        ///< top-first: the visits a hotspot gets before the next one gets any
    /// Pseudo-offences of the area's signature mixed into each hotspot's: a hotspot of few
    /// offences has a noisy signature, so its shape is shrunk towards the area's.
    double shrinkage = 24;
    double weeks = 1;    ///< the weeks the signatures span: expected harm is per week
    std::uint64_t seed = 1;
};

/// One shift of one day at one hotspot.
struct PatrolVisit
{
    int day = 0;          ///< weekday of the shift's start, 0 Monday
    std::size_t shift = 0;
    std::size_t hotspot = 0;
    int visits = 0;
    double expected_harm = 0;   ///< per week in this shift and day, after shrinkage
    double share_of_shift = 0;  ///< of the whole area's expected harm in this shift and day
    std::vector<MinuteIndex> times; ///< suggested starts, minutes from Monday 00:00, sorted
};

struct PatrolPlan
{
    std::vector<PatrolVisit> rows; ///< by day, shift, then hotspot rank
    /// Per day and shift (day * shifts + shift): visits given, and those left over because every
    /// hotspot reached --max-visits.
    std::vector<int> given, unused;
    double area_harm_per_week = 0; ///< the whole area's
    /// The share of the area's harm that falls in the hotspot-shifts given any visit.
    double share_in_planned = 0;
};

/// Plans a week: `hotspots[k]` is hotspot k's signature (rank order), `area` the whole area's.
/// Throws Error(Usage) when the capacity cannot give every hotspot its minimum.
PatrolPlan plan_patrols(const std::vector<Signature>& hotspots, const Signature& area,
                        const std::vector<Shift>& shifts, const PatrolOptions& options);

/// The visits one officer's shift of `officer_hours` holds, each `visit_minutes` on the spot and
/// `travel_minutes` getting there: whole visits only.
int visits_in_shift(double officer_hours, double visit_minutes, double travel_minutes);

/// The weeks weekly rates are measured over: from the earliest start of a timed record to the
/// latest, in whole weeks, at least one.
struct MeasuredWeeks
{
    double weeks = 1;
    MinuteIndex last = no_minute; ///< the latest start
};
MeasuredWeeks measured_weeks(const Incidents& incidents);

/// Keeps the records that start in the `weeks` weeks before `last` (after last - weeks x 7 days),
/// and returns how many were kept.
std::size_t keep_last_weeks(Incidents& incidents, double weeks, MinuteIndex last);

/// Integer visits summing to `total` (or less, where caps bind), in proportion to `weights`, each
/// between `min` and `max` (max < 0: none), remainders given to the largest fractions first (ties
/// to the lower index). Throws Error(Usage) when total < min * count.
std::vector<int> largest_remainder(const std::vector<double>& weights, int total, int min, int max);

} // namespace hotspot::engine
