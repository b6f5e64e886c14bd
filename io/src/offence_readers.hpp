#pragma once
// The readers of each format. Each reads one file into a SourcePart: its records classified, in
// the file's own CRS. offence_table.cpp then chooses the target CRS over every part, projects, and
// joins the parts into one OffenceTable.

#include "hotspot/io/offence_inputs.hpp"
#include "offence_records.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hotspot::io::detail
{

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
    RecordColumns columns;
    std::vector<std::shared_ptr<const void>> storage; ///< what the raw views point into
    /// The ids of the records on these lines (sorted), read again from the source: reading keeps
    /// only a hash of each id, and records whose hashes agree are compared by their text.
    std::function<std::vector<std::string>(const std::vector<std::int64_t>& lines)> read_ids;
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
};

/// police.uk street-level CSV (recognised by its header) or CSV with coordinate columns, parsed
/// in parallel chunks split on record boundaries.
SourcePart read_csv_part(const PartRequest& request);

/// Any OGR vector source of points, or a table with coordinate columns.
SourcePart read_ogr_part(const PartRequest& request);

/// The size of a file in bytes (0 when it cannot be told), for progress.
std::size_t file_size(const std::string& path);

} // namespace hotspot::io::detail
