#pragma once

#include "hotspot/engine/core/coverage.hpp"
#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/core/run_context.hpp"
#include "hotspot/engine/spacetime/aoristic.hpp"
#include "hotspot/io/crs.hpp"

#include <array>
#include <cstdint>
#include <memory>
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
    /// Files, folders, glob patterns (`*`, `?`, `[...]`) and police.uk download archives (.zip).
    /// A folder or archive gives its police.uk street files (`YYYY-MM-<force>-street.csv`, in the
    /// `YYYY-MM/` layout of the bulk download or anywhere below); a folder without any gives its
    /// CSV files. See expand_offence_inputs.
    std::vector<std::string> paths;
    /// Only these forces' police.uk files, by the force part of the file name ("kent",
    /// "metropolitan"); empty takes every force.
    std::vector<std::string> forces;
    std::string layer;          ///< OGR layer; default the first
    std::string sql;            ///< instead of a layer, the rows of this query (PostGIS: its SQL)
    std::string x_field;        ///< CSV: easting or longitude column
    std::string y_field;        ///< CSV: northing or latitude column
    std::string crs;            ///< CRS of the coordinates when the source does not say (CSV x/y)
    std::string date_field;     ///< month or date column (police.uk: Month); may carry the time
    std::string time_field;     ///< the time of day, where it has its own column
    std::string end_date_field; ///< the end of the window an offence happened in, where known
    std::string end_time_field; ///< its time of day, where it has its own column
    /// Records dated to the day without a time: spread over the 24 hours of their day (false),
    /// or rejected as no_time (true: --untimed drop).
    bool drop_untimed = false;
    std::string type_field;   ///< crime type column (police.uk: Crime type)
    std::string id_field;     ///< record id used to find duplicates (police.uk: Crime ID)
    std::string weight_field; ///< optional numeric weight (harm score); rows weigh 1 without it
    std::string code_field;   ///< the area (beat) code typed on each record, for reconciliation
    /// "dd/mm/yyyy" or "mm/dd/yyyy" for dates written with the day and month as two numbers; empty:
    /// decided from each CSV file's own values (OGR sources: day first)
    std::string date_format;
    /// CSV: "," ";" "|" or "tab"; empty: the separator the header line uses
    std::string delimiter;

    /// The paths as the analyst gave them, for messages: "a.csv" or "a.csv, b.csv".
    std::string label() const;
};

/// A record's place in the input, in one integer that sorts in input order: the file (its index in
/// OffenceTable::files) in the high bits, the CSV line or the feature id below. With one file the
/// key is the line itself.
constexpr int record_file_shift = 40;
constexpr std::int64_t record_key(std::size_t file, std::int64_t line)
{
    return (static_cast<std::int64_t>(file) << record_file_shift) | line;
}
constexpr std::size_t record_file(std::int64_t key)
{
    return static_cast<std::size_t>(key >> record_file_shift);
}
constexpr std::int64_t record_line(std::int64_t key)
{
    return key & ((std::int64_t{1} << record_file_shift) - 1);
}

/// Which records to keep. A record is kept when it passes every filter given.
struct OffenceFilter
{
    std::optional<engine::MonthIndex> from;   ///< inclusive (the month of from_day, when set)
    std::optional<engine::MonthIndex> to;     ///< inclusive (the month of to_day, when set)
    std::optional<engine::DayIndex> from_day; ///< a period to the day: its first day, inclusive
    std::optional<engine::DayIndex> to_day;   ///< its last day, inclusive
    std::vector<std::string> crime_types;     ///< any of these, ignoring case; empty keeps all
    /// --days/--hours: each offence weighs the share of its window inside these hours; offences
    /// with none inside are rejected (outside_hours), and those without a time too (no_time).
    engine::HourFilter hours;

    bool by_period() const { return from || to; }
};

