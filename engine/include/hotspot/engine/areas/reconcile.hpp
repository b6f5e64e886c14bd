#pragma once
// Beat-code reconciliation: the area code typed on each record checked against the area its
// location falls in, each record given exactly one status and a final code an analyst can defend.

#include "hotspot/engine/areas/area_index.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hotspot::engine
{

/// A code as compared: upper-case letters and digits only, so " e01-024 389 " is "E01024389".
std::string normalise_code(std::string_view code);

/// The codes of an area layer and the aliases of old codes (renamed, merged or split beats).
class CodeBook
{
  public:
    /// `area_codes[i]` is the code of area i. `aliases` are (old, new) pairs; an old code listed
    /// with several new codes was split. Throws Error(BadData) on duplicate area codes (naming
    /// them) and Error(Usage) on aliases that form a cycle, point to no area, or rename a code
    /// still in use.
    CodeBook(std::vector<std::string> area_codes,
             const std::vector<std::pair<std::string, std::string>>& aliases);

    struct Lookup
    {
        std::vector<std::int32_t> areas; ///< empty: the code is unknown
        bool via_alias = false;
    };
    /// The area(s) a normalised code names.
    const Lookup& find(const std::string& normalised) const;

    const std::string& code(std::int32_t area) const
    {
        return m_codes[static_cast<std::size_t>(area)];
    }
    std::size_t size() const { return m_codes.size(); }

  private:
    std::vector<std::string> m_codes;
    std::unordered_map<std::string, Lookup> m_lookup;
    Lookup m_unknown;
};

/// What the location of a record is worth before any area is consulted.
enum class LocationState : std::uint8_t
{
    Good,
    Missing, ///< no coordinates at all
    Suspect, ///< coordinates known to be wrong at reading (out of range, swapped axes)
};

/// The records to reconcile: coordinates in the areas' CRS and the code typed on each.
struct CodeRecords
{
    std::vector<double> x;
    std::vector<double> y;
    std::vector<LocationState> location;
    std::vector<std::string_view> recorded;

    std::size_t size() const { return x.size(); }
};

enum class RecordStatus : std::uint8_t
{
    Match,        ///< the recorded code names the area the location lies in
    AliasMatch,   ///< the same, through an alias of an old code
    Corrected,    ///< a valid recorded code, but the location lies in another area beyond tolerance
    Filled,       ///< no recorded code; the location gives one
    UnknownCode,  ///< the recorded code is neither an area nor an alias
    NearBoundary, ///< outside the recorded area, but within tolerance of its edge: the code is kept
    Outside,      ///< the location lies beyond tolerance of every area
    NoLocation,   ///< no coordinates: the recorded code, if valid, is kept
    SuspectLocation, ///< a default point, (0, 0), swapped or out-of-range coordinates: the recorded
                     ///< code wins
};
constexpr std::size_t record_status_count = 9;
std::string_view to_string(RecordStatus status);

/// Which side gave the final code.
enum class Decision : std::uint8_t
{
    Agreed,   ///< code and location agree
    Location, ///< taken from the location
    Code,     ///< taken from the recorded code
    None,     ///< no final code could be given
};
constexpr std::size_t decision_count = 4;
std::string_view to_string(Decision decision);

enum class Trust
{
    Location, ///< on a conflict beyond tolerance, the location's area is final
    Code,     ///< on such a conflict, the recorded code is final
};

/// When many records with many different codes share one exact point, the point is a default
/// geocode (a station, a town centroid), not where the offences happened.
struct SuspectPointRule
{
    std::int64_t min_records = 10; ///< records on the point
    std::int64_t min_codes = 3;    ///< distinct valid recorded codes among them
    double min_mismatch_share =
        0.5; ///< share of those codes that name another area than the point's
};

struct ReconcileOptions
{
    double tolerance_m = 25.0;
    Trust trust = Trust::Location;
    SuspectPointRule suspect;
};

struct RecordOutcome
{
    std::int32_t recorded_area =
        -1; ///< the area the recorded code names (the first, for a split alias)
    std::int32_t spatial_area =
        -1; ///< the area the location lies in, or the nearest within tolerance
    std::int32_t final_area = -1;
    RecordStatus status = RecordStatus::NoLocation;
    Decision decided_by = Decision::None;
    double distance_m = 0.0; ///< from the location to the recorded area (0 inside; NaN without one)
};

struct AreaAccuracy
{
    std::int64_t recorded = 0; ///< located records whose valid recorded code names this area
    std::int64_t agreed =
        0; ///< of those, lying in it (match, alias_match) or within tolerance of it
};

struct Confusion
{
    std::string recorded; ///< normalised recorded code
    std::string final_code;
    std::int64_t count = 0;
};

struct SuspectPoint
{
    Point2 location;
    std::int64_t records = 0;
    std::int64_t distinct_codes = 0;
};

struct ReconcileReport
{
    std::vector<RecordOutcome> outcomes; ///< one per record, in record order
    std::array<std::int64_t, record_status_count> by_status{};
    std::array<std::int64_t, decision_count> by_decision{};
    std::int64_t normalised = 0; ///< recorded codes that normalisation changed
    std::vector<std::pair<std::string, std::string>>
        normalisation_examples;         ///< raw -> normalised, a few
    std::vector<AreaAccuracy> accuracy; ///< per area
    std::vector<Confusion> confusions; ///< recorded -> final where they differ, most frequent first
    std::vector<SuspectPoint> suspect_points;
    std::int64_t swapped_axes = 0; ///< records found only with x and y swapped
    std::int64_t zero_points = 0;  ///< records at (0, 0)
};

/// Reconciles every record against the area layer (see RecordStatus for the rules). Parallel and
/// deterministic: the result does not depend on the thread count.
ReconcileReport reconcile(const CodeRecords& records, const AreaIndex& areas, const CodeBook& codes,
                          const ReconcileOptions& options);

/// reconcile in its three stages, so that the middle one, which tests every location against the
/// areas, can be shared out (over the ranks of an MPI job) in slices of records.
/// What the first stage learns of a record before its location is tested: what its code names,
/// and what the other records on its exact point say.
struct RecordClues
{
    const CodeBook::Lookup* lookup = nullptr;
    bool has_code = false; ///< a recorded code, normalised, is not empty
    bool suspect = false;  ///< on a default geocode, or (0, 0)
    bool outvoted = false; ///< more of the point's other records name the area it lies in
};
/// Stage 1, over every record (a point's records are weighed together): the clues, each record's
/// normalised code, and the report's normalisation, zero-point and suspect-point figures.
std::vector<RecordClues> weigh_evidence(const CodeRecords& records, const AreaIndex& areas,
                                        const CodeBook& codes, const ReconcileOptions& options,
                                        std::vector<std::string>& normalised,
                                        ReconcileReport& report);
/// Stage 2: each record's outcome from its location and clues, and whether it was found with x and
/// y swapped. Record by record: any slice of the records gives that slice of the outcomes.
void classify_records(const CodeRecords& records, const std::vector<RecordClues>& clues,
                      const AreaIndex& areas, const ReconcileOptions& options,
                      std::vector<RecordOutcome>& outcomes, std::vector<std::uint8_t>& swapped);
/// Stage 3: the report's counts, accuracy and confusions from every record's outcome
/// (report.outcomes, in record order).
void summarise_outcomes(const std::vector<std::string>& normalised,
                        const std::vector<std::uint8_t>& swapped, const CodeBook& codes,
                        ReconcileReport& report);

/// The area of another layer (wards, districts) for each record: where its location lies (or the
/// nearest within tolerance) when the location is usable; otherwise, for a record whose final
/// primary area is known, the area holding that area's interior point. `via_code` says which.
struct LayerAssignment
{
    std::vector<std::int32_t> area;
    std::vector<std::uint8_t> via_code;
};
LayerAssignment assign_layer(const CodeRecords& records, const ReconcileReport& report,
                             const AreaIndex& primary, const AreaIndex& layer, double tolerance_m);

} // namespace hotspot::engine
