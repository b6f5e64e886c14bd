#pragma once
// Turning records into offences: every record read is classified once, in a fixed order of checks,
// into a located offence (still in the source CRS), a record whose location cannot be used, or a
// rejected record with its reason. Readers of every format hand their records to a Classifier;
// parallel readers use one per chunk and append the chunks in order.

#include "hotspot/io/offences.hpp"
#include "offence_fields.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hotspot::io::detail
{

/// One record as a reader hands it over: text fields, or a point from a geometry.
struct RowValues
{
    std::int64_t row = 0;       // record_key
    std::string_view malformed; // non-empty: why the record's shape is wrong
    bool has_point = false;     // from a geometry rather than text
    double point_x = 0, point_y = 0;
    std::string_view location_problem; // geometry sources: "no geometry", "a LineString"...
    std::string_view x, y, date, time, end_date, end_time, type, id, weight, code;
    std::string_view raw;
};

/// What a run of records yields before the target CRS is chosen.
struct RecordColumns
{
    engine::Incidents located;          ///< source CRS; crime_type indexes type_names
    std::vector<std::uint64_t> id_hash; ///< per located record; 0 without an id
    std::vector<std::int32_t> code;     ///< per located record (code field only): code_names index
    std::vector<std::string_view> raw;  ///< per located record, when the text is kept
    std::vector<UnlocatedRecord> unlocated; ///< their code is in unlocated_code
    std::vector<std::int32_t> unlocated_code;
    std::vector<RejectedRecord> rejected;
    std::array<std::int64_t, reject_reason_count> rejected_by_reason{};
    std::int64_t records_read = 0;
    std::int64_t swapped_out_of_range = 0; ///< lon/lat beyond range that look swapped
    std::int64_t located_seen = 0;         ///< records with a usable location, before the filters
    /// The months of every record with a readable date, before the filters: what the source covers
    std::vector<engine::MonthIndex> months_dated;
    engine::DayIndex last_day = engine::no_day; ///< the latest day of a record, before the filters
    std::int64_t clock_times = 0;      ///< records whose time of day was read
    std::int64_t unreadable_times = 0; ///< records whose time of day could not be read
    std::string unreadable_time_example; ///< the first of them: "line 5: '25:00'"
    std::vector<std::string> type_names;
    std::vector<std::string> code_names;

    /// Room for `n` located records in the columns `like` has, so that appending never copies.
    void reserve(std::size_t n, const RecordColumns& like);
    /// Appends `other` (the records that follow), renumbering its crime types and codes.
    void append(RecordColumns&& other);
};

/// Why a record's date falls outside a filter's period, for the rejects file.
std::string period_detail(PeriodVerdict verdict, engine::MonthIndex month, engine::DayIndex day);

/// 64-bit hash of a record id (0 is kept for "no id").
std::uint64_t id_hash(std::string_view id);

struct ClassifierSetup
{
    FieldRoles roles;
    bool geographic = false;   ///< coordinates are longitude/latitude
    bool keep_raw = false;     ///< keep each record's text
    bool list_rejected = true; ///< list rejected records, else count them
    bool text_views = true;    ///< kept records keep a view of their text (with keep_raw)
    const OffenceFilter* filter = nullptr; ///< reject what it removes while reading
    std::string x_name = "x", y_name = "y";
    DateOrder date_order = DateOrder::DayFirst; ///< of DD/MM/YYYY-like dates
    bool drop_untimed = false; ///< reject records dated to the day without a time (no_time)
};

/// Applies the checks to each record, in a fixed order so that every record gets one reason:
/// a malformed row first; then, for a record whose location cannot be used, the analyst's filters
/// (period, crime type) and then the location; for a located record its weight and then the
/// filters. That is the order derive_table applies to a table read without filters, so reading
/// with a filter gives the same account.
class Classifier
{
  public:
    Classifier(const ClassifierSetup& setup, RecordColumns& out);
    void add(const RowValues& r);

  private:
    std::int32_t type_index(std::string_view text);
    std::int32_t code_index(std::string_view text);
    /// The window of a record dated to `day`, or nullopt when it was rejected.
    std::optional<engine::TimeWindow> window(const RowValues& r, const ParsedDate& start);
    bool filtered(std::int64_t row, engine::MonthIndex month, engine::DayIndex day,
                  std::int32_t type, std::string_view raw);
    void reject(std::int64_t row, RejectReason reason, std::string detail, std::string_view raw);
    template <class Detail>
    void reject_lazily(std::int64_t row, RejectReason reason, Detail&& detail,
                       std::string_view raw);

    const ClassifierSetup& m_setup;
    RecordColumns& m_out;
    std::unordered_map<std::string_view, std::int32_t> m_type_of; // by exact spelling
    std::deque<std::string> m_type_spellings; // owns the keys above; a deque never moves them
    std::vector<bool> m_type_wanted;
    std::unordered_map<std::string_view, std::int32_t> m_code_of;
    std::deque<std::string> m_code_spellings;
    std::string_view m_last_type_text;
    std::int32_t m_last_type = -1;
};

} // namespace hotspot::io::detail
