#pragma once
// Records located in areas and reconciled by every rank of an MPI job, a slice of records each,
// with the single process's results.

#include "hotspot/distributed/kernel_sums.hpp"
#include "hotspot/distributed/world.hpp"
#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/engine/areas/reconcile.hpp"

#include <cstdint>
#include <vector>

namespace hotspot::distributed
{

/// On rank 0, while the others are in serve(): engine::locate_points for every point, the points
/// dealt out in contiguous slices, one per rank, each rank building the index from the polygons
/// rank 0 sends. A rank's failure is thrown on rank 0 naming the rank, after every slice is back.
DistributionReport locate_over_ranks(World& world, const engine::AreaIndex& index,
                                     const std::vector<double>& x, const std::vector<double>& y,
                                     double max_distance_m, std::int32_t* out);

/// On rank 0: engine::reconcile, with its location tests (classify_records) shared out in
/// contiguous slices of records, one per rank; the weighing of shared points and the counts stay
/// on rank 0. The report equals the single process's.
engine::ReconcileReport reconcile_over_ranks(World& world, const engine::CodeRecords& records,
                                             const engine::AreaIndex& areas,
                                             const engine::CodeBook& codes,
                                             const engine::ReconcileOptions& options,
                                             DistributionReport& report);

} // namespace hotspot::distributed