/// Where a record's date stands against a filter's period.
enum class PeriodVerdict : std::uint8_t
{
    Inside,
    Outside,
    Undated,  ///< no readable date, while a period is set
    MonthCut, ///< dated to the month only, and the period (to the day) takes part of that month
};
/// The verdict for a record of `month` and `day` (no_day when the date gives the month only).
PeriodVerdict period_verdict(const OffenceFilter& filter, engine::MonthIndex month,
                             engine::DayIndex day);

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
    SwappedLatLon,     ///< outside the target CRS's area, but inside it with longitude and latitude
                       ///< swapped
    OutsideCrsArea,    ///< outside the area where the target CRS is valid
    ProjectionFailed,  ///< the transformation to the target CRS failed
    BadWeight,         ///< weight missing, not a number, or negative
    DuplicateId,       ///< the id was already used by an earlier record
    WindowReversed,    ///< the window ends before it starts
    NoTime,            ///< no time of day while one is needed (--untimed drop, --days/--hours)
    OutsideHours,      ///< no part of the window lies in --days/--hours
};
constexpr std::size_t reject_reason_count = 16;
std::string_view to_string(RejectReason reason);

/// True for a reason that says the location exists but is wrong (out of range, swapped, outside the
/// CRS's area, unprojectable), as opposed to missing or unreadable.
bool location_is_suspect(RejectReason reason);

struct RejectedRecord
{
    std::int64_t row = 0; ///< record_key: file and CSV line number, or feature id
    RejectReason reason{};
    std::string detail;
    std::string raw; ///< the record as CSV text; only kept when asked for
};

/// A record kept although its location cannot be used (ReadOptions::keep_unlocated): it still has a
/// code.
struct UnlocatedRecord
{
    std::int64_t row = 0;  ///< record_key
    RejectReason reason{}; ///< what is wrong with the location
    std::string detail;
    engine::MonthIndex month = engine::no_month;
    std::int32_t crime_type = -1;
    std::string_view code;
    std::string_view raw;
    engine::DayIndex day = engine::no_day;
};

/// A located record whose id an earlier located record carries too (read_all_offences links them;
/// derive_table rejects the later ones as duplicates when both are kept).
struct SameIdLink
{
    std::size_t index = 0;    ///< the incident
    std::size_t previous = 0; ///< the latest earlier incident with the same id
    std::string id;
};

/// The offences read, reprojected to the target CRS, and the account of every record:
/// records_read = incidents + unlocated + rejected.
/// Each incident holds only what the commands compute with (coordinates, month, crime type as a
/// code, weight when one was asked for, and its record key): about 32 bytes. The record text and
/// the code are kept only when asked for.
struct OffenceTable
{
    engine::Incidents incidents;
    std::vector<SameIdLink> same_id;     ///< by index; links to earlier records with the same id
    std::vector<std::string_view> codes; ///< the code field of each incident, when one was named
    std::vector<std::string_view> raw; ///< each incident's record as CSV text, when kept (keep_raw)
    std::vector<UnlocatedRecord> unlocated;
    std::vector<std::string> field_names; ///< the fields of the raw text, in order (first file)
    bool mixed_fields = false; ///< the files' fields differ: each record's text has its file's
    std::vector<std::shared_ptr<const void>> storage; ///< owns the text the views above point into
    Crs source_crs;
    Crs target_crs;
    std::string target_crs_reason;  ///< why this target CRS, when it was chosen automatically
    std::string source_path;        ///< the inputs as given (OffenceSource::label)
    std::vector<std::string> files; ///< every file read, in order (record_file indexes it)
    std::vector<char> separators;   ///< each file's CSV separator (',' for other formats)
    std::int64_t files_skipped = 0; ///< police.uk monthly files left unread: outside --from/--to
    /// The months the source covers, before any filter: from the police.uk files' names (months
    /// every force read has a file of), else from the dates of every record read.
    engine::Coverage coverage;
    std::string format;     ///< "police.uk street-level CSV", "CSV", or the OGR driver name
    bool has_dates = false; ///< a date field was found
    bool has_types = false; ///< a crime type field was found
    bool has_times = false; ///< a time of day was found (in the date field or its own)
    /// Records whose time of day could not be read, each spread over its day instead, and one of
    /// them for the message ("line 5: '25:00'").
    std::int64_t unreadable_times = 0;
    std::string unreadable_time_example;
    /// The --days/--hours filter applied to the incidents ("" when none), and the weight it kept
    /// (the sum of each offence's share inside it).
    std::string hours_label;
    double hours_kept = 0;
    std::string fields_used; ///< which fields served as x, y, date, type, id, weight
    std::int64_t records_read = 0;
    std::array<std::int64_t, reject_reason_count> rejected_by_reason{};
    std::vector<RejectedRecord> rejected; ///< in source order
    std::string raw_header;               ///< the header to put above RejectedRecord::raw
    std::vector<std::string> warnings;
    /// Wall-clock seconds of the stages of reading, for the run summary and the benchmarks.
    struct Seconds
    {
        double parse = 0;   ///< reading and classifying every record
        double project = 0; ///< choosing the CRS and projecting
        double link = 0;    ///< joining the files and linking repeated ids
    } seconds;

