// police.uk street-level CSV and CSV with coordinate columns, read in parallel.
//
// A file is read in batches (the whole file when its text is kept). Each batch is cut into chunks
// at line ends and the chunks are parsed at once, one Classifier each. A line end inside a quoted
// field can make a chunk start in the middle of a record; that is found by checking that each
// chunk starts exactly where the one before it stopped, and such a chunk is parsed again from
// there. So the records, their line numbers and their reasons are those of one serial pass, for
// any number of threads.

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"
#include "offence_readers.hpp"

#include <cpl_vsi.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>

#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

namespace hotspot::io::detail
{

namespace
{
// Room for bytes read from a file, grown without being zeroed first: every byte handed out has
// just been read into it.
struct ReadBuffer
{
    std::unique_ptr<char[]> bytes;
    std::size_t capacity = 0;
};

// A file's bytes: all of it in memory (its text is kept, or it lies in an archive), or read a
// batch at a time.
class TextFile
{
  public:
    TextFile(const std::string& path, bool whole) : m_path(path)
    {
        if (path.starts_with("/vsi"))
        {
            m_whole = std::make_shared<std::string>(read_vsi(path));
            m_size = m_whole->size();
            return;
        }
        if (whole)
        {
            m_whole = std::make_shared<std::string>(read_text_file(path));
            m_size = m_whole->size();
            return;
        }
        m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0)
            throw Error(Errc::Io, path + ": cannot be read (" + std::strerror(errno) + ")");
        if (::fstat(m_fd, &m_info) != 0)
            throw Error(Errc::Io, path + ": cannot be read (" + std::strerror(errno) + ")");
        if (S_ISDIR(m_info.st_mode))
            throw Error(Errc::Io, path + ": is a folder, not a file");
        m_size = static_cast<std::size_t>(m_info.st_size);
        ::posix_fadvise(m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    ~TextFile()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    TextFile(const TextFile&) = delete;
    TextFile& operator=(const TextFile&) = delete;

    std::size_t size() const { return m_size; }
    std::shared_ptr<const std::string> whole() const { return m_whole; }

    /// Bytes [offset, offset + length) of the file, in `buffer` unless the file is in memory.
    std::string_view read(std::size_t offset, std::size_t length, ReadBuffer& buffer) const
    {
        length = std::min(length, m_size - std::min(offset, m_size));
        if (m_whole)
            return std::string_view(*m_whole).substr(offset, length);
        if (buffer.capacity < length)
        {
            buffer.bytes.reset();
            buffer.bytes = std::make_unique_for_overwrite<char[]>(length);
            buffer.capacity = length;
        }
        std::size_t done = 0;
        while (done < length)
        {
            const ssize_t n = ::pread(m_fd, buffer.bytes.get() + done, length - done,
                                      static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                throw Error(Errc::Io, m_path + ": read failed at byte " +
                                          std::to_string(offset + done) +
                                          (n < 0 ? " (" + std::string(std::strerror(errno)) + ")"
                                                 : " (the file became shorter while being read)"));
            done += static_cast<std::size_t>(n);
        }
        return std::string_view(buffer.bytes.get(), length);
    }

    /// Refuses a file that was written to while it was read: its records would not be one state.
    void check_unchanged() const
    {
        if (m_fd < 0)
            return;
        struct stat now
        {
        };
        if (::stat(m_path.c_str(), &now) != 0 || now.st_size != m_info.st_size ||
            now.st_mtim.tv_sec != m_info.st_mtim.tv_sec ||
            now.st_mtim.tv_nsec != m_info.st_mtim.tv_nsec)
            throw Error(Errc::Io, m_path +
                                      ": the file changed while it was being read; read it again "
                                      "once it is complete");
    }

  private:
    static std::string read_vsi(const std::string& path)
    {
        VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
        if (!f)
            throw Error(Errc::Io, path + ": cannot be read");
        std::string text;
        char block[1 << 16];
        std::size_t n;
        while ((n = VSIFReadL(block, 1, sizeof block, f)) > 0)
            text.append(block, n);
        VSIFCloseL(f);
        return text;
    }

    std::string m_path;
    int m_fd = -1;
    struct stat m_info
    {
    };
    std::size_t m_size = 0;
    std::shared_ptr<std::string> m_whole;
};

struct CsvLayout
{
    std::string name;
    std::size_t file_index = 0;
    FieldRoles roles;
    std::size_t field_count = 0;
    char separator = ',';
    ClassifierSetup setup;
    RecordColumns like; ///< the columns a record fills: for room made ahead
};

struct Chunk
{
    std::size_t begin = 0;       // where parsing starts: after a line end
    std::int64_t line = 1;       // the line at `begin`
    std::size_t lines = 0;       // line ends in [begin, bound): room for as many records
    std::size_t bound = 0;       // records starting at or after this belong to the next chunk
    std::size_t first_start = 0; // where its first record starts
    std::int64_t first_start_line = 0;
    std::size_t stop = 0; // where the next chunk's first record starts
    std::int64_t stop_line = 0;
    bool open_end = false; // its last record ran to the end of the text without a line end
    RecordColumns columns;
    std::exception_ptr error;
};

void parse_chunk(std::string_view text, const CsvLayout& layout, Chunk& chunk)
{
    chunk.columns = RecordColumns{};
    chunk.error = nullptr;
    chunk.open_end = false;
    // Room for a record a line, so that the columns never grow by copying themselves.
    chunk.columns.reserve(chunk.lines + 1, layout.like);
    Classifier classifier(layout.setup, chunk.columns);
    CsvReader reader(text, layout.name, chunk.begin, chunk.line);
    reader.set_separator(layout.separator);
    std::vector<std::string_view> fields;
    std::string malformed;
    const auto field = [&](int i)
    { return i >= 0 ? fields[static_cast<std::size_t>(i)] : std::string_view(); };
    const FieldRoles& roles = layout.roles;
    try
    {
        reader.skip_blank_lines();
        chunk.first_start = reader.position();
        chunk.first_start_line = reader.next_line();
        while (reader.position() < chunk.bound && reader.next(fields))
        {
            RowValues r;
            r.row = record_key(layout.file_index, reader.line());
            r.raw = text.substr(reader.record_offset(), reader.record_length());
            if (fields.size() != layout.field_count)
            {
                malformed = "expected " + std::to_string(layout.field_count) + " fields, found " +
                            std::to_string(fields.size());
                r.malformed = malformed;
            }
            else
            {
                r.x = field(roles.x);
                r.y = field(roles.y);
                r.date = field(roles.date);
                r.time = field(roles.time);
                r.end_date = field(roles.end_date);
                r.end_time = field(roles.end_time);
                r.type = field(roles.type);
                r.id = field(roles.id);
                r.weight = field(roles.weight);
                r.code = field(roles.code);
            }
            classifier.add(r);
            chunk.open_end = reader.ended_without_line_end();
            reader.skip_blank_lines();
        }
    }
    catch (...)
    {
        chunk.error = std::current_exception();
    }
    chunk.stop = reader.position();
    chunk.stop_line = reader.next_line();
}

std::size_t after_line_end(std::string_view text, std::size_t from, std::size_t limit)
{
    const void* hit = from < limit ? std::memchr(text.data() + from, '\n', limit - from) : nullptr;
    return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - text.data()) + 1 : limit;
}

std::int64_t count_lines(std::string_view text)
{
    return static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n'));
}

// The first line start at or after `at`: `at` itself after a line end, else just past the next
// line end (the file's end when there is none).
std::size_t line_start_from(const TextFile& file, std::size_t at)
{
    ReadBuffer buffer;
    for (std::size_t from = at - 1; from < file.size();)
    {
        const std::string_view block = file.read(from, 1u << 16, buffer);
        if (const std::size_t nl = block.find('\n'); nl != std::string_view::npos)
            return from + nl + 1;
        from += block.size();
    }
    return file.size();
}

struct BatchResult
{
    bool too_small = false; // a record runs past the batch: read a larger one
    std::size_t stop = 0;   // where the next batch starts, within the text
    std::int64_t stop_line = 0;
    std::size_t first_start = 0; // where the batch's first record starts, within the text
    std::int64_t first_start_line = 0;
};

// Parses the records that start in [begin, end of text) when `last`, else in [begin, the last line
// end), appending them to `out` in order. With `cut_at`, a line start within the text where a piece
// of the file ends, the records that start in [begin, cut_at).
//
// The text is cut into chunks that threads parse at once, each into its own columns, which are
// appended in order as soon as the chunks before them are: a few chunks are in flight at a time,
// so their columns are small and their memory is used again, rather than every chunk's columns
// being held until the end and then copied.
BatchResult parse_batch(std::string_view text, std::size_t begin, std::int64_t line, bool last,
                        std::optional<std::size_t> cut_at, const CsvLayout& layout,
                        std::size_t chunk_bytes, RecordColumns& out)
{
    BatchResult result;
    std::size_t cut = text.size();
    if (cut_at)
        cut = std::max(begin, *cut_at);
    else if (!last)
    {
        const std::size_t newline = text.find_last_of('\n');
        if (newline == std::string_view::npos || newline + 1 <= begin)
            return {true, 0, 0};
        cut = newline + 1;
    }
    const std::size_t span = cut - begin;
    const std::size_t count = std::max<std::size_t>(1, (span + chunk_bytes - 1) / chunk_bytes);
    std::vector<Chunk> chunks;
    chunks.reserve(count);
    std::size_t previous = begin;
    for (std::size_t k = 0; k < count; ++k)
    {
        const std::size_t nominal = begin + span * (k + 1) / count;
        const std::size_t bound =
            k + 1 == count ? cut : after_line_end(text, std::max(nominal, previous + 1) - 1, cut);
        if (bound <= previous && k + 1 < count)
            continue;
        Chunk c;
        c.begin = previous;
        c.bound = bound;
        chunks.push_back(std::move(c));
        previous = bound;
    }
    // Line numbers of the chunk starts: physical lines, as the serial reader counts them.
    tbb::parallel_for(std::size_t{0}, chunks.size(),
                      [&](std::size_t k)
                      {
                          chunks[k].lines = static_cast<std::size_t>(count_lines(
                              text.substr(chunks[k].begin, chunks[k].bound - chunks[k].begin)));
                      });
    std::int64_t at = line;
    std::size_t all_lines = 0;
    for (auto& c : chunks)
    {
        c.line = at;
        at += static_cast<std::int64_t>(c.lines);
        all_lines += c.lines;
    }
    // The batch's records, appended to `out` once they are all read: a record running past the
    // batch leaves `out` as it was. Room for a record a line.
    RecordColumns batch;
    batch.reserve(all_lines + 1, layout.like);
    std::atomic<bool> stopped{false}; // a chunk ended the batch: the later ones are not needed
    std::exception_ptr error;
    std::size_t next = 0; // the next chunk to hand out
    const Chunk* before = nullptr;
    const auto tokens = 2 * static_cast<std::size_t>(tbb::this_task_arena::max_concurrency());
    tbb::parallel_pipeline(
        tokens,
        tbb::make_filter<void, Chunk*>(tbb::filter_mode::serial_in_order,
                                       [&](tbb::flow_control& flow) -> Chunk*
                                       {
                                           if (next == chunks.size() || stopped)
                                           {
                                               flow.stop();
                                               return nullptr;
                                           }
                                           return &chunks[next++];
                                       }) &
            tbb::make_filter<Chunk*, Chunk*>(tbb::filter_mode::parallel,
                                             [&](Chunk* c)
                                             {
                                                 if (!stopped)
                                                     parse_chunk(text, layout, *c);
                                                 return c;
                                             }) &
            tbb::make_filter<Chunk*, void>(
                tbb::filter_mode::serial_in_order,
                [&](Chunk* c)
                {
                    if (stopped)
                        return;
                    if (before && c->first_start != before->stop)
                    {
                        // The chunk began inside a quoted field: start it where the one before
                        // stopped.
                        c->begin = before->stop;
                        c->line = before->stop_line;
                        c->bound = std::max(c->bound, c->begin);
                        parse_chunk(text, layout, *c);
                    }
                    // A record that runs to the end of the text, or a quote never closed in it,
                    // may go on past the batch, whichever chunk it starts in (a quoted field can
                    // span the chunks after it).
                    if (!last && (c->error || c->open_end))
                    {
                        result.too_small = true;
                        stopped = true;
                        return;
                    }
                    if (c->error)
                    {
                        error = c->error; // the error stops the file
                        stopped = true;
                        return;
                    }
                    if (!before)
                    {
                        result.first_start = c->first_start;
                        result.first_start_line = c->first_start_line;
                    }
                    result.stop = c->stop;
                    result.stop_line = c->stop_line;
                    batch.append(std::move(c->columns));
                    c->columns = RecordColumns{};
                    before = c;
                }));
    if (result.too_small)
        return {true, 0, 0}; // nothing appended
    if (error)
        std::rethrow_exception(error);
    out.append(std::move(batch));
    return result;
}
} // namespace

std::size_t file_size(const std::string& path)
{
    VSIStatBufL info;
    return VSIStatL(path.c_str(), &info) == 0 ? static_cast<std::size_t>(info.st_size) : 0;
}

// Ids whose hashes agree are compared by their text, read again: a rare event, for the few lines
// concerned.
IdReader csv_id_reader(const std::string& path, std::shared_ptr<const std::string> whole,
                       std::size_t id_field, std::size_t field_count, char separator)
{
    return [path, whole, id_field, field_count, separator](const std::vector<std::int64_t>& wanted)
    {
        std::vector<std::string> ids;
        // The text kept in memory when there is one, else the file read again a block at a time.
        std::optional<TextFile> again;
        if (!whole)
            again.emplace(path, false);
        const std::size_t size = whole ? whole->size() : again->size();
        const auto text_of = [&](std::size_t at, std::size_t n, ReadBuffer& buf)
        { return whole ? std::string_view(*whole).substr(at, n) : again->read(at, n, buf); };
        ReadBuffer buffer_;
        std::size_t offset_ = 0;
        std::int64_t line_ = 1;
        std::size_t next = 0;
        constexpr std::size_t step = 16u << 20;
        while (next < wanted.size() && offset_ < size)
        {
            const std::string_view block_ = text_of(offset_, step, buffer_);
            std::size_t pos = 0;
            while (next < wanted.size() && pos < block_.size())
            {
                if (line_ == wanted[next])
                {
                    ReadBuffer record_buffer;
                    std::size_t length = 1u << 16;
                    std::vector<std::string_view> f;
                    std::string id; // copied out: a quoted field's text lives in the reader
                    while (true)
                    {
                        const std::string_view rec = text_of(offset_ + pos, length, record_buffer);
                        CsvReader one(rec, path, 0, line_);
                        one.set_separator(separator);
                        const bool ok = one.next(f);
                        id = ok && f.size() == field_count ? std::string(engine::trim(f[id_field]))
                                                           : std::string();
                        if (!ok || !one.ended_without_line_end() ||
                            offset_ + pos + rec.size() >= size)
                            break;
                        length *= 4;
                    }
                    ids.push_back(std::move(id));
                    ++next;
                    continue;
                }
                const std::size_t nl = after_line_end(block_, pos, block_.size());
                if (nl == block_.size() && (nl == 0 || block_[nl - 1] != '\n'))
                {
                    pos = nl;
                    break;
                }
                pos = nl;
                ++line_;
            }
            offset_ += pos;
            if (pos == 0)
                break;
        }
        ids.resize(wanted.size());
        return ids;
    };
}

// The order of a file's DD/MM/YYYY-like dates: --date-format, else what the values of its first
// records say (every reader of a file, and every piece of it, looks at the same records). The look
// stops once they have spoken: 1,000 dates that are ISO or Excel days, or a date that can be read
// only one way among 1,000 or more; else at 64 MB, read in growing blocks so that a file that
// speaks early is not read far. A file whose dates all read both ways is refused: a wrong guess
// would move every date.
DateOrder date_order_of(const TextFile& file, std::size_t header_end, std::int64_t line,
                        int date_column, char separator, const OffenceSource& s,
                        const std::string& path)
{
    if (!s.date_format.empty())
        return parse_date_order(s.date_format);
    const std::size_t available = file.size() - header_end;
    ReadBuffer buffer;
    DateOrderEvidence evidence;
    for (std::size_t block = std::size_t{1} << 20;; block *= 8)
    {
        const std::string_view text =
            file.read(header_end, std::min<std::size_t>(available, block), buffer);
        CsvReader reader(text, path, 0, line);
        reader.set_separator(separator);
        std::vector<std::string_view> fields;
        evidence = {};
        bool told = false;
        try
        {
            std::int64_t seen = 0;
            while (!told && reader.next(fields) && !reader.ended_without_line_end())
            {
                if (static_cast<std::size_t>(date_column) >= fields.size())
                    continue;
                evidence.add(fields[static_cast<std::size_t>(date_column)]);
                told = ++seen >= 1000 && (evidence.two_way == 0 || evidence.day_first > 0 ||
                                          evidence.month_first > 0);
            }
        }
        catch (const Error&)
        {
            // A record cut at the end of the block: what came before it is evidence enough.
        }
        if (told || block >= available || block >= (std::size_t{64} << 20))
            break;
    }
    const DateOrder order = evidence.decide(path);
    if (evidence.two_way > 0 && order == DateOrder::Unknown)
        throw Error(Errc::BadData,
                    path + ": its dates (such as '" + evidence.two_way_example +
                        "') read both as day/month and month/day; say which with --date-format "
                        "dd/mm/yyyy or mm/dd/yyyy");
    return order == DateOrder::Unknown ? DateOrder::DayFirst : order;
}

SourcePart read_csv_part(const PartRequest& q)
{
    const std::string& path = q.file.path;
    SourcePart part;
    part.path = path;
    const TextFile file(path, q.options.keep_raw && !q.options.text_on_demand);
    if (file.whole())
        part.storage.push_back(file.whole()); // the record views point into it

    // The header, from the first block.
    ReadBuffer buffer;
    std::size_t block = std::min<std::size_t>(file.size(), 1u << 20);
    std::string_view text;
    std::vector<std::string_view> fields;
    std::vector<std::string> names; // copied out: a quoted name's text lives in the reader
    std::size_t header_end = 0;
    std::int64_t line = 1;
    while (true)
    {
        text = file.read(0, block, buffer);
        CsvReader reader(text, path);
        bool read = false;
        try
        {
            read = reader.next(fields);
        }
        catch (const Error&)
        {
            if (block >= file.size())
                throw;
        }
        if (!read && block >= file.size())
            throw Error(Errc::BadData, path + ": the file is empty");
        if (read && (!reader.ended_without_line_end() || block >= file.size()))
        {
            part.raw_header =
                std::string(text.substr(reader.record_offset(), reader.record_length()));
            names.assign(fields.begin(), fields.end());
            reader.skip_blank_lines();
            header_end = reader.position();
            line = reader.next_line();
            break;
        }
        block = std::min(file.size(), block * 4);
    }
    // Semicolon-, tab- and bar-separated files: the separator the header uses, or --delimiter.
    const char separator = q.source.delimiter.empty() ? detect_separator(part.raw_header)
                                                      : parse_separator(q.source.delimiter);
    if (separator != ',')
    {
        CsvReader header(part.raw_header, path);
        header.set_separator(separator);
        header.next(fields);
        names.assign(fields.begin(), fields.end());
    }
    part.field_names = names;
    part.separator = separator;

    const bool police_uk = is_police_uk_header(names);
    const OffenceSource s = police_uk ? with_police_uk_fields(q.source) : q.source;
    part.format = police_uk ? "police.uk street-level CSV" : "CSV";
    CsvLayout layout;
    layout.name = path;
    layout.file_index = q.file_index;
    layout.roles = detect_roles(path, names, s, true);
    layout.field_count = names.size();
    layout.separator = separator;
    const FieldRoles& roles = layout.roles;
    part.fields_used = describe_roles(names, roles);
    part.has_dates = roles.date >= 0;
    part.has_types = roles.type >= 0;
    const std::string& x_name = names[static_cast<std::size_t>(roles.x)];
    const std::string& y_name = names[static_cast<std::size_t>(roles.y)];
    // police.uk files are WGS 84 whatever --crs says: it names the CRS of the other files of a run.
    if (police_uk)
        part.source_crs = wgs84();
    else if (!s.crs.empty())
        part.source_crs = parse_crs(s.crs);
    else if (is_lonlat_name(x_name) && is_lonlat_name(y_name))
        part.source_crs = wgs84();
    else
        throw Error(Errc::Usage, path + ": coordinates '" + x_name + "', '" + y_name +
                                     "' need their CRS: add --crs (for example --crs EPSG:27700)");
    layout.setup = {roles,
                    part.source_crs.geographic,
                    q.options.keep_raw,
                    q.options.list_rejected,
                    !q.options.text_on_demand,
                    q.filter,
                    x_name,
                    y_name};
    layout.setup.drop_untimed = s.drop_untimed;
    if (roles.code >= 0)
        layout.like.code.push_back(0);
    if (q.options.keep_raw)
        layout.like.raw.emplace_back();
    if (roles.date >= 0 && !police_uk) // police.uk's Month is YYYY-MM
    {
        layout.setup.date_order =
            date_order_of(file, header_end, line, roles.date, layout.separator, s, path);
        if (layout.setup.date_order != DateOrder::DayFirst || !s.date_format.empty())
            part.fields_used += " (dates " + std::string(to_string(layout.setup.date_order)) +
                                (s.date_format.empty() ? ", told by their values)" : ")");
    }

    // A piece of the file: the records that start from the first line start at or after
    // q.begin up to the first at or after q.end, their lines numbered from 1 at the piece's start
    // (join_shares numbers them as the file's).
    std::size_t first = header_end;
    if (q.begin > header_end)
    {
        first = line_start_from(file, q.begin);
        line = 1;
    }
    const std::size_t until =
        q.end > 0 ? std::max(first, line_start_from(file, q.end)) : file.size();

    // The records, a batch at a time. Each batch starts at a record boundary.
    std::size_t offset = first; // of the batch in the file
    std::size_t begin = 0;      // of the first record within the batch
    std::size_t batch = std::max<std::size_t>(q.options.batch_bytes, 4096);
    std::size_t reported = q.begin > 0 ? first : 0;
    bool first_batch = true;
    while (true)
    {
        text = file.read(offset, batch, buffer);
        const bool last = offset + text.size() >= file.size();
        const bool piece_ends = until < file.size() && until <= offset + text.size();
        const BatchResult r =
            parse_batch(text, begin, line, last,
                        piece_ends ? std::optional<std::size_t>(until - offset) : std::nullopt,
                        layout, std::max<std::size_t>(q.options.chunk_bytes, 1024), part.columns);
        if (r.too_small)
        {
            batch *= 2; // a record longer than the batch: try again with room for it
            continue;
        }
        const bool done = last || piece_ends;
        if (q.bytes_read)
        {
            const std::size_t at = done ? until : offset + r.stop;
            q.bytes_read(at - std::min(at, reported));
            reported = std::max(reported, at);
        }
        if (first_batch)
        {
            part.span.first_start = offset + r.first_start;
            part.span.first_line = r.first_start_line;
        }
        part.span.stop = offset + r.stop;
        part.span.stop_line = r.stop_line;
        if (done)
            break;
        if (first_batch && r.stop > begin)
        {
            // Room for the piece's records, estimated from the first batch with a margin:
            // growing the columns by doubling would copy them and hold both copies at once.
            // Capacity that is never written takes no memory.
            const double per_byte = static_cast<double>(part.columns.records_read) /
                                    static_cast<double>(r.stop - begin);
            part.columns.reserve(
                static_cast<std::size_t>(1.25 * per_byte * static_cast<double>(until - first)) +
                    1024,
                part.columns);
        }
        first_batch = false;
        offset += r.stop;
        begin = 0;
        line = r.stop_line;
        batch = std::max<std::size_t>(q.options.batch_bytes, 4096);
    }
    file.check_unchanged();

    part.id_column = roles.id;
    part.read_ids = csv_id_reader(path, file.whole(),
                                  static_cast<std::size_t>(std::max(roles.id, 0)), names.size(),
                                  layout.separator);
    return part;
}

} // namespace hotspot::io::detail

namespace hotspot::io
{

struct RecordTexts::Impl
{
    std::vector<std::string> files;
    std::size_t file = static_cast<std::size_t>(-1);
    std::unique_ptr<detail::TextFile> text_file;
    detail::ReadBuffer buffer;
    std::string_view text;
    std::size_t offset = 0; // of `text` in the file
    std::size_t pos = 0;    // within `text`: where the next record starts (blank lines skipped)
    std::int64_t line = 1;
    std::size_t batch = 16u << 20;

