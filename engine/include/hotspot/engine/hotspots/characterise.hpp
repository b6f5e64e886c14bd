#pragma once
// What lies in each hotspot: the records in its cells (not the density), their harm and crime
// types, its area, its density's peak and mean, its share of the study area's records and its PAI;
// and the order patrols take them in.

#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hotspot::engine
{

struct RegionFigures
{
    std::int32_t label = 0; ///< the region's number in Regions (1..)
    std::int64_t cells = 0;
    double area_m2 = 0;
    std::int64_t offences = 0;                  ///< records in its cells
    double harm = 0;                            ///< their weights, summed
    double peak = 0;                            ///< the surface's highest value in it
    double mean = 0;                            ///< and its mean over the region's cells
    Point2 peak_at;                             ///< the centre of the (first) cell at the peak
    std::map<std::int32_t, std::int64_t> types; ///< records by crime type (-1: none)
    double share = 0;                           ///< of the records in the study area
    double pai = 0; ///< Chainey's Predictive Accuracy Index: share / (area / study area)
};

struct RegionCharacter
{
    std::vector<RegionFigures> regions; ///< by label: regions[l - 1]
    std::int64_t in_study = 0;          ///< records in the study area's cells
    double study_area_m2 = 0;           ///< the study area's cells
};

/// The figures of every region of `regions` on `surface`, counting the records of `incidents` in
/// the cells `study` marks (records outside it, or off the grid, count nowhere).
RegionCharacter characterise_regions(const Regions& regions, const Raster<double>& surface,
                                     const Raster<std::uint8_t>& study, const Incidents& incidents);

/// The areas of `index` that region `label`'s cells lie in (by each cell's centre), most cells
/// first, ties by area number; cells in no area are left out. `percent` is of all the region's
/// cells, so the percents of a region partly outside every area sum to less than 100.
struct AreaShare
{
    std::int32_t area = -1; ///< the area's number in `index`
    std::int64_t cells = 0;
    double percent = 0;
};
std::vector<AreaShare> area_shares(const Regions& regions, std::int32_t label, const GridSpec& grid,
                                   const AreaIndex& index);

/// For each record of `incidents`, the position in `labels` of the region its cell lies in, or -1
/// (in no region listed there, or off the grid). `labels` are region numbers, in the order wanted
/// (a patrol list's).
std::vector<std::int32_t> records_by_region(const Incidents& incidents, const GridSpec& grid,
                                            const Regions& regions,
                                            const std::vector<std::int32_t>& labels);

/// What patrols call a hotspot: the nearest named place when it lies within `place_radius_m` of
/// the hotspot's peak, else the area holding most of it (`main_area`), else "hotspot N" after its
/// region's number.
std::string hotspot_name(const std::string& place, double place_distance_m, double place_radius_m,
                         const std::string& main_area, std::int32_t label);

/// True when hotspot a goes before b on a patrol list: more offences first, then the higher peak.
/// Used with a stable sort, so that equal hotspots keep their regions' order.
inline bool patrols_first(const RegionFigures& a, const RegionFigures& b)
{
    return a.offences != b.offences ? a.offences > b.offences : a.peak > b.peak;
}

} // namespace hotspot::engine