    std::int64_t rejected_count() const;
};

struct ReadOptions
{
    std::string target_crs; ///< empty: EPSG:27700 in Great Britain, else the UTM zone
    bool keep_raw =
        false; ///< keep each record's text (rejected and used), for rejects and record outputs
    bool keep_unlocated = false; ///< keep records whose location is missing or wrong in `unlocated`
    bool reject_duplicates = true; ///< reject a record whose id an earlier record used
    bool list_rejected =
        true; ///< list every rejected record (for a rejects file); else count them only
    /// With keep_raw: CSV records keep no text in memory (their `raw` views are empty) but rejected
    /// records keep theirs; RecordTexts reads the text again, in order, for an output of every
    /// record (reconcile). Other sources keep their text as usual.
    bool text_on_demand = false;
    engine::ProgressFn progress; ///< told the fraction of the source read
    /// Bytes read at once from a CSV file when its text is not kept: the memory the reading needs
    /// beyond the table. Tests make it small to cross batch boundaries.
    std::size_t batch_bytes = 64u << 20;
    /// Bytes of a CSV batch each parallel task parses (tests make it small).
    std::size_t chunk_bytes = 1u << 20;
    /// Located records, evenly spaced, that stand for all when the target CRS is chosen (tests
    /// make it small).
    std::size_t crs_sample = 1'000'000;
};

/// Reads offences from a police.uk street-level CSV, a plain CSV with coordinate columns, or any
/// OGR point source. Throws Error with a message naming the file and field on anything it cannot
/// use as a whole (missing file, unknown field, nothing left after the filters).
/// The same as derive_table(read_all_offences(source, options), filter, options).
OffenceTable read_offences(const OffenceSource& source, const OffenceFilter& filter,
                           const ReadOptions& options);

/// Every record of a source, read once: located ones reprojected in `incidents`, those whose
/// location cannot be used in `unlocated`, malformed rows rejected; no duplicate check. Uses
/// options.target_crs, keep_raw and progress. CSV files are parsed in parallel; the result is the
/// same for any thread count.
/// Records that `filter` removes are rejected as they are read (so they take no memory), and
/// police.uk monthly files whose month in the name lies outside it are not read at all;
/// derive_table with the same filter then gives what it would give from the unfiltered table.
OffenceTable read_all_offences(const OffenceSource& source, const ReadOptions& options,
                               const OffenceFilter& filter = {});

/// The table a read with `filter` and `options` gives, derived in memory from a read_all_offences
/// table: many queries can share one read. Throws Error as read_offences does.
/// A table that is not needed again (std::move) is filtered in place, needing no second copy.
OffenceTable derive_table(const OffenceTable& all, const OffenceFilter& filter,
                          const ReadOptions& options);
OffenceTable derive_table(OffenceTable&& all, const OffenceFilter& filter,
                          const ReadOptions& options);

