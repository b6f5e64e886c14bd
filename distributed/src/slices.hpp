#pragma once
// Jobs over slices: rank 0 sends each rank a packet, every rank runs its slice, and the results and
// failures come back to rank 0 in rank order.

#include "hotspot/engine/core/error.hpp"
#include "protocol.hpp"

#include <cstdlib>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace hotspot::distributed::detail
{

// Slice r of n items over the ranks: [begin, end).
inline std::pair<std::size_t, std::size_t> slice(std::size_t n, int rank, int ranks)
{
    const auto at = [&](int r)
    { return n * static_cast<std::size_t>(r) / static_cast<std::size_t>(ranks); };
    return {at(rank), at(rank + 1)};
}

// A rank's answer: "ok" and its results, or "failed N: why" with the error's code.
inline void send_answer(World& world, Errc code, const std::string& failure, const Packet& results)
{
    world.send_text(0, result_tag,
                    failure.empty()
                        ? "ok"
                        : "failed " + std::to_string(static_cast<int>(code)) + ": " + failure);
    if (failure.empty())
        world.send_text(0, result_tag, results.bytes());
}

// The error a rank's failed answer stands for on rank 0, with the rank's own code.
inline Error rank_failure(int rank, const std::string& status)
{
    const std::size_t colon = status.find(':');
    const int code = std::atoi(status.c_str() + std::string_view("failed ").size());
    const Errc errc = code >= 1 && code <= 4 ? static_cast<Errc>(code) : Errc::Internal;
    return Error(errc, "rank " + std::to_string(rank) + " failed" +
                           (colon == std::string::npos ? status : status.substr(colon)));
}

// Rank 0 side of a job over slices of records: sends each rank its packet, runs its own slice
// (run_own returns how many records it held), takes each rank's results in rank order, and
// rethrows the first failure once all are back.
template <class MakePacket, class RunOwn, class TakeResults>
DistributionReport over_slices(World& world, const Job& job, std::size_t n, MakePacket make_packet,
                         RunOwn run_own, TakeResults take_results)
{
    const auto started = std::chrono::steady_clock::now();
    const Traffic before = world.traffic();
    const int ranks = world.size();
    announce(world, job);
    for (int r = 1; r < ranks; ++r)
        world.send_text(r, data_tag, make_packet(slice(n, r, ranks)).bytes());
    DistributionReport report;
    report.work = "slices of records";
    report.ranks = ranks;
    report.tiles = ranks;
    report.shares.resize(static_cast<std::size_t>(ranks));
    std::exception_ptr failure;
    try
    {
        const auto t = std::chrono::steady_clock::now();
        report.shares[0].offences = run_own(slice(n, 0, ranks));
        report.shares[0].compute_seconds = seconds_since(t);
    }
    catch (...)
    {
        failure = std::current_exception();
    }
    for (int r = 1; r < ranks; ++r)
    {
        const std::string status = world.receive_text(r, result_tag);
        if (status == "ok")
        {
            Packet results(world.receive_text(r, result_tag));
            if (!failure)
                take_results(slice(n, r, ranks), results);
        }
        else if (!failure)
            failure = std::make_exception_ptr(rank_failure(r, status));
        world.receive(r, share_tag, &report.shares[static_cast<std::size_t>(r)], sizeof(RankShare));
    }
    report.shares[0].tiles = 1;
    report.shares[0].traffic = traffic_since(world, before);
    report.seconds = seconds_since(started);
    if (failure)
        std::rethrow_exception(failure);
    return report;
}

// The other ranks' side: reads the packet, runs the slice, answers with the results. For tests,
// HOTSPOT_FAULT=fail:N makes rank N run out of memory, unless `may_fail` is false.
template <class Run> void serve_slice(World& world, Run run, bool may_fail = true)
{
    const Traffic before = world.traffic();
    Packet packet(world.receive_text(0, data_tag));
    RankShare share;
    share.rank = world.rank();
    share.tiles = 1;
    Packet results;
    std::string failure;
    Errc code = Errc::Internal;
    try
    {
        if (may_fail && world.fault("fail"))
            throw std::bad_alloc();
        const auto t = std::chrono::steady_clock::now();
        if constexpr (std::is_invocable_v<Run, Packet&, Packet&, RankShare&>)
            share.offences = run(packet, results, share);
        else
            share.offences = run(packet, results);
        share.compute_seconds = seconds_since(t);
    }
    catch (const std::bad_alloc&)
    {
        failure = "out of memory";
    }
    catch (const Error& e)
    {
        failure = e.what();
        code = e.code();
    }
    catch (const std::exception& e)
    {
        failure = e.what();
    }
    send_answer(world, code, failure, results);
    share.traffic = traffic_since(world, before);
    world.send(0, share_tag, &share, sizeof share);
}

} // namespace hotspot::distributed::detail
