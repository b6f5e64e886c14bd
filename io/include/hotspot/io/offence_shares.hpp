#pragma once
// One offence source read in shares by several processes (the ranks of an MPI job): whole files,
// and pieces of large CSV files cut on record boundaries. The shares' records joined in order are
// the table read_all_offences gives, record for record, with the same line numbers and reasons.

#include "hotspot/io/offence_inputs.hpp"
#include "hotspot/io/offences.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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
    /// Why one reader must read everything (an OGR or PostGIS source); empty when shares are read.
    std::string alone;
};

/// Cuts a source into `readers` shares of about equal bytes, in file order: reader r takes the r-th
/// run of bytes. CSV files on disk are cut into pieces of at least min_piece_bytes; files in
/// archives go whole to one share. Sources other than CSV are not shared (ReadPlan::alone).
ReadPlan plan_shares(const OffenceSource& source, const OffenceFilter& filter, int readers,
                     std::uint64_t min_piece_bytes);

/// How the joining reader asks every reader at once: one request each (its own included),
/// answered in reader order.
using ShareExchange = std::function<std::vector<std::string>(std::vector<std::string> requests)>;

/// One reader's side of read_in_shares: what it parsed, held between the requests of one read.
class ShareReader
{
  public:
    ShareReader();
    ~ShareReader();
    ShareReader(ShareReader&&) noexcept;
    ShareReader& operator=(ShareReader&&) noexcept;

    /// Answers one request of read_in_shares: parse the pieces (keeping them), send a sample of
    /// their records, or project them and send them (then it holds nothing). A file that cannot be
    /// opened or read throws Error(Io) naming it; a piece it cannot parse for any other reason is
    /// left to the joining reader, which reads its file again and so says what one reader says.
    std::string answer(const std::string& request);
    /// Told the fraction of its pieces parsed.
    void set_progress(engine::ProgressFn progress);

    /// What the last parse request read.
    struct Figures
    {
        std::int64_t records = 0;
        std::uint64_t bytes = 0;
        std::int64_t pieces = 0;
    };
    const Figures& figures() const;
    /// The files a parse request names; nothing for the other requests.
    static std::optional<std::vector<std::string>> files_of(const std::string& request);

  private:
    struct State;
    std::unique_ptr<State> m_state;
};

/// read_all_offences(source, options, filter) with the plan's shares read by the readers that
/// `exchange` reaches, in three rounds: each reader parses its pieces and says how many records
/// each located; each sends the sample of its records that the target CRS is chosen from; each
/// projects its records and sends them. The table is the single reader's, record for record, line
/// for line, with the same reasons and linked ids. A file whose pieces do not meet (a cut inside a
/// quoted field with a line end) or that a reader could not parse is read again here, whole.
/// Records keep no text (as with ReadOptions::text_on_demand): those who want it read it again
/// (RecordTexts); rejected records keep theirs.
OffenceTable read_in_shares(const OffenceSource& source, const ReadPlan& plan,
                            const OffenceFilter& filter, const ReadOptions& options,
                            const ShareExchange& exchange);

} // namespace hotspot::io