    void load(std::size_t at)
    {
        offset = at;
        text = text_file->read(offset, batch, buffer);
        pos = 0;
    }
    bool at_file_end() const { return offset + text.size() >= text_file->size(); }

    void open(std::size_t f)
    {
        file = f;
        text_file = std::make_unique<detail::TextFile>(files[f], false);
        batch = 16u << 20;
        load(0);
        CsvReader reader(text, files[f]); // skips a byte-order mark
        std::vector<std::string_view> header;
        reader.next(header);
        reader.skip_blank_lines();
        pos = reader.position();
        line = reader.next_line();
    }

    // Parses the record at `pos`; false when the batch ends inside it (then a larger batch from
    // the record's start is loaded).
    bool parse(std::size_t& begin, std::size_t& length)
    {
        CsvReader reader(text, files[file], pos, line);
        std::vector<std::string_view> fields;
        try
        {
            if (!reader.next(fields))
                return false;
            if (reader.ended_without_line_end() && !at_file_end())
                throw Error(Errc::Internal, "record runs past the batch");
        }
        catch (const Error&)
        {
            if (at_file_end())
                throw;
            batch *= 2;
            load(offset + pos);
            return parse(begin, length);
        }
        begin = reader.record_offset();
        length = reader.record_length();
        reader.skip_blank_lines();
        pos = reader.position();
        line = reader.next_line();
        return true;
    }
};

RecordTexts::RecordTexts(std::vector<std::string> files) : m_impl(std::make_unique<Impl>())
{
    m_impl->files = std::move(files);
}

RecordTexts::~RecordTexts() = default;

std::string_view RecordTexts::text(std::int64_t key)
{
    Impl& m = *m_impl;
    const std::size_t f = record_file(key);
    const std::int64_t wanted = record_line(key);
    if (f >= m.files.size())
        throw Error(Errc::Internal, "record texts: no file " + std::to_string(f));
    if (f != m.file || wanted < m.line)
        m.open(f);
    while (true)
    {
        // Keep a whole record ahead in the batch: reload from the record's start when near the end.
        if (m.text.size() - m.pos < (1u << 20) && !m.at_file_end())
            m.load(m.offset + m.pos);
        if (m.line > wanted || m.pos >= m.text.size())
            throw Error(Errc::Io, m.files[f] + ": line " + std::to_string(wanted) +
                                      " no longer starts a record; the file changed since it "
                                      "was read");
        const bool here = m.line == wanted;
        std::size_t begin = 0, length = 0;
        if (!m.parse(begin, length))
            throw Error(Errc::Io, m.files[f] + ": ends before line " + std::to_string(wanted));
        if (here)
            return m.text.substr(begin, length);
    }
}

} // namespace hotspot::io
