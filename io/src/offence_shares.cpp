// An offence source read in shares: planning the shares, packing each share's records, and
// joining the pieces of each file into the parts read_all_offences joins.

#include "hotspot/io/offence_shares.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/packet.hpp"
#include "offence_fields.hpp"
#include "offence_readers.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <type_traits>

namespace hotspot::io
{

namespace
{
using detail::filter_if_any;
using detail::seconds_since;
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

// Fields of records, a column each.
template <class Record, class... Field>
void put_columns(Packet& p, const std::vector<Record>& records, Field Record::*... fields)
{
    const auto column = [&](auto field)
    {
        std::vector<std::decay_t<decltype(records.front().*field)>> values;
        values.reserve(records.size());
        for (const auto& record : records)
            values.push_back(record.*field);
        p.put(values);
    };
    (column(fields), ...);
}

// Records back from put_columns' columns.
template <class T> std::vector<T> take_column(Packet& p)
{
    if constexpr (std::is_same_v<T, std::string>)
        return p.take_texts();
    else
        return p.take<T>();
}

template <class Record, class... Field>
std::vector<Record> take_columns(Packet& p, Field Record::*... fields)
{
    std::vector<Record> records;
    const auto column = [&](auto field)
    {
        auto values = take_column<std::decay_t<decltype(records.front().*field)>>(p);
        if (records.empty())
            records.resize(values.size());
        if (values.size() != records.size())
            throw Error(Errc::Internal, "packed records have columns of different lengths");
        for (std::size_t k = 0; k < values.size(); ++k)
            records[k].*field = std::move(values[k]);
    };
    (column(fields), ...);
    return records;
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
    p.put_one(part.separator);
    p.put_one<std::int32_t>(part.id_column);
    p.put_one(part.span);

    const detail::RecordColumns& c = part.columns;
    const engine::Incidents& inc = c.located;
    p.reserve(inc.size() *
                  (sizeof(double) * 2 + sizeof(std::int64_t) * 2 + sizeof(std::int32_t) * 3) +
              inc.weight.size() * sizeof(double) + inc.day.size() * sizeof(engine::DayIndex) +
              c.rejected.size() * 64 + c.unlocated.size() * 64);
    p.put(inc.x);
    p.put(inc.y);
    p.put(inc.weight);
    p.put(inc.month);
    p.put(inc.day);
    p.put(inc.time_start);
    p.put(inc.time_span);
    p.put(inc.crime_type);
    p.put(inc.source_row);
    p.put(c.id_hash);
    p.put(c.code);
    p.put_one<std::uint64_t>(c.raw.size());

    put_columns(p, c.unlocated, &UnlocatedRecord::row, &UnlocatedRecord::reason,
                &UnlocatedRecord::detail, &UnlocatedRecord::month, &UnlocatedRecord::crime_type,
                &UnlocatedRecord::day);
    p.put(c.unlocated_code);
    put_columns(p, c.rejected, &RejectedRecord::row, &RejectedRecord::reason,
                &RejectedRecord::detail, &RejectedRecord::raw);
    p.put_one(c.rejected_by_reason);
    p.put_one(c.records_read);
    p.put_one(c.swapped_out_of_range);
    p.put_one(c.located_seen);
    p.put(c.months_dated);
    p.put_one(c.last_day);
    p.put_one(c.clock_times);
    p.put_one(c.unreadable_times);
    p.put(c.unreadable_time_example);
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
    part.separator = p.take_one<char>();
    part.id_column = p.take_one<std::int32_t>();
    part.span = p.take_one<detail::PieceSpan>();

    detail::RecordColumns& c = part.columns;
    engine::Incidents& inc = c.located;
    inc.x = p.take<double>();
    inc.y = p.take<double>();
    inc.weight = p.take<double>();
    inc.month = p.take<engine::MonthIndex>();
    inc.day = p.take<engine::DayIndex>();
    inc.time_start = p.take<engine::MinuteIndex>();
    inc.time_span = p.take<std::int32_t>();
    inc.crime_type = p.take<std::int32_t>();
    inc.source_row = p.take<std::int64_t>();
    c.id_hash = p.take<std::uint64_t>();
    c.code = p.take<std::int32_t>();
    c.raw.assign(p.take_one<std::uint64_t>(), std::string_view());

    c.unlocated =
        take_columns(p, &UnlocatedRecord::row, &UnlocatedRecord::reason, &UnlocatedRecord::detail,
                     &UnlocatedRecord::month, &UnlocatedRecord::crime_type, &UnlocatedRecord::day);
    c.unlocated_code = p.take<std::int32_t>();
    c.rejected = take_columns(p, &RejectedRecord::row, &RejectedRecord::reason,
                              &RejectedRecord::detail, &RejectedRecord::raw);
    c.rejected_by_reason = p.take_one<decltype(c.rejected_by_reason)>();
    c.records_read = p.take_one<std::int64_t>();
    c.swapped_out_of_range = p.take_one<std::int64_t>();
    c.located_seen = p.take_one<std::int64_t>();
    c.months_dated = p.take<engine::MonthIndex>();
    c.last_day = p.take_one<engine::DayIndex>();
    c.clock_times = p.take_one<std::int64_t>();
    c.unreadable_times = p.take_one<std::int64_t>();
    c.unreadable_time_example = p.take_text();
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

enum class Round : std::uint8_t
{
    parse = 1,
    sample = 2,
    project = 3,
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

void malformed_if(bool bad)
{
    if (bad)
        throw Error(Errc::Internal, "a request between readers of shares is malformed");
}

// What a reader needs to parse its share: how to read, and which pieces.
struct ParseRequest
{
    OffenceSource source;
    ReadOptions options;
    OffenceFilter filter;
    std::vector<FilePiece> pieces;
};

std::string parse_request(const OffenceSource& s, const ReadOptions& o, const OffenceFilter& f,
                          const std::vector<FilePiece>& pieces)
{
    Packet p;
    p.put_one(Round::parse);
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
    return p.release();
}

// Reads a parse request after its round.
ParseRequest take_parse_request(Packet& p)
{
    ParseRequest q;
    const auto fields = p.take_texts();
    malformed_if(fields.size() != 10);
    OffenceSource& s = q.source;
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
    malformed_if(flags.size() != 5 || sizes.size() != 2);
    ReadOptions& o = q.options;
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
    malformed_if(files.size() != paths.size() || ranges.size() != 2 * paths.size());
    for (std::size_t k = 0; k < paths.size(); ++k)
        q.pieces.push_back({paths[k], files[k], ranges[2 * k], ranges[2 * k + 1]});
    return q;
}

// What the joining reader learns of each piece when it is parsed.
struct PieceFacts
{
    std::uint32_t file = 0;
    bool parsed = false;
    detail::PieceSpan span;
    std::uint64_t located = 0;
    Crs crs;
    std::int64_t swapped = 0;
    std::int64_t located_seen = 0;
};
} // namespace

ReadPlan plan_shares(const OffenceSource& source, const OffenceFilter& filter, int readers,
                     std::uint64_t min_piece_bytes)
{
    detail::check_period(filter);
    ReadPlan plan;
    plan.inputs = expand_offence_inputs(source.paths, source.forces, filter);
    const auto n = static_cast<std::uint64_t>(std::max(readers, 1));
    plan.shares.resize(n);
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
        }
        at += size;
    }
    return plan;
}

struct ShareReader::State
{
    std::vector<std::optional<SourcePart>> parts; // by piece; empty where not parsed or not kept
    engine::ProgressFn progress;
    Figures figures;
};

ShareReader::ShareReader() : m_state(std::make_unique<State>()) {}
ShareReader::~ShareReader() = default;
ShareReader::ShareReader(ShareReader&&) noexcept = default;
ShareReader& ShareReader::operator=(ShareReader&&) noexcept = default;

void ShareReader::set_progress(engine::ProgressFn progress)
{
    m_state->progress = std::move(progress);
}

const ShareReader::Figures& ShareReader::figures() const
{
    return m_state->figures;
}

std::optional<std::vector<std::string>> ShareReader::files_of(const std::string& request)
{
    Packet p(request);
    if (p.take_one<Round>() != Round::parse)
        return std::nullopt;
    std::vector<std::string> files;
    for (const auto& piece : take_parse_request(p).pieces)
        files.push_back(piece.path);
    return files;
}

std::string ShareReader::answer(const std::string& request)
{
    State& m = *m_state;
    Packet in(request);
    Packet out;
    switch (in.take_one<Round>())
    {
    case Round::parse:
    {
        const ParseRequest q = take_parse_request(in);
        m.parts.clear();
        m.figures = {};
        const ReadOptions o = piece_options(q.options);
        for (const auto& piece : q.pieces)
            m.figures.bytes += piece_bytes(piece);
        std::uint64_t done = 0;
        const auto bytes_read = [&](std::size_t bytes)
        {
            done += bytes;
            if (m.progress && m.figures.bytes > 0)
                m.progress(std::min(1.0, static_cast<double>(done) /
                                             static_cast<double>(m.figures.bytes)));
        };
        for (const auto& piece : q.pieces)
        {
            const InputFile file{piece.path, engine::no_month, {}};
            const detail::PartRequest part_request{
                file,       piece.file,  q.source, o, filter_if_any(q.filter),
                bytes_read, piece.begin, piece.end};
            auto& part = m.parts.emplace_back();
            try
            {
                part = detail::read_csv_part(part_request);
            }
            catch (const Error& e)
            {
                if (e.code() == Errc::Io)
                    throw;
                // Left to the joining reader: the piece may also have begun inside a quoted field.
            }
            out.put_one<std::uint8_t>(part.has_value());
            if (!part)
                continue;
            const auto& c = part->columns;
            m.figures.records += c.records_read;
            ++m.figures.pieces;
            out.put_one(part->span);
            out.put_one<std::uint64_t>(c.located.size());
            put_crs(out, part->source_crs);
            out.put_one(c.swapped_out_of_range);
            out.put_one(c.located_seen);
        }
        break;
    }
    case Round::sample:
    {
        detail::CrsSample like;
        like.one_crs = in.take_one<std::uint8_t>() != 0;
        like.stride = in.take_one<std::uint64_t>();
        const auto keep = in.take<std::uint8_t>();
        const auto offsets = in.take<std::uint64_t>();
        malformed_if(keep.size() != m.parts.size() || offsets.size() != m.parts.size());
        for (std::size_t k = 0; k < m.parts.size(); ++k)
        {
            if (!keep[k])
            {
                m.parts[k].reset();
                continue;
            }
            malformed_if(!m.parts[k]);
            detail::CrsSample sample = like;
            detail::add_crs_sample(sample, *m.parts[k], offsets[k]);
            out.put(sample.xs);
            out.put(sample.ys);
        }
        break;
    }
    case Round::project:
    {
        const Crs target = take_crs(in);
        for (auto& part : m.parts)
            if (part)
            {
                detail::project(*part, target);
                put_part(out, *part);
                part.reset();
            }
        m.parts.clear();
        break;
    }
    default:
        malformed_if(true);
    }
    return out.release();
}

OffenceTable read_in_shares(const OffenceSource& source, const ReadPlan& plan,
                            const OffenceFilter& filter, const ReadOptions& options,
                            const ShareExchange& exchange)
{
    if (!plan.alone.empty())
        throw Error(Errc::Internal, "read_in_shares: the source cannot be read in shares");
    const auto started = std::chrono::steady_clock::now();
    const std::size_t readers = plan.shares.size();
    const std::size_t files = plan.inputs.files.size();
    const ReadOptions o = piece_options(options);

    // 1. Every reader parses its pieces and says what each holds.
    std::vector<std::string> requests;
    for (const auto& share : plan.shares)
        requests.push_back(parse_request(source, options, filter, share));
    std::vector<std::string> answers = exchange(std::move(requests));
    malformed_if(answers.size() != readers);
    std::vector<std::vector<PieceFacts>> facts(readers);
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> pieces_of(files); // reader, k
    for (std::size_t r = 0; r < readers; ++r)
    {
        Packet in(std::move(answers[r]));
        for (std::size_t k = 0; k < plan.shares[r].size(); ++k)
        {
            PieceFacts& f = facts[r].emplace_back();
            f.file = plan.shares[r][k].file;
            f.parsed = in.take_one<std::uint8_t>() != 0;
            if (f.parsed)
            {
                f.span = in.take_one<detail::PieceSpan>();
                f.located = in.take_one<std::uint64_t>();
                f.crs = take_crs(in);
                f.swapped = in.take_one<std::int64_t>();
                f.located_seen = in.take_one<std::int64_t>();
            }
            malformed_if(f.file >= files);
            pieces_of[f.file].emplace_back(r, k);
        }
    }
    // A file whose pieces do not meet is read here, whole.
    std::vector<std::optional<SourcePart>> here(files);
    std::vector<std::string> warnings;
    for (std::size_t f = 0; f < files; ++f)
    {
        const auto& list = pieces_of[f];
        bool meet = !list.empty();
        for (std::size_t i = 0; i < list.size() && meet; ++i)
        {
            const PieceFacts& p = facts[list[i].first][list[i].second];
            meet = p.parsed &&
                   (i == 0 ||
                    p.span.first_start == facts[list[i - 1].first][list[i - 1].second].span.stop);
        }
        if (meet)
            continue;
        const detail::PartRequest request{plan.inputs.files[f],  f, source, o,
                                          filter_if_any(filter), {}};
        here[f] = detail::read_csv_part(request);
        if (list.size() > 1)
            warnings.push_back(plan.inputs.files[f].path +
                               ": a quoted field with a line end runs across a cut between "
                               "readers, so the file was read again whole by one");
    }
    const double parse_seconds = seconds_since(started);
    const auto stage = std::chrono::steady_clock::now();

    // 2. The sample the target CRS is chosen from, as one reader takes it: every stride-th
    // located record of each file.
    detail::CrsSample sample;
    std::vector<Crs> crs_of(files);
    // Where each piece's located records start within its file, by reader and piece.
    std::vector<std::vector<std::uint64_t>> offsets(readers);
    for (std::size_t r = 0; r < readers; ++r)
        offsets[r].assign(plan.shares[r].size(), 0);
    for (std::size_t f = 0; f < files; ++f)
    {
        std::int64_t swapped = 0, seen = 0;
        std::uint64_t located = 0;
        if (here[f])
        {
            located = here[f]->columns.located.size();
            crs_of[f] = here[f]->source_crs;
            swapped = here[f]->columns.swapped_out_of_range;
            seen = here[f]->columns.located_seen;
        }
        else
            for (const auto& [r, k] : pieces_of[f])
            {
                const PieceFacts& p = facts[r][k];
                offsets[r][k] = located;
                located += p.located;
                crs_of[f] = p.crs;
                swapped += p.swapped;
                seen += p.located_seen;
            }
        detail::check_swapped(plan.inputs.files[f].path, swapped, seen);
        sample.total += located;
        sample.one_crs = sample.one_crs && crs_of[f].wkt == crs_of[0].wkt;
    }
    sample.first_crs = crs_of[0];
    sample.stride = detail::crs_sample_stride(sample.total, options.crs_sample);
    requests.assign(readers, {});
    for (std::size_t r = 0; r < readers; ++r)
    {
        std::vector<std::uint8_t> keep;
        for (const auto& p : facts[r])
            keep.push_back(!here[p.file]);
        Packet p;
        p.put_one(Round::sample);
        p.put_one<std::uint8_t>(sample.one_crs);
        p.put_one<std::uint64_t>(sample.stride);
        p.put(keep);
        p.put(offsets[r]);
        requests[r] = p.release();
    }
    answers = exchange(std::move(requests));
    malformed_if(answers.size() != readers);
    std::vector<std::vector<std::pair<std::vector<double>, std::vector<double>>>> samples(readers);
    for (std::size_t r = 0; r < readers; ++r)
    {
        Packet in(std::move(answers[r]));
        for (const auto& p : facts[r])
            if (!here[p.file])
            {
                auto xs = in.take<double>();
                auto ys = in.take<double>();
                samples[r].emplace_back(std::move(xs), std::move(ys));
            }
            else
                samples[r].emplace_back();
    }
    for (std::size_t f = 0; f < files; ++f)
        if (here[f])
            detail::add_crs_sample(sample, *here[f], 0);
        else
            for (const auto& [r, k] : pieces_of[f])
            {
                const auto& [xs, ys] = samples[r][k];
                sample.xs.insert(sample.xs.end(), xs.begin(), xs.end());
                sample.ys.insert(sample.ys.end(), ys.begin(), ys.end());
            }
    OffenceTable described;
    described.source_path = source.label();
    detail::choose_target_crs(described, std::move(sample), options);

    // 3. Every reader projects its records and sends them; the pieces of each file are put
    // together in order, each numbered on from the line where the one before stopped.
    requests.assign(readers, {});
    for (auto& request : requests)
    {
        Packet p;
        p.put_one(Round::project);
        put_crs(p, described.target_crs);
        request = p.release();
    }
    answers = exchange(std::move(requests));
    malformed_if(answers.size() != readers);
    std::vector<std::vector<std::optional<SourcePart>>> received(readers);
    for (std::size_t r = 0; r < readers; ++r)
    {
        Packet in(std::move(answers[r]));
        for (const auto& p : facts[r])
            received[r].push_back(here[p.file] ? std::nullopt
                                               : std::optional<SourcePart>(take_part(in)));
        std::string().swap(answers[r]);
    }
    std::vector<SourcePart> parts;
    for (std::size_t f = 0; f < files; ++f)
    {
        if (here[f])
        {
            detail::project(*here[f], described.target_crs);
            parts.push_back(std::move(*here[f]));
            continue;
        }
        const auto& list = pieces_of[f];
        SourcePart part = std::move(*received[list[0].first][list[0].second]);
        if (list.size() > 1)
        {
            std::size_t located_in_file = 0;
            for (const auto& [r, k] : list)
                located_in_file += received[r][k]->columns.located.size();
            part.columns.reserve(located_in_file, part.columns);
        }
        std::int64_t stop_line = part.span.stop_line;
        for (std::size_t i = 1; i < list.size(); ++i)
        {
            SourcePart& next = *received[list[i].first][list[i].second];
            const std::int64_t shift = stop_line - next.span.first_line;
            shift_lines(next.columns, shift);
            stop_line = next.span.stop_line + shift;
            part.columns.append(std::move(next.columns));
        }
        part.read_ids = detail::csv_id_reader(plan.inputs.files[f].path, nullptr,
                                              static_cast<std::size_t>(std::max(part.id_column, 0)),
                                              part.field_names.size(), part.separator);
        parts.push_back(std::move(part));
    }
    const double project_seconds = seconds_since(stage);
    OffenceTable table = detail::join_projected(std::move(parts), plan.inputs, source,
                                                described.target_crs, described.target_crs_reason);
    table.warnings.insert(table.warnings.end(), warnings.begin(), warnings.end());
    table.seconds.parse = parse_seconds;
    table.seconds.project = project_seconds;
    return table;
}

} // namespace hotspot::io
