#pragma once
// A kernel-density surface computed by every rank of an MPI job, bit for bit the single process's.

#include "hotspot/distributed/world.hpp"
#include "hotspot/engine/density/kde.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hotspot::distributed
{

/// One rank's part in a surface.
struct RankShare
{
    int rank = 0;
    std::int64_t offences = 0;    ///< the offences it held (those reaching its tiles), or read
    std::uint64_t bytes_read = 0; ///< of the input, when it read a share of it
    std::int64_t tiles = 0;
    std::int64_t cells = 0;
    double compute_seconds = 0; ///< computing its tiles, with its own threads (reading: parsing)
    double finish_seconds = 0;  ///< finishing and writing its strips (RemoteStrips); reading:
                                ///< sampling and projecting
    Traffic traffic;            ///< its messages for this surface
};

/// How a stage was shared out over the ranks.
struct DistributionReport
{
    std::string work; ///< "density tiles", "slices of records", "reading"
    int ranks = 1;
    std::int64_t tiles = 0;
    std::int64_t tile_rows = 0;
    double seconds = 0;            ///< on rank 0, from sending the first offences to the last strip
    double distribute_seconds = 0; ///< on rank 0, sorting the offences to ranks and sending them
    std::vector<RankShare> shares; ///< by rank

    /// Records (or offences) held by all ranks, those near a tile's edge counted by each holder.
    std::int64_t records_held() const
    {
        std::int64_t n = 0;
        for (const auto& share : shares)
            n += share.offences;
        return n;
    }
    /// Bytes sent by all ranks.
    std::uint64_t bytes_exchanged() const
    {
        std::uint64_t n = 0;
        for (const auto& share : shares)
            n += share.traffic.bytes_sent;
        return n;
    }
};

/// Strips finished on the rank that computed them (masked, corrected and written as tiles there)
/// rather than sent back to rank 0: for grids too large for one node to hold or to write alone.
/// `context` goes to every rank, which hands it, with each strip it computed, to the finisher set
/// there with set_strip_finisher; rank 0 receives each strip's result, in order, in `done`.
struct RemoteStrips
{
    std::string context;
    std::function<void(std::int64_t first_row, std::int64_t row_count, const std::string& result)>
        done;
};
using StripFinisher =
    std::function<std::string(const std::string& context, std::int64_t first_row,
                              std::int64_t row_count, const std::vector<double>& values)>;
/// The finisher of this process; every rank sets the same one before any job.
void set_strip_finisher(StripFinisher finisher);

/// On rank 0, while the other ranks are in serve() (serve.hpp): the surface of
/// engine::estimate_kde_strips, in the same strips and bit for bit, computed by every rank. The
/// grid is cut into tiles of whole bands of rows that divide a strip; tile t goes to rank t mod N;
/// each rank is sent exactly the offences that reach its tiles, in input order, and computes its
/// tiles with its own threads; rank 0 computes its own and hands each strip to `sink`, in order, as
/// its tiles come back. A rank that fails says why in place of its tiles; once every tile is back
/// the first failure is thrown on rank 0 naming the rank. Rank 0 holds one strip of the grid and
/// its own offences. With `remote`, each tile is a whole strip, finished where it was computed, and
/// `sink` is not called.
DistributionReport kde_strips_over_ranks(World& world, const engine::Incidents& incidents,
                                         const engine::GridSpec& grid,
                                         const engine::KdeOptions& options,
                                         std::int64_t rows_per_strip, const engine::StripSink& sink,
                                         const engine::RunContext& context = {},
                                         const RemoteStrips* remote = nullptr);

} // namespace hotspot::distributed
