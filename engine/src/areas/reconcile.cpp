#include "hotspot/engine/areas/reconcile.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace hotspot::engine
{

namespace
{
constexpr std::array<std::string_view, record_status_count> status_names{
    "match",         "alias_match", "corrected",   "filled",          "unknown_code",
    "near_boundary", "outside",     "no_location", "suspect_location"};
constexpr std::array<std::string_view, decision_count> decision_names{"agreed", "location", "code",
                                                                      "none"};
} // namespace

std::string_view to_string(RecordStatus status)
{
    return status_names[static_cast<std::size_t>(status)];
}

std::string_view to_string(Decision decision)
{
    return decision_names[static_cast<std::size_t>(decision)];
}

std::string normalise_code(std::string_view code)
{
    std::string out;
    out.reserve(code.size());
    for (const char c : code)
        if (std::isalnum(static_cast<unsigned char>(c)))
            out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return out;
}

CodeBook::CodeBook(std::vector<std::string> area_codes,
                   const std::vector<std::pair<std::string, std::string>>& aliases)
    : m_codes(std::move(area_codes))
{
    std::map<std::string, std::vector<std::string>> spellings; // normalised -> original spellings
    for (std::size_t i = 0; i < m_codes.size(); ++i)
    {
        const std::string key = normalise_code(m_codes[i]);
        spellings[key].push_back(m_codes[i]);
        m_lookup[key].areas.push_back(static_cast<std::int32_t>(i));
    }
    std::vector<std::string> duplicated;
    for (const auto& [key, names] : spellings)
        if (names.size() > 1 || key.empty())
            duplicated.push_back(key.empty() ? "(empty code)" : join(names, " = "));
    if (!duplicated.empty())
        throw Error(Errc::BadData, "the area layer has " + std::to_string(duplicated.size()) +
                                       " duplicated or empty codes: " + join(duplicated));

    // Old code -> new codes, each new code followed through further renames to a current code.
    std::map<std::string, std::vector<std::string>> renamed;
    for (const auto& [old_code, new_code] : aliases)
    {
        const std::string from = normalise_code(old_code), to = normalise_code(new_code);
        if (from.empty() || to.empty())
            throw Error(Errc::Usage, "aliases: an empty code in the pair '" + old_code + "' -> '" +
                                         new_code + "'");
        if (m_lookup.count(from))
            throw Error(Errc::Usage, "aliases: '" + old_code + "' is renamed to '" + new_code +
                                         "' but is still a code of the area layer");
        renamed[from].push_back(to);
    }
    for (const auto& [from, targets] : renamed)
    {
        Lookup lookup;
        lookup.via_alias = true;
        for (const auto& target : targets)
        {
            std::string current = target;
            std::set<std::string> seen{from};
            while (!m_lookup.count(current) || m_lookup.at(current).via_alias)
            {
                if (!seen.insert(current).second)
                    throw Error(Errc::Usage,
                                "aliases: the renames starting at '" + from + "' form a cycle");
                const auto next = renamed.find(current);
                if (next == renamed.end())
                    throw Error(Errc::Usage, "aliases: '" + from + "' leads to '" + current +
                                                 "', which is not a code of the area layer");
                if (next->second.size() != 1)
                    throw Error(Errc::Usage,
                                "aliases: '" + from + "' leads to '" + current +
                                    "', which was itself split; list the final codes instead");
                current = next->second.front();
            }
            for (const auto area : m_lookup.at(current).areas)
                lookup.areas.push_back(area);
        }
        std::sort(lookup.areas.begin(), lookup.areas.end());
        lookup.areas.erase(std::unique(lookup.areas.begin(), lookup.areas.end()),
                           lookup.areas.end());
        m_lookup[from] = std::move(lookup);
    }
}

const CodeBook::Lookup& CodeBook::find(const std::string& normalised) const
{
    const auto it = m_lookup.find(normalised);
    return it == m_lookup.end() ? m_unknown : it->second;
}

namespace
{
bool names(const CodeBook::Lookup& lookup, std::int32_t area)
{
    return std::find(lookup.areas.begin(), lookup.areas.end(), area) != lookup.areas.end();
}

// The code a record keeps when its code wins: the recorded area, unless a split alias leaves it
// ambiguous.
std::int32_t kept_area(const CodeBook::Lookup& lookup)
{
    return lookup.areas.size() == 1 ? lookup.areas.front() : -1;
}

void decide_by_code(RecordOutcome& o, const CodeBook::Lookup& lookup)
{
    o.final_area = kept_area(lookup);
    o.decided_by = o.final_area >= 0 ? Decision::Code : Decision::None;
}

// What the other records on the same exact point say about each record.
struct PointEvidence
{
    // Records sharing an exact point with many others of many different codes, most of which name
    // another area: default geocodes. Also (0, 0).
    std::vector<std::uint8_t> suspect;
    // Records whose code disagrees with the point's area while more of the other records on the
    // point name that area than name theirs: a slip of the code, not of the boundary.
    std::vector<std::uint8_t> outvoted;
};

PointEvidence weigh_points(const CodeRecords& records,
                           const std::vector<const CodeBook::Lookup*>& lookups,
                           const AreaIndex& areas, const ReconcileOptions& options,
                           ReconcileReport& report)
{
    const std::size_t n = records.size();
    PointEvidence evidence{std::vector<std::uint8_t>(n, 0), std::vector<std::uint8_t>(n, 0)};
    auto& suspect = evidence.suspect;
    std::vector<std::size_t> located;
    for (std::size_t i = 0; i < n; ++i)
        if (records.location[i] == LocationState::Good)
            located.push_back(i);
    tbb::parallel_sort(located.begin(), located.end(),
                       [&](std::size_t a, std::size_t b)
                       {
                           if (records.x[a] != records.x[b])
                               return records.x[a] < records.x[b];
                           if (records.y[a] != records.y[b])
                               return records.y[a] < records.y[b];
                           return a < b;
                       });
    // Each run of records on one exact point is a group; groups are weighed in parallel, each
    // writing only its own records' flags, and gathered in order so the report does not depend on
    // threads.
    std::vector<std::size_t> group_start;
    for (std::size_t k = 0; k < located.size(); ++k)
        if (k == 0 || records.x[located[k]] != records.x[located[k - 1]] ||
            records.y[located[k]] != records.y[located[k - 1]])
            group_start.push_back(k);
    group_start.push_back(located.size());
    const std::size_t groups = group_start.size() - 1;
    std::vector<SuspectPoint> found(groups); // records = 0: the point is not suspect
    std::vector<std::uint8_t> at_zero(groups, 0);
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, groups, 1024),
        [&](const tbb::blocked_range<std::size_t>& range)
        {
            std::map<std::int32_t, std::int64_t>
                naming; // area -> records on the point whose code names it
            std::set<std::int32_t> distinct;
            for (std::size_t g = range.begin(); g != range.end(); ++g)
            {
                const std::size_t begin = group_start[g], end = group_start[g + 1];
                const std::int64_t count = static_cast<std::int64_t>(end - begin);
                const Point2 p{records.x[located[begin]], records.y[located[begin]]};
                if (p.x == 0.0 && p.y == 0.0)
                {
                    at_zero[g] = 1;
                    for (std::size_t k = begin; k < end; ++k)
                        suspect[located[k]] = 1;
                    continue;
                }
                if (count < 2)
                    continue;
                const std::int32_t here = areas.locate(p);
                naming.clear();
                for (std::size_t k = begin; k < end; ++k)
                    for (const auto a : lookups[located[k]]->areas)
                        ++naming[a];
                for (std::size_t k = begin; k < end && here >= 0; ++k)
                {
                    const auto& lookup = *lookups[located[k]];
                    if (lookup.areas.empty() || names(lookup, here))
                        continue;
                    const std::int64_t for_here = naming[here];
                    const std::int64_t for_mine = naming[lookup.areas.front()] - 1; // the others
                    evidence.outvoted[located[k]] = for_here > for_mine;
                }
                if (count < options.suspect.min_records)
                    continue;
                distinct.clear();
                std::int64_t coded = 0, elsewhere = 0;
                for (std::size_t k = begin; k < end; ++k)
                {
                    const auto& lookup = *lookups[located[k]];
                    if (lookup.areas.empty())
                        continue;
                    ++coded;
                    distinct.insert(lookup.areas.front());
                    elsewhere += !names(lookup, here);
                }
                if (static_cast<std::int64_t>(distinct.size()) >= options.suspect.min_codes &&
                    static_cast<double>(elsewhere) >=
                        options.suspect.min_mismatch_share * static_cast<double>(coded))
                {
                    for (std::size_t k = begin; k < end; ++k)
                        suspect[located[k]] = 1;
                    found[g] = {p, count, static_cast<std::int64_t>(distinct.size())};
                }
            }
        });
    for (std::size_t g = 0; g < groups; ++g)
    {
        if (at_zero[g])
            report.zero_points += static_cast<std::int64_t>(group_start[g + 1] - group_start[g]);
        if (found[g].records > 0)
            report.suspect_points.push_back(found[g]);
    }
    return evidence;
}
} // namespace