/// A record's date: its month, and its day when the text gives one.
struct ParsedDate
{
    engine::MonthIndex month = engine::no_month;
    engine::DayIndex day = engine::no_day;
    int minute_of_day = -1;       ///< the time after the date, when one is given (0-1440)
    bool time_unreadable = false; ///< text after the date that is not a time
};
/// A time of day: "21:30", "21:30:15", "9:30 PM", "12:05 a.m.", "21:30:15.250", "T21:30Z"; seconds
/// are dropped (times count by the minute); "24:00" is the day's end (1440); a plain fraction of a
/// day ("0.5" is noon), as spreadsheets and R store times. nullopt when unreadable.
std::optional<int> parse_time_of_day(std::string_view text);
/// How a file writes the dates ISO cannot tell: the order of day and month in DD/MM/YYYY or
/// MM/DD/YYYY (slashes, dots or dashes), or Excel's serial day numbers.
enum class DateOrder : std::uint8_t
{
    Unknown,    ///< such dates are unreadable
    DayFirst,   ///< 04/01/2019 is 4 January (UK)
    MonthFirst, ///< 01/04/2019 is 4 January (US)
    Excel1900,  ///< 43469 is 4 January 2019 (Excel's default; its fictitious 29 February 1900 kept)
    Excel1904,  ///< 42007 is 4 January 2019 (old Excel for Mac)
};
/// "dd/mm/yyyy", "mm/dd/yyyy", "excel-1900", "excel-1904", as --date-format takes them.
std::string_view to_string(DateOrder order);
/// --date-format's words: dd/mm/yyyy, mm/dd/yyyy (also day-first, month-first, dmy, mdy),
/// excel (excel-1900), excel-1904. Throws Error(Usage) for anything else.
DateOrder parse_date_order(std::string_view text);

/// "2019-09" (month only), "2019-09-14", "2019/09/14", ISO date-times ("2019-09-14T21:30:00",
/// "2019-09-14 21:30"), and DD/MM/YYYY or MM/DD/YYYY as `order` says (with a time after them or
/// not). Impossible dates (2019-02-30, a 13th month) are unreadable.
std::optional<ParsedDate> parse_date(std::string_view text, DateOrder order = DateOrder::DayFirst);

/// What a file's date values say of their order: dates whose first number exceeds 12 can only be
/// day first, those whose second does only month first; a field of numbers alone (20000 to
/// 80000: 1954 to 2119) holds Excel serial days. Fed the values of one date field.
struct DateOrderEvidence
{
    std::int64_t written = 0;     ///< dates written as text (ISO, DD/MM/YYYY...)
    std::int64_t serial = 0;      ///< plain numbers that can be Excel days
    std::int64_t two_way = 0;     ///< DD/MM or MM/DD dates seen
    std::int64_t day_first = 0;   ///< of those, readable only day first (13/01/2019)
    std::int64_t month_first = 0; ///< readable only month first (01/13/2019)
    std::string two_way_example, day_first_example, month_first_example;

    void add(std::string_view date_text);
    /// The order, when the values tell it; Unknown when no two-way date was seen or all read both
    /// ways; Excel1900 for a field of serial days (the 1904 system must be said). Throws
    /// Error(BadData) naming `source` and an example of each when they contradict, or when serial
    /// days and written dates mix.
    DateOrder decide(const std::string& source) const;
};
/// The month of parse_date.
std::optional<engine::MonthIndex> parse_month(std::string_view text);
/// The month as "YYYY-MM".
std::string format_month(engine::MonthIndex month);

/// Writes the rejected records as CSV: source_row, reason, detail, then the record's own fields;
/// with several files, source_file first. Records of files whose fields differ from the first's
/// come as one `record` column.
std::string rejects_csv(const OffenceTable& table);

/// Records' text read again from their CSV files, a batch at a time, for outputs that carry every
/// original field of millions of records without holding the files in memory. Ask for records in
/// input order (ascending keys); each view is valid until the next call.
class RecordTexts
{
  public:
    explicit RecordTexts(std::vector<std::string> files);
    ~RecordTexts();
    RecordTexts(const RecordTexts&) = delete;
    RecordTexts& operator=(const RecordTexts&) = delete;
    /// The record's text without its line end. Throws Error(Io) when the file no longer holds a
    /// record on that line (it changed since it was read).
    std::string_view text(std::int64_t key);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace hotspot::io
