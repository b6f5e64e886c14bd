#pragma once
// What rank 0 and the other ranks say to one another: a job header, then the job's own messages.
// The ranks run one binary, so plain structs travel as bytes.

#include "hotspot/distributed/kernel_sums.hpp"
#include "hotspot/distributed/packet.hpp"
#include "hotspot/distributed/world.hpp"
#include "hotspot/engine/core/grid.hpp"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace hotspot::distributed::detail
{

enum Tag : int
{
    job_tag = 100,
    data_tag = 101,
    result_tag = 102,
    share_tag = 103,
};

enum class JobKind : std::int32_t
{
    stop = 0,
    kernel_sums = 1,   ///< tiles of a density surface
    locate = 2,        ///< the area holding each point
    classify = 3,      ///< reconcile's location tests
    read_offences = 4, ///< a share of an offence source
};

struct Job
{
    JobKind kind = JobKind::stop;
    std::int32_t exit_code = 0; ///< with stop: what the run exits with
    // kernel_sums
    std::int32_t kernel = 0;
    std::int32_t units = 0;
    std::int32_t weighted = 0;
    std::int32_t adaptive = 0;
    double bandwidth_m = 0;
    engine::GridSpec grid;
    std::int64_t tile_rows = 0;
    std::int32_t remote = 0; ///< strips finished where computed (RemoteStrips)
    // locate, classify
    double tolerance_m = 0;
    std::int32_t trust = 0;
};

/// Sends `job` to every rank but 0.
void announce(World& world, const Job& job);

double seconds_since(std::chrono::steady_clock::time_point start);

/// The traffic since `before`.
Traffic traffic_since(const World& world, const Traffic& before);

/// Runs one job on a rank other than 0 (all but stop).
void serve_kernel_sums(World& world, const Job& job);
void serve_locate(World& world, const Job& job);
void serve_classify(World& world, const Job& job);
void serve_read_offences(World& world, const Job& job);

} // namespace hotspot::distributed::detail