std::vector<RecordClues> weigh_evidence(const CodeRecords& records, const AreaIndex& areas,
                                        const CodeBook& codes, const ReconcileOptions& options,
                                        std::vector<std::string>& normalised,
                                        ReconcileReport& report)
{
    if (!(options.tolerance_m >= 0) || !std::isfinite(options.tolerance_m))
        throw Error(Errc::Usage, "reconcile: the tolerance must be a distance of 0 metres or more");
    if (codes.size() != areas.size())
        throw Error(Errc::Internal, "reconcile: codes and areas differ in number");
    const std::size_t n = records.size();
    normalised.assign(n, std::string());
    std::vector<const CodeBook::Lookup*> lookups(
        n); // what each record's code names, looked up once
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 8192),
                      [&](const tbb::blocked_range<std::size_t>& range)
                      {
                          for (std::size_t i = range.begin(); i != range.end(); ++i)
                          {
                              normalised[i] = normalise_code(records.recorded[i]);
                              lookups[i] = &codes.find(normalised[i]);
                          }
                      });
    for (std::size_t i = 0; i < n; ++i)
    {
        const std::string_view raw = records.recorded[i];
        if (!normalised[i].empty() && raw != normalised[i])
        {
            ++report.normalised;
            if (report.normalisation_examples.size() < 5 &&
                std::none_of(report.normalisation_examples.begin(),
                             report.normalisation_examples.end(),
                             [&](const auto& e) { return e.first == raw; }))
                report.normalisation_examples.emplace_back(std::string(raw), normalised[i]);
        }
    }
    const PointEvidence evidence = weigh_points(records, lookups, areas, options, report);
    std::vector<RecordClues> clues(n);
    for (std::size_t i = 0; i < n; ++i)
        clues[i] = {lookups[i], !normalised[i].empty(), evidence.suspect[i] != 0,
                    evidence.outvoted[i] != 0};
    return clues;
}

