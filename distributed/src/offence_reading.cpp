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

// What a rank needs to read its share: how to read, and which pieces.
struct ShareRequest
{
    io::OffenceSource source;
    io::ReadOptions options;
    io::OffenceFilter filter;
    std::vector<io::FilePiece> pieces;
};

void put_month(Packet& p, const std::optional<engine::MonthIndex>& month)
{
    p.put_one<std::uint8_t>(month.has_value());
    p.put_one<engine::MonthIndex>(month.value_or(engine::no_month));
}

std::optional<engine::MonthIndex> take_month(Packet& p)
{
    const bool has = p.take_one<std::uint8_t>() != 0;
    const auto month = p.take_one<engine::MonthIndex>();
    return has ? std::optional(month) : std::nullopt;
}

Packet request_packet(const io::OffenceSource& s, const io::ReadOptions& o,
                      const io::OffenceFilter& f, const std::vector<io::FilePiece>& pieces)
{
    Packet p;
    p.put(std::vector<std::string>{s.layer, s.sql, s.x_field, s.y_field, s.crs, s.date_field,
                                   s.type_field, s.id_field, s.weight_field, s.code_field});
    p.put(std::vector<std::uint8_t>{o.keep_raw, o.keep_unlocated, o.reject_duplicates,
                                    o.list_rejected, o.text_on_demand});
    p.put(std::vector<std::uint64_t>{o.batch_bytes, o.chunk_bytes});
    put_month(p, f.from);
    put_month(p, f.to);
    p.put(f.crime_types);
    std::vector<std::string> paths;
    std::vector<std::uint32_t> files;
    std::vector<std::uint64_t> ranges;
    for (const auto& piece : pieces)
    {
        paths.push_back(piece.path);
        files.push_back(piece.file);
        ranges.insert(ranges.end(), {piece.begin, piece.end});
    }
    p.put(paths);
    p.put(files);
    p.put(ranges);
    return p;
}

ShareRequest take_request(Packet& p)
{
    ShareRequest q;
    const auto fields = p.take_texts();
    if (fields.size() != 10)
        throw Error(Errc::Internal, "a read request between ranks is malformed");
    io::OffenceSource& s = q.source;
    s.layer = fields[0];
    s.sql = fields[1];
    s.x_field = fields[2];
    s.y_field = fields[3];
    s.crs = fields[4];
    s.date_field = fields[5];
    s.type_field = fields[6];
    s.id_field = fields[7];
    s.weight_field = fields[8];
    s.code_field = fields[9];
    const auto flags = p.take<std::uint8_t>();
    const auto sizes = p.take<std::uint64_t>();
    if (flags.size() != 5 || sizes.size() != 2)
        throw Error(Errc::Internal, "a read request between ranks is malformed");
    io::ReadOptions& o = q.options;
    o.keep_raw = flags[0] != 0;
    o.keep_unlocated = flags[1] != 0;
    o.reject_duplicates = flags[2] != 0;
    o.list_rejected = flags[3] != 0;
    o.text_on_demand = flags[4] != 0;
    o.batch_bytes = sizes[0];
    o.chunk_bytes = sizes[1];
    q.filter.from = take_month(p);
    q.filter.to = take_month(p);
    q.filter.crime_types = p.take_texts();
    const auto paths = p.take_texts();
    const auto files = p.take<std::uint32_t>();
    const auto ranges = p.take<std::uint64_t>();
    if (files.size() != paths.size() || ranges.size() != 2 * paths.size())
        throw Error(Errc::Internal, "a read request between ranks is malformed");
    for (std::size_t k = 0; k < paths.size(); ++k)
        q.pieces.push_back({paths[k], files[k], ranges[2 * k], ranges[2 * k + 1]});
    return q;
}
} // namespace

std::uint64_t min_piece_bytes()
{
    if (const char* text = std::getenv("HOTSPOT_MIN_PIECE_BYTES"))
        if (const long long bytes = std::atoll(text); bytes > 0)
            return static_cast<std::uint64_t>(bytes);
    return std::uint64_t{64} << 20;
}

io::OffenceTable spread_read_offences(World& world, const io::OffenceSource& source,
                                      const io::OffenceFilter& filter,
                                      const io::ReadOptions& options, SpreadReport& report)
{
    const auto started = std::chrono::steady_clock::now();
    const io::ReadPlan plan = io::plan_shares(source, filter, world.size(), min_piece_bytes());
    if (!plan.alone.empty() || world.size() < 2)
        return io::read_offences(source, filter, options);
    std::vector<std::string> packed(static_cast<std::size_t>(world.size()));
    Job job;
    job.kind = JobKind::read_offences;
    report = over_slices(
        world, job, packed.size(),
        [&](std::pair<std::size_t, std::size_t> s)
        { return request_packet(source, options, filter, plan.shares[s.first]); },
        [&](std::pair<std::size_t, std::size_t>)
        {
            io::ShareRead own = io::read_share(source, plan.shares[0], options, filter);
            packed[0] = std::move(own.packed);
            return own.records;
        },
        [&](std::pair<std::size_t, std::size_t> s, Packet& results)
        { packed[s.first] = results.release(); });
    report.work = "reading";
    report.tiles = 0;
    for (std::size_t r = 0; r < plan.shares.size(); ++r)
        report.tiles += static_cast<std::int64_t>(plan.shares[r].size());
    report.shares[0].tiles = static_cast<std::int64_t>(plan.shares[0].size());
    report.shares[0].bytes_read = plan.share_bytes[0];
    const double parse = seconds_since(started);
    io::OffenceTable table = io::derive_table(
        io::join_shares(source, plan, std::move(packed), options, filter), filter, options);
    table.seconds.parse = parse;
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
            const ShareRequest q = take_request(packet);
            if (world.fault("unreadable") && !q.pieces.empty())
                throw Error(Errc::Io, q.pieces.front().path +
                                          ": cannot be read (HOTSPOT_FAULT made this rank fail)");
            io::ShareRead read = io::read_share(q.source, q.pieces, q.options, q.filter);
            share.tiles = static_cast<std::int64_t>(q.pieces.size());
            share.bytes_read = read.bytes;
            results = Packet(std::move(read.packed));
            return read.records;
        },
        false);
}
} // namespace detail

} // namespace hotspot::distributed
