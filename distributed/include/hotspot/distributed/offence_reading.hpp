#pragma once
// An offence source read by every rank of an MPI job, a share each, into rank 0's table.

#include "hotspot/distributed/kernel_sums.hpp"
#include "hotspot/distributed/world.hpp"
#include "hotspot/io/offences.hpp"

namespace hotspot::distributed
{

/// On rank 0, while the others are in serve(): io::read_offences(source, filter, options) with the
/// files read by every rank, a share of the bytes each (io::plan_shares: whole files, and pieces of
/// large CSV files cut on line starts, at least HOTSPOT_MIN_PIECE_BYTES each: 64 MiB by default,
/// tests make it small), and joined on rank 0 into the table one process reads,
/// record for record. A source that cannot be shared (OGR, PostGIS) is read by rank 0 alone and
/// `report` is left with no shares. A rank that cannot read its share makes the read fail on rank
/// 0, naming the rank and the file.
io::OffenceTable read_offences_over_ranks(World& world, const io::OffenceSource& source,
                                          const io::OffenceFilter& filter,
                                          const io::ReadOptions& options,
                                          DistributionReport& report);

} // namespace hotspot::distributed