void classify_records(const CodeRecords& records, const std::vector<RecordClues>& clues,
                      const AreaIndex& areas, const ReconcileOptions& options,
                      std::vector<RecordOutcome>& outcomes, std::vector<std::uint8_t>& swapped)
{
    const std::size_t n = records.size();
    outcomes.assign(n, RecordOutcome{});
    swapped.assign(n, 0);
    const double tolerance = options.tolerance_m;

    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, n, 4096),
        [&](const tbb::blocked_range<std::size_t>& range)
        {
            std::vector<std::int32_t> here;
            for (std::size_t i = range.begin(); i != range.end(); ++i)
            {
                RecordOutcome& o = outcomes[i];
                const auto& lookup = *clues[i].lookup;
                const bool has_code = clues[i].has_code;
                const bool suspect = clues[i].suspect;
                o.recorded_area = lookup.areas.empty() ? -1 : lookup.areas.front();
                o.distance_m = std::numeric_limits<double>::quiet_NaN();

                if (records.location[i] == LocationState::Missing)
                {
                    o.status = RecordStatus::NoLocation;
                    decide_by_code(o, lookup);
                    continue;
                }
                if (records.location[i] == LocationState::Suspect)
                {
                    o.status = RecordStatus::SuspectLocation;
                    decide_by_code(o, lookup);
                    continue;
                }

                const Point2 p{records.x[i], records.y[i]};
                areas.containing(p, here);
                bool in_gap = false;
                double gap_distance = 0.0;
                if (here.empty())
                {
                    const auto nearest = areas.nearest_within(p, tolerance);
                    o.spatial_area = nearest.area;
                    gap_distance = nearest.distance_m;
                    in_gap = true;
                }
                else
                {
                    o.spatial_area = here.front();
                    for (const auto a : here) // overlapping polygons: prefer the one the code names
                        if (names(lookup, a))
                        {
                            o.spatial_area = a;
                            break;
                        }
                }

                if (suspect || (o.spatial_area < 0 && areas.locate({p.y, p.x}) >= 0))
                {
                    if (!suspect)
                        swapped[i] = 1;
                    o.status = RecordStatus::SuspectLocation;
                    decide_by_code(o, lookup);
                    continue;
                }

                if (!has_code || lookup.areas.empty())
                {
                    o.status = !has_code ? RecordStatus::Filled : RecordStatus::UnknownCode;
                    if (o.spatial_area < 0)
                        o.status = RecordStatus::Outside;
                    o.final_area = o.spatial_area;
                    o.decided_by = o.final_area >= 0 ? Decision::Location : Decision::None;
                    if (!has_code && o.spatial_area >= 0)
                        o.distance_m = in_gap ? gap_distance : 0.0;
                    continue;
                }
                if (!in_gap && names(lookup, o.spatial_area))
                {
                    o.status = lookup.via_alias ? RecordStatus::AliasMatch : RecordStatus::Match;
                    o.final_area = o.spatial_area;
                    o.decided_by = Decision::Agreed;
                    o.distance_m = 0.0;
                    continue;
                }
                // A valid code naming an area the location is not inside.
                double to_recorded = std::numeric_limits<double>::infinity();
                std::int32_t nearest_recorded = -1;
                for (const auto a : lookup.areas)
                {
                    const double d = areas.distance_to_edge(static_cast<std::size_t>(a), p);
                    if (d < to_recorded)
                    {
                        to_recorded = d;
                        nearest_recorded = a;
                    }
                }
                o.distance_m = to_recorded;
                if (to_recorded <= tolerance && !clues[i].outvoted)
                {
                    o.status = RecordStatus::NearBoundary;
                    o.final_area = nearest_recorded;
                    o.decided_by = Decision::Code;
                }
                else if (o.spatial_area < 0)
                {
                    o.status = RecordStatus::Outside;
                    decide_by_code(o, lookup);
                }
                else
                {
                    o.status = RecordStatus::Corrected;
                    if (options.trust == Trust::Code && kept_area(lookup) >= 0)
                        decide_by_code(o, lookup);
                    else
                    {
                        o.final_area = o.spatial_area;
                        o.decided_by = Decision::Location;
                    }
                }
            }
        });
}

