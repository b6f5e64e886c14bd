#include "hotspot/distributed/offence_reading.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/offence_shares.hpp"
#include "slices.hpp"

#include <cstdlib>

namespace hotspot::distributed
{

namespace
{
using namespace detail;

// This rank's reader: what it parsed stays here between the rounds of one read.
io::ShareReader& this_reader()
{
    static io::ShareReader reader;
    return reader;
}

// A later round of the same read (sampling, projecting): its traffic added to the first's, its
// time counted as finishing.
void add_round(DistributionReport& into, const DistributionReport& round)
{
    for (std::size_t r = 0; r < into.shares.size() && r < round.shares.size(); ++r)
    {
        RankShare& share = into.shares[r];
        share.finish_seconds += round.shares[r].compute_seconds;
        share.traffic.bytes_sent += round.shares[r].traffic.bytes_sent;
        share.traffic.bytes_received += round.shares[r].traffic.bytes_received;
        share.traffic.seconds += round.shares[r].traffic.seconds;
    }
}
// The least bytes of a piece of a CSV file that a rank reads (see read_offences_over_ranks).
std::uint64_t min_piece_bytes()
{
    if (const char* text = std::getenv("HOTSPOT_MIN_PIECE_BYTES"))
        if (const long long bytes = std::atoll(text); bytes > 0)
            return static_cast<std::uint64_t>(bytes);
    return std::uint64_t{64} << 20;
}
} // namespace

io::OffenceTable read_offences_over_ranks(World& world, const io::OffenceSource& source,
                                          const io::OffenceFilter& filter,
                                          const io::ReadOptions& options,
                                          DistributionReport& report)
{
    const auto started = std::chrono::steady_clock::now();
    const io::ReadPlan plan = io::plan_shares(source, filter, world.size(), min_piece_bytes());
    if (!plan.alone.empty() || world.size() < 2)
        return io::read_offences(source, filter, options);
    io::ShareReader& own = this_reader();
    own.set_progress(options.progress);
    Job job;
    job.kind = JobKind::read_offences;
    std::vector<DistributionReport> rounds;
    const io::ShareExchange exchange = [&](std::vector<std::string> requests)
    {
        std::vector<std::string> answers(requests.size());
        rounds.push_back(over_slices(
            world, job, requests.size(),
            [&](std::pair<std::size_t, std::size_t> s) { return Packet(requests[s.first]); },
            [&](std::pair<std::size_t, std::size_t>)
            {
                answers[0] = own.answer(requests[0]);
                return rounds.empty() ? own.figures().records : 0;
            },
            [&](std::pair<std::size_t, std::size_t> s, Packet& results)
            { answers[s.first] = results.release(); }));
        return answers;
    };
    io::OffenceTable all = io::read_in_shares(source, plan, filter, options, exchange);
    own.set_progress({});
    report = std::move(rounds.front());
    for (std::size_t k = 1; k < rounds.size(); ++k)
        add_round(report, rounds[k]);
    report.work = "reading";
    report.tiles = 0;
    for (const auto& share : plan.shares)
        report.tiles += static_cast<std::int64_t>(share.size());
    report.shares[0].tiles = own.figures().pieces;
    report.shares[0].bytes_read = own.figures().bytes;
    io::OffenceTable table = io::derive_table(std::move(all), filter, options);
    report.seconds = seconds_since(started);
    return table;
}

namespace detail
{
void serve_read_offences(World& world, const Job&)
{
    serve_slice(
        world,
        [&](Packet& packet, Packet& results, RankShare& share)
        {
            const std::string request = packet.release();
            const auto files = io::ShareReader::files_of(request);
            if (files && !files->empty() && world.fault("unreadable"))
                throw Error(Errc::Io, files->front() +
                                          ": cannot be read (HOTSPOT_FAULT made this rank fail)");
            io::ShareReader& reader = this_reader();
            results = Packet(reader.answer(request));
            if (!files)
                return std::int64_t{0};
            share.tiles = reader.figures().pieces;
            share.bytes_read = reader.figures().bytes;
            return reader.figures().records;
        },
        false);
}
} // namespace detail

} // namespace hotspot::distributed
