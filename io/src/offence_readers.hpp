#pragma once
// The readers of each format. Each reads one file into a SourcePart: its records classified, in
// the file's own CRS. offence_table.cpp then chooses the target CRS over every part, projects, and
// joins the parts into one OffenceTable.

#include "hotspot/io/offence_inputs.hpp"
#include "offence_records.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hotspot::io::detail
{

/// The ids on the given lines (sorted) of a file, read again.
using IdReader = std::function<std::vector<std::string>(const std::vector<std::int64_t>& lines)>;

/// Where a piece of a file (PartRequest::begin/end) starts and stops, for joining the pieces.
struct PieceSpan
{
    std::uint64_t first_start = 0; ///< the byte where its first record starts
    std::int64_t first_line = 0;   ///< the line it numbered that record (1 at the piece's start)
    std::uint64_t stop = 0;        ///< the byte where the next piece's first record should start
    std::int64_t stop_line = 0;    ///< the line it numbered that byte
};

struct SourcePart
{
    std::string path;
    Crs source_crs;
    std::string format;
    std::string fields_used;
    std::vector<std::string> field_names;
    std::string raw_header;
    bool has_dates = false;
    bool has_types = false;
    char separator = ','; ///< CSV
    RecordColumns columns;
    std::vector<std::shared_ptr<const void>> storage; ///< what the raw views point into
    /// The ids of the records on these lines (sorted), read again from the source: reading keeps
    /// only a hash of each id, and records whose hashes agree are compared by their text.
    IdReader read_ids;
    int id_column = -1; ///< CSV: the id field's index
    PieceSpan span;     ///< CSV
};

/// Told how many more bytes of a file were read; called from one thread at a time.
using BytesRead = std::function<void(std::size_t bytes)>;

struct PartRequest
{
    const InputFile& file;
    std::size_t file_index = 0;
    const OffenceSource& source;
    const ReadOptions& options;
    const OffenceFilter* filter = nullptr;
    BytesRead bytes_read;
    /// CSV: only the records that start from the first line start at or after byte `begin` up to
    /// the first at or after `end` (0: the file's end), numbered from line 1 at that start.
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
};

/// police.uk street-level CSV (recognised by its header) or CSV with coordinate columns, parsed
/// in parallel chunks split on record boundaries.
SourcePart read_csv_part(const PartRequest& request);

/// Reads the ids of a CSV file's records again (from `whole` when the text is in memory).
IdReader csv_id_reader(const std::string& path, std::shared_ptr<const std::string> whole,
                       std::size_t id_field, std::size_t field_count, char separator);

/// Any OGR vector source of points, or a table with coordinate columns.
SourcePart read_ogr_part(const PartRequest& request);

/// The size of a file in bytes (0 when it cannot be told), for progress.
std::size_t file_size(const std::string& path);

/// Refuses --from after --to.
void check_period(const OffenceFilter& filter);
/// The filter for the readers to apply as they read, or none when it keeps everything.
const OffenceFilter* filter_if_any(const OffenceFilter& filter);
/// Wall-clock seconds since `start`, for the stages of reading.
double seconds_since(std::chrono::steady_clock::time_point start);

/// Refuses a file whose records mostly have a latitude beyond 90 degrees: its columns are swapped.
void check_swapped(const std::string& path, std::int64_t swapped, std::int64_t located_seen);

/// The located records that stand for all when the target CRS is chosen: every stride-th of each
/// file, counted from the file's first (at most ReadOptions::crs_sample in all).
struct CrsSample
{
    std::size_t total = 0;  ///< located records in all the files
    std::size_t stride = 1; ///< crs_sample_stride(total)
    bool one_crs = true;    ///< every file is in first_crs
    Crs first_crs;
    std::vector<double> xs, ys; ///< in first_crs when one_crs, else longitude/latitude
};
std::size_t crs_sample_stride(std::size_t total, std::size_t sample);
/// Adds the sample's records of a part whose first located record is the `offset`-th of its file.
void add_crs_sample(CrsSample& sample, const SourcePart& part, std::size_t offset);
/// Sets table.target_crs (and its reason): options.target_crs, or chosen from the sample.
void choose_target_crs(OffenceTable& table, CrsSample sample, const ReadOptions& options);
/// Projects a part's located records to the target CRS; those that cannot be become unlocated.
void project(SourcePart& part, const Crs& target);

/// The parts of a source's files, in order, joined into one table: the target CRS chosen over all
/// of them, their records projected, crime types and codes numbered over all, repeated ids linked.
OffenceTable join_parts(std::vector<SourcePart> parts, const InputList& inputs,
                        const OffenceSource& source, const ReadOptions& options);
/// join_parts for parts already projected to target_crs.
OffenceTable join_projected(std::vector<SourcePart> parts, const InputList& inputs,
                            const OffenceSource& source, const Crs& target_crs,
                            const std::string& target_crs_reason);

} // namespace hotspot::io::detail
