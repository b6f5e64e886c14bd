#pragma once
// Offences stacked on one coordinate: police.uk's anonymous snap points, or a force's default
// geocode. They distort a surface into spikes and can disclose where records come from.

#include "hotspot/engine/core/incidents.hpp"

#include <cstdint>
#include <vector>

namespace hotspot::engine
{

struct Stack
{
    double x = 0.0, y = 0.0;
    std::size_t count = 0;
    std::vector<std::pair<std::int32_t, std::size_t>>
        types; ///< crime type and count, largest first
    MonthIndex first_month = no_month, last_month = no_month;
};

/// Every coordinate carrying at least `min_records` offences, the largest first (ties by
/// coordinate), with its crime types.
std::vector<Stack> stacked_points(const Incidents& incidents, std::size_t min_records);

/// How far offences share exact points: snapped data (police.uk's anonymous map points, a
/// geocoder's street centroids) put most offences on a point with others.
struct SharedPoints
{
    std::int64_t offences = 0;
    std::int64_t points = 0;    ///< distinct coordinates
    std::int64_t on_shared = 0; ///< offences whose point carries at least one other offence
    std::int64_t largest = 0;   ///< the most offences on one point
    double share() const { return offences ? static_cast<double>(on_shared) / offences : 0.0; }
    /// Most offences (30% or more) share a point with another: locations look snapped, and "the
    /// same location" is the same point, not the same address.
    bool snapped() const { return share() >= 0.3; }
};
SharedPoints shared_points(const Incidents& incidents);

/// The offences with each stack of two or more spread over a disc of `radius_m` about its point:
/// the k-th of n at distance radius sqrt((k + 1/2) / n) and angle k times the golden angle (a
/// sunflower pattern: even cover, no randomness, the same result every run). Offences alone on
/// their point do not move.
struct SpreadStacks
{
    Incidents incidents;
    std::size_t moved = 0; ///< offences whose point changed
};
SpreadStacks spread_stacks(const Incidents& incidents, double radius_m);

} // namespace hotspot::engine
