#pragma once

#include "hotspot/engine/incidents.hpp"
#include "hotspot/engine/run_context.hpp"
#include "hotspot/io/crs.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot::io
{

/// Where offences come from and which fields mean what. Empty field names are detected from the
/// header (police.uk street-level CSV is recognised whole).
struct OffenceSource
{
    std::string path;
    std::string layer;        ///< OGR layer; default the first
    std::string x_field;      ///< CSV: easting or longitude column
    std::string y_field;      ///< CSV: northing or latitude column
    std::string crs;          ///< CRS of the coordinates when the source does not say (CSV x/y)
    std::string date_field;   ///< month or date column (police.uk: Month)
    std::string type_field;   ///< crime type column (police.uk: Crime type)
    std::string id_field;     ///< record id used to find duplicates (police.uk: Crime ID)
    std::string weight_field; ///< optional numeric weight (harm score); rows weigh 1 without it
};

/// Which records to keep. A record is kept when it passes every filter given.
struct OffenceFilter
{
    std::optional<engine::MonthIndex> from; ///< inclusive
    std::optional<engine::MonthIndex> to;   ///< inclusive
    std::vector<std::string> crime_types;   ///< any of these, ignoring case; empty keeps all
};

/// Why a record was not used. Every input record is either used or has exactly one reason.
enum class RejectReason : std::uint8_t
{
    MalformedRow,      ///< wrong number of fields
    BadDate,           ///< the date is unreadable while a period filter is set
    OutsidePeriod,     ///< filtered out by --from/--to
    ExcludedCrimeType, ///< filtered out by --crime-type
    NoLocation,        ///< empty coordinates or no geometry
    NotAPoint,         ///< a geometry other than a point
    BadCoordinate,     ///< coordinates that are not numbers
    OutOfRange,        ///< longitude beyond +-180 or latitude beyond +-90
    SwappedLatLon,     ///< outside the target CRS's area, but inside it with longitude and latitude swapped
    OutsideCrsArea,    ///< outside the area where the target CRS is valid
    ProjectionFailed,  ///< the transformation to the target CRS failed
    BadWeight,         ///< weight missing, not a number, or negative
    DuplicateId,       ///< the id was already used by an earlier record
};
constexpr std::size_t reject_reason_count = 13;
std::string_view to_string(RejectReason reason);

struct RejectedRecord
{
    std::int64_t row = 0; ///< CSV line number, or feature id
    RejectReason reason{};
    std::string detail;
    std::string raw; ///< the record as CSV text; only kept when asked for
};

/// The offences read, reprojected to the target CRS, and the account of every record.
struct OffenceTable
{
    engine::Incidents incidents;
    Crs source_crs;
    Crs target_crs;
    std::string target_crs_reason; ///< why this target CRS, when it was chosen automatically
    std::string format;            ///< "police.uk street-level CSV", "CSV", or the OGR driver name
    std::string fields_used;       ///< which fields served as x, y, date, type, id, weight
    std::int64_t records_read = 0;
    std::array<std::int64_t, reject_reason_count> rejected_by_reason{};
    std::vector<RejectedRecord> rejected; ///< in source order
    std::string raw_header;               ///< the header to put above RejectedRecord::raw
    std::vector<std::string> warnings;

    std::int64_t rejected_count() const;
};

struct ReadOptions
{
    std::string target_crs;      ///< empty: EPSG:27700 in Great Britain, else the UTM zone
    bool keep_rejected_raw = false; ///< keep each rejected record's text, for a rejects file
    engine::ProgressFn progress;    ///< told the fraction of the source read
};

/// Reads offences from a police.uk street-level CSV, a plain CSV with coordinate columns, or any
/// OGR point source. Throws Error with a message naming the file and field on anything it cannot
/// use as a whole (missing file, unknown field, nothing left after the filters).
OffenceTable read_offences(const OffenceSource& source, const OffenceFilter& filter, const ReadOptions& options);

/// "2019-09" (also "2019-09-14", "2019/09/14", "14/09/2019" and ISO date-times) as a month index.
std::optional<engine::MonthIndex> parse_month(std::string_view text);
/// The month as "YYYY-MM".
std::string format_month(engine::MonthIndex month);

/// Writes the rejected records as CSV: source_row, reason, detail, then the record's own fields.
std::string rejects_csv(const OffenceTable& table);

} // namespace hotspot::io
