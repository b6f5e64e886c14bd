#pragma once
// Seeded synthetic offences for tests and benchmarks. The seed defaults to a fixed value and can be
// changed with the HOTSPOT_TEST_SEED environment variable, to shake out order-dependent failures.

#include "hotspot/engine/core/incidents.hpp"

#include <cstdint>
#include <vector>

namespace hotspot::testsupport
{

/// HOTSPOT_TEST_SEED if set, else 12345.
std::uint64_t test_seed();

struct Cluster
{
    double x = 0, y = 0;  ///< centre, metres
    double sigma_m = 100; ///< spread
    double share = 1;     ///< relative share of the offences
};

/// n offences: `background` share spread uniformly over the box, the rest drawn around the
/// clusters. Weights are 1 unless `random_weights`, then uniform in [0.5, 3).
engine::Incidents make_clustered_incidents(std::uint64_t seed, std::size_t n,
                                           const std::vector<Cluster>& clusters, double xmin,
                                           double ymin, double xmax, double ymax,
                                           double background = 0.2, bool random_weights = false);

/// Clusters shaped like a town's crime: a dense centre and a few estates, around Maidstone
/// (EPSG:27700).
std::vector<Cluster> maidstone_like_clusters();

} // namespace hotspot::testsupport
