// An offence source read in shares: planning the shares, packing each share's records, and
// joining the pieces of each file into the parts read_all_offences joins.

#include "hotspot/io/offence_shares.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/packet.hpp"
#include "offence_fields.hpp"
#include "offence_readers.hpp"

#include <algorithm>

namespace hotspot::io
{

namespace
{
using detail::SourcePart;
using engine::Packet;
// Byte offsets times reader counts, exactly.
__extension__ using Wide = unsigned __int128;

// Pieces keep no record text: readers in other processes cannot hand over views into their files.
ReadOptions piece_options(const ReadOptions& options)
{
    ReadOptions o = options;
    if (o.keep_raw)
        o.text_on_demand = true;
    return o;
}

const OffenceFilter* filter_if_any(const OffenceFilter& filter)
{
    return filter.from || filter.to || !filter.crime_types.empty() ? &filter : nullptr;
}

void put_crs(Packet& p, const Crs& crs)
{
    p.put(crs.wkt);
    p.put(crs.name);
    p.put(crs.authority);
    p.put_one<std::uint8_t>(crs.geographic);
    p.put_one<std::uint8_t>(crs.metric);
    p.put_one<std::uint8_t>(crs.area_of_use.has_value());
    p.put_one(crs.area_of_use.value_or(engine::Box2{}));
}

Crs take_crs(Packet& p)
{
    Crs crs;
    crs.wkt = p.take_text();
    crs.name = p.take_text();
    crs.authority = p.take_text();
    crs.geographic = p.take_one<std::uint8_t>() != 0;
    crs.metric = p.take_one<std::uint8_t>() != 0;
    const bool area = p.take_one<std::uint8_t>() != 0;
    const auto box = p.take_one<engine::Box2>();
    if (area)
        crs.area_of_use = box;
    return crs;
}

// A piece read: its description and its records. Record text is never packed (piece_options).
void put_part(Packet& p, const SourcePart& part)
{
    p.put(part.path);
    put_crs(p, part.source_crs);
    p.put(part.format);
    p.put(part.fields_used);
    p.put(part.field_names);
    p.put(part.raw_header);
    p.put_one<std::uint8_t>(part.has_dates);
    p.put_one<std::uint8_t>(part.has_types);
    p.put_one<std::int32_t>(part.id_column);
    p.put_one(part.span);

    const detail::RecordColumns& c = part.columns;
    const engine::Incidents& inc = c.located;
    p.put(inc.x);
    p.put(inc.y);
    p.put(inc.weight);
    p.put(inc.month);
    p.put(inc.day);
    p.put(inc.crime_type);
    p.put(inc.source_row);
    p.put(c.id_hash);
    p.put(c.code);
    p.put_one<std::uint64_t>(c.raw.size());

    std::vector<std::int64_t> rows;
    std::vector<RejectReason> reasons;
    std::vector<std::string> details;
    std::vector<engine::MonthIndex> months;
    std::vector<std::int32_t> types;
    for (const auto& u : c.unlocated)
    {
        rows.push_back(u.row);
        reasons.push_back(u.reason);
        details.push_back(u.detail);
        months.push_back(u.month);
        types.push_back(u.crime_type);
    }
    p.put(rows);
    p.put(reasons);
    p.put(details);
    p.put(months);
    p.put(types);
    p.put(c.unlocated_code);

    rows.clear();
    reasons.clear();
    details.clear();
    std::vector<std::string> texts;
    for (const auto& r : c.rejected)
    {
        rows.push_back(r.row);
        reasons.push_back(r.reason);
        details.push_back(r.detail);
        texts.push_back(r.raw);
    }
    p.put(rows);
    p.put(reasons);
    p.put(details);
    p.put(texts);
    p.put_one(c.rejected_by_reason);
    p.put_one(c.records_read);
    p.put_one(c.swapped_out_of_range);
    p.put_one(c.located_seen);
    p.put(c.type_names);
    p.put(c.code_names);
}

SourcePart take_part(Packet& p)
{
    SourcePart part;
    part.path = p.take_text();
    part.source_crs = take_crs(p);
    part.format = p.take_text();
    part.fields_used = p.take_text();
    part.field_names = p.take_texts();
    part.raw_header = p.take_text();
    part.has_dates = p.take_one<std::uint8_t>() != 0;
    part.has_types = p.take_one<std::uint8_t>() != 0;
    part.id_column = p.take_one<std::int32_t>();
    part.span = p.take_one<detail::PieceSpan>();

    detail::RecordColumns& c = part.columns;
    engine::Incidents& inc = c.located;
    inc.x = p.take<double>();
    inc.y = p.take<double>();
    inc.weight = p.take<double>();
    inc.month = p.take<engine::MonthIndex>();
    inc.day = p.take<engine::DayIndex>();
    inc.crime_type = p.take<std::int32_t>();
    inc.source_row = p.take<std::int64_t>();
    c.id_hash = p.take<std::uint64_t>();
    c.code = p.take<std::int32_t>();
    c.raw.assign(p.take_one<std::uint64_t>(), std::string_view());

    auto rows = p.take<std::int64_t>();
    auto reasons = p.take<RejectReason>();
    auto details = p.take_texts();
    const auto months = p.take<engine::MonthIndex>();
    const auto types = p.take<std::int32_t>();
    c.unlocated_code = p.take<std::int32_t>();
    c.unlocated.resize(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k)
        c.unlocated[k] = {rows[k], reasons[k], std::move(details[k]), months[k], types[k], {}, {}};

    rows = p.take<std::int64_t>();
    reasons = p.take<RejectReason>();
    details = p.take_texts();
    auto texts = p.take_texts();
    c.rejected.resize(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k)
        c.rejected[k] = {rows[k], reasons[k], std::move(details[k]), std::move(texts[k])};
    c.rejected_by_reason = p.take_one<decltype(c.rejected_by_reason)>();
    c.records_read = p.take_one<std::int64_t>();
    c.swapped_out_of_range = p.take_one<std::int64_t>();
    c.located_seen = p.take_one<std::int64_t>();
    c.type_names = p.take_texts();
    c.code_names = p.take_texts();
    return part;
}

// Moves a piece's records to the lines of the file: `shift` added to each record key.
void shift_lines(detail::RecordColumns& c, std::int64_t shift)
{
    if (shift == 0)
        return;
    for (auto& row : c.located.source_row)
        row += shift;
    for (auto& u : c.unlocated)
        u.row += shift;
    for (auto& r : c.rejected)
        r.row += shift;
}

std::uint64_t piece_bytes(const FilePiece& piece)
{
    const std::uint64_t end = piece.end > 0 ? piece.end : detail::file_size(piece.path);
    return end - std::min(end, piece.begin);
}
} // namespace

ReadPlan plan_shares(const OffenceSource& source, const OffenceFilter& filter, int readers,
                     std::uint64_t min_piece_bytes)
{
    detail::check_period(filter);
    ReadPlan plan;
    plan.inputs = expand_offence_inputs(source.paths, source.forces, filter);
    const auto n = static_cast<std::uint64_t>(std::max(readers, 1));
    plan.shares.resize(n);
    plan.share_bytes.resize(n);
    for (const auto& f : plan.inputs.files)
        if (!detail::is_csv_path(f.path))
        {
            plan.alone = f.path + " is not a CSV file (OGR and PostGIS sources are read by one "
                                  "process)";
            return plan;
        }
    std::vector<std::uint64_t> sizes;
    std::uint64_t total = 0;
    for (const auto& f : plan.inputs.files)
        total += sizes.emplace_back(detail::file_size(f.path));
    // Reader r takes the bytes [total r / n, total (r + 1) / n) of the files end to end.
    const auto reader_at = [&](std::uint64_t at)
    {
        return total == 0
                   ? 0
                   : std::min(n - 1, static_cast<std::uint64_t>(static_cast<Wide>(at) * n / total));
    };
    const std::uint64_t least = std::max<std::uint64_t>(min_piece_bytes, 1);
    std::uint64_t at = 0;
    for (std::size_t k = 0; k < plan.inputs.files.size(); ++k)
    {
        const std::string& path = plan.inputs.files[k].path;
        const std::uint64_t size = sizes[k];
        std::vector<std::uint64_t> cuts{0};
        if (!path.starts_with("/vsi"))
            for (std::uint64_t r = reader_at(at) + 1; r < n; ++r)
            {
                const auto boundary =
                    static_cast<std::uint64_t>((static_cast<Wide>(total) * r + n - 1) / n);
                if (boundary >= at + size)
                    break;
                const std::uint64_t cut = boundary - at;
                if (cut - cuts.back() >= least && size - cut >= least)
                    cuts.push_back(cut);
            }
        cuts.push_back(size);
        for (std::size_t c = 0; c + 1 < cuts.size(); ++c)
        {
            const std::uint64_t reader = reader_at(at + (cuts[c] + cuts[c + 1]) / 2);
            plan.shares[reader].push_back({path, static_cast<std::uint32_t>(k), cuts[c],
                                           c + 2 < cuts.size() ? cuts[c + 1] : 0});
            plan.share_bytes[reader] += cuts[c + 1] - cuts[c];
        }
        at += size;
    }
    return plan;
}

ShareRead read_share(const OffenceSource& source, const std::vector<FilePiece>& share,
                     const ReadOptions& options, const OffenceFilter& filter)
{
    const ReadOptions o = piece_options(options);
    ShareRead out;
    for (const auto& piece : share)
        out.bytes += piece_bytes(piece);
    std::uint64_t done = 0;
    const auto bytes_read = [&](std::size_t bytes)
    {
        done += bytes;
        if (options.progress && out.bytes > 0)
            options.progress(
                std::min(1.0, static_cast<double>(done) / static_cast<double>(out.bytes)));
    };
    Packet packet;
    packet.put_one<std::uint64_t>(share.size());
    for (const auto& piece : share)
    {
        packet.put_one(piece.file);
        const InputFile file{piece.path, engine::no_month, {}};
        const detail::PartRequest request{
            file, piece.file, source, o, filter_if_any(filter), bytes_read, piece.begin, piece.end};
        std::optional<SourcePart> part;
        try
        {
            part = detail::read_csv_part(request);
        }
        catch (const Error& e)
        {
            if (e.code() == Errc::Io)
                throw;
            // Left to the joiner, which reads the whole file and so says what a single reader
            // says: a piece may also have begun inside a quoted field.
        }
        packet.put_one<std::uint8_t>(part.has_value());
        if (part)
        {
            out.records += part->columns.records_read;
            put_part(packet, *part);
        }
    }
    out.packed = packet.bytes();
    return out;
}

OffenceTable join_shares(const OffenceSource& source, const ReadPlan& plan,
                         std::vector<std::string> packed_shares, const ReadOptions& options,
                         const OffenceFilter& filter)
{
    if (!plan.alone.empty())
        throw Error(Errc::Internal, "join_shares: the source was not read in shares");
    struct Piece
    {
        std::uint32_t file = 0;
        std::optional<SourcePart> part;
    };
    std::vector<Piece> pieces;
    for (auto& bytes : packed_shares)
    {
        Packet packet(std::move(bytes));
        const auto count = packet.take_one<std::uint64_t>();
        for (std::uint64_t k = 0; k < count; ++k)
        {
            Piece& piece = pieces.emplace_back();
            piece.file = packet.take_one<std::uint32_t>();
            if (packet.take_one<std::uint8_t>())
                piece.part = take_part(packet);
        }
    }
    const ReadOptions o = piece_options(options);
    std::vector<SourcePart> parts;
    std::vector<std::string> read_again;
    for (std::size_t a = 0; a < pieces.size();)
    {
        const std::uint32_t f = pieces[a].file;
        std::size_t b = a;
        bool meet = true;
        for (; b < pieces.size() && pieces[b].file == f; ++b)
            meet = meet && pieces[b].part &&
                   (b == a || pieces[b].part->span.first_start == pieces[b - 1].part->span.stop);
        if (f != parts.size())
            throw Error(Errc::Internal, "join_shares: the shares do not hold the files in order");
        const InputFile& file = plan.inputs.files[f];
        if (!meet)
        {
            const detail::PartRequest request{file, f, source, o, filter_if_any(filter), {}};
            parts.push_back(detail::read_csv_part(request));
            if (b - a > 1)
                read_again.push_back(file.path);
        }
        else
        {
            SourcePart part = std::move(*pieces[a].part);
            // Each piece numbered its lines from its own start: the line where the one before
            // stopped is the line its first record is on.
            std::int64_t stop_line = part.span.stop_line;
            for (std::size_t k = a + 1; k < b; ++k)
            {
                SourcePart& next = *pieces[k].part;
                const std::int64_t shift = stop_line - next.span.first_line;
                shift_lines(next.columns, shift);
                stop_line = next.span.stop_line + shift;
                part.columns.append(std::move(next.columns));
            }
            part.read_ids = detail::csv_id_reader(
                file.path, nullptr, static_cast<std::size_t>(std::max(part.id_column, 0)),
                part.field_names.size());
            parts.push_back(std::move(part));
        }
        a = b;
    }
    if (parts.size() != plan.inputs.files.size())
        throw Error(Errc::Internal, "join_shares: the shares miss some of the files");
    OffenceTable table = detail::join_parts(std::move(parts), plan.inputs, source, options);
    for (const auto& path : read_again)
        table.warnings.push_back(path + ": a quoted field with a line end runs across a cut "
                                        "between readers, so the file was read again whole by one");
    return table;
}

} // namespace hotspot::io
