#pragma once
// Near-repeat victimisation: the Knox test of space-time clustering with Monte Carlo permutation of
// the dates, as Ratcliffe's Near Repeat Calculator computes it.

#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/core/names.hpp"
#include "hotspot/engine/core/run_context.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hotspot::engine
{

enum class DistanceMetric
{
    Euclidean,
    Manhattan,
};
inline constexpr std::array<Named<DistanceMetric>, 2> distance_metric_names{
    {{DistanceMetric::Euclidean, "euclidean"}, {DistanceMetric::Manhattan, "manhattan"}}};

struct KnoxOptions
{
    /// Band edges in metres, ascending from 0: 0,100,200 gives the same location (distance 0),
    /// 1 to 100 m, 101 to 200 m, and more than 200 m.
    std::vector<double> space_edges{0, 100, 200, 300, 400};
    /// Band edges in days, ascending from 0: 0,7,14 gives 0 to 7 days, 8 to 14, and more than 14.
    std::vector<int> time_edges{0, 7, 14, 21, 28};
    DistanceMetric metric = DistanceMetric::Euclidean;
    int permutations = 999;
    std::uint64_t seed = 1;
    double alpha = 0.05; ///< for `significant` and the reading
};

/// Pairs of offences per space band (rows) and time band (columns), the last row and column
/// holding those beyond the last edge. Expected counts are the mean over permutations of the dates
/// among the offences (locations fixed); p = (1 + permutations with at least the observed count) /
/// (1 + permutations), an upper tail: small where pairs that close are more than chance gives.
struct KnoxTable
{
    std::vector<std::string>
        space_labels;                     ///< "same location", "1 to 100 m", ..., "more than 400 m"
    std::vector<std::string> time_labels; ///< "0 to 7 days", ..., "more than 28 days"
    std::vector<std::int64_t> observed;   ///< [space * time_labels.size() + time]
    std::vector<double> expected;
    std::vector<double> p_value;
    std::int64_t offences = 0;
    std::int64_t pairs = 0;       ///< n(n-1)/2
    std::int64_t close_pairs = 0; ///< pairs within the last space edge, each enumerated
    int permutations = 0;

    std::size_t index(std::size_t space, std::size_t time) const
    {
        return space * time_labels.size() + time;
    }
    double knox_ratio(std::size_t k) const
    {
        return expected[k] > 0 ? static_cast<double>(observed[k]) / expected[k] : 0.0;
    }
};

/// The Knox table of the offences' locations and days (Incidents::day, which every offence must
/// have). Throws Error(Usage) for bands that are not ascending from 0 or fewer than 1 permutation,
/// and Error(BadData) for fewer than 2 offences or an offence without a day. Close pairs are found
/// through a grid index, so the time grows with them, not with n^2; the result is the same for any
/// thread count.
KnoxTable knox_test(const Incidents& incidents, const KnoxOptions& options,
                    const RunContext& context = {});

/// The near-repeat pattern in plain words, from the cells significant at `alpha` with a Knox ratio
/// above 1: the same-location repeat and the near-repeat window (the widest distance and longest
/// time whose bands, from the nearest, are all raised).
std::vector<std::string> describe_near_repeats(const KnoxTable& table, double alpha,
                                               const std::string& what = "an offence");

} // namespace hotspot::engine
