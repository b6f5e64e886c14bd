#pragma once
// One offence source read in shares by several processes (the ranks of an MPI job): whole files,
// and pieces of large CSV files cut on record boundaries. The shares' records joined in order are
// the table read_all_offences gives, record for record, with the same line numbers and reasons.

#include "hotspot/io/offence_inputs.hpp"
#include "hotspot/io/offences.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hotspot::io
{

/// Part of one input file: the records that start from the first line start at or after byte
/// `begin` up to the first at or after `end` (0: the file's end).
struct FilePiece
{
    std::string path;
    std::uint32_t file = 0; ///< its index in the source's files
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
};

struct ReadPlan
{
    InputList inputs;
    std::vector<std::vector<FilePiece>> shares; ///< by reader: every file once, in order
    std::vector<std::uint64_t> share_bytes;     ///< by reader
    /// Why one reader must read everything (an OGR or PostGIS source); empty when shares are read.
    std::string alone;
};

/// Cuts a source into `readers` shares of about equal bytes, in file order: reader r takes the r-th
/// run of bytes. CSV files on disk are cut into pieces of at least min_piece_bytes; files in
/// archives go whole to one share. Sources other than CSV are not shared (ReadPlan::alone).
ReadPlan plan_shares(const OffenceSource& source, const OffenceFilter& filter, int readers,
                     std::uint64_t min_piece_bytes);

/// What one reader read: its records packed for the joining process, and how many.
struct ShareRead
{
    std::string packed;
    std::int64_t records = 0;
    std::uint64_t bytes = 0;
};

/// One share's records, classified in the files' own CRS. A file that cannot be opened or read
/// throws Error(Io) naming it; a piece that cannot be parsed for any other reason is left to
/// join_shares, which reads its file again and so reports what a single reader reports.
/// options.progress is told the fraction of the share read.
ShareRead read_share(const OffenceSource& source, const std::vector<FilePiece>& share,
                     const ReadOptions& options, const OffenceFilter& filter);

/// The table read_all_offences(source, options, filter) gives, from every share's packed records
/// in share order. A file whose pieces do not meet (a line end inside a quoted field at a cut) is
/// read again here, whole. Records keep no text (as with ReadOptions::text_on_demand): those who
/// want it read it again (RecordTexts), and rejected records keep theirs.
OffenceTable join_shares(const OffenceSource& source, const ReadPlan& plan,
                         std::vector<std::string> packed_shares, const ReadOptions& options,
                         const OffenceFilter& filter);

} // namespace hotspot::io