void summarise_outcomes(const std::vector<std::string>& normalised,
                        const std::vector<std::uint8_t>& swapped, const CodeBook& codes,
                        ReconcileReport& report)
{
    const std::size_t n = report.outcomes.size();
    report.accuracy.assign(codes.size(), {});
    std::map<std::pair<std::string, std::string>, std::int64_t> confusion;
    for (std::size_t i = 0; i < n; ++i)
    {
        const RecordOutcome& o = report.outcomes[i];
        ++report.by_status[static_cast<std::size_t>(o.status)];
        ++report.by_decision[static_cast<std::size_t>(o.decided_by)];
        report.swapped_axes += swapped[i];
        const bool located_with_code =
            o.recorded_area >= 0 &&
            (o.status == RecordStatus::Match || o.status == RecordStatus::AliasMatch ||
             o.status == RecordStatus::NearBoundary || o.status == RecordStatus::Corrected);
        if (located_with_code)
        {
            auto& acc = report.accuracy[static_cast<std::size_t>(o.recorded_area)];
            ++acc.recorded;
            acc.agreed += o.status != RecordStatus::Corrected;
        }
        if (!normalised[i].empty() && o.final_area >= 0 && o.final_area != o.recorded_area)
            ++confusion[{normalised[i], codes.code(o.final_area)}];
    }
    for (const auto& [pair, count] : confusion)
        report.confusions.push_back({pair.first, pair.second, count});
    std::stable_sort(report.confusions.begin(), report.confusions.end(),
                     [](const Confusion& a, const Confusion& b) { return a.count > b.count; });
}

ReconcileReport reconcile(const CodeRecords& records, const AreaIndex& areas, const CodeBook& codes,
                          const ReconcileOptions& options)
{
    ReconcileReport report;
    std::vector<std::string> normalised;
    const std::vector<RecordClues> clues =
        weigh_evidence(records, areas, codes, options, normalised, report);
    std::vector<std::uint8_t> swapped;
    classify_records(records, clues, areas, options, report.outcomes, swapped);
    summarise_outcomes(normalised, swapped, codes, report);
    return report;
}

LayerAssignment assign_layer(const CodeRecords& records, const ReconcileReport& report,
                             const AreaIndex& primary, const AreaIndex& layer, double tolerance_m)
{
    const std::size_t n = records.size();
    LayerAssignment out;
    out.area.assign(n, -1);
    out.via_code.assign(n, 0);
    // Where each primary area's records without a usable location are placed.
    std::vector<std::int32_t> area_of_primary(primary.size(), -2);
    const auto by_code = [&](std::int32_t primary_area)
    {
        auto& cached = area_of_primary[static_cast<std::size_t>(primary_area)];
        if (cached == -2)
            cached = layer.locate(primary.interior_point(static_cast<std::size_t>(primary_area)));
        return cached;
    };
    for (std::size_t i = 0; i < n; ++i)
    {
        const RecordOutcome& o = report.outcomes[i];
        const bool usable =
            o.status != RecordStatus::NoLocation && o.status != RecordStatus::SuspectLocation;
        if (usable)
        {
            out.area[i] = layer.locate_within({records.x[i], records.y[i]}, tolerance_m);
        }
        else if (o.final_area >= 0)
        {
            out.area[i] = by_code(o.final_area);
            out.via_code[i] = 1;
        }
    }
    return out;
}

} // namespace hotspot::engine
