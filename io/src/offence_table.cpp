// The offence table: reading every input file, choosing the target CRS over all of them,
// projecting, joining the files' records, linking repeated ids, and deriving filtered tables.

#include "hotspot/engine/core/distinct_count.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/offences.hpp"
#include "offence_readers.hpp"

#include <cstdio>
#include <algorithm>
#include <bit>
#include <cctype>
#include <chrono>
#include <cmath>
#include <deque>
#include <limits>
#include <unordered_map>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

namespace hotspot::io
{

namespace
{
using detail::RecordColumns;
using detail::seconds_since;
using detail::SourcePart;
using engine::MonthIndex;

constexpr std::array<std::string_view, reject_reason_count> reason_names{
    "malformed_row",   "bad_date",         "outside_period",    "excluded_crime_type",
    "no_location",     "not_a_point",      "bad_coordinate",    "out_of_range",
    "swapped_lat_lon", "outside_crs_area", "projection_failed", "bad_weight",
    "duplicate_id",    "window_reversed",  "no_time",           "outside_hours"};

double median(std::vector<double> values)
{
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

// Keeps the entries of a column whose `keep` flag is set, in order, in place; an empty column (one
// that is not kept for this table) stays empty.
template <class T> void keep_where(std::vector<T>& column, const std::vector<std::uint8_t>& keep)
{
    if (column.empty())
        return;
    std::size_t out = 0;
    for (std::size_t i = 0; i < column.size(); ++i)
        if (keep[i])
            column[out++] = column[i];
    column.resize(out);
}

// Removes the located records `failed` picks, keeping every column in step, and lists them as
// records kept without a usable location.
template <class Failed> void drop_located(RecordColumns& c, Failed&& failed)
{
    const std::size_t n = c.located.size();
    std::vector<std::uint8_t> keep(n, 1);
    for (std::size_t i = 0; i < n; ++i)
        if (auto why = failed(i))
        {
            keep[i] = 0;
            const auto& inc = c.located;
            c.unlocated.push_back({inc.source_row[i],
                                   why->first,
                                   std::move(why->second),
                                   inc.month[i],
                                   inc.crime_type[i],
                                   {},
                                   c.raw.empty() ? std::string_view() : c.raw[i]});
            c.unlocated_code.push_back(c.code.empty() ? -1 : c.code[i]);
        }
    if (std::all_of(keep.begin(), keep.end(), [](std::uint8_t k) { return k != 0; }))
        return;
    keep_where(c.id_hash, keep);
    keep_where(c.code, keep);
    keep_where(c.raw, keep);
    c.located.keep_if([&](std::size_t i) { return keep[i] != 0; });
}

} // namespace

void detail::add_crs_sample(CrsSample& sample, const SourcePart& part, std::size_t offset)
{
    const auto& inc = part.columns.located;
    const std::size_t stride = sample.stride;
    const std::size_t first = sample.xs.size();
    if (sample.xs.capacity() == 0) // room for every part's share, made once
    {
        sample.xs.reserve(sample.total / stride + 64);
        sample.ys.reserve(sample.total / stride + 64);
    }
    for (std::size_t i = (stride - offset % stride) % stride; i < inc.size(); i += stride)
    {
        sample.xs.push_back(inc.x[i]);
        sample.ys.push_back(inc.y[i]);
    }
    if (!sample.one_crs && !part.source_crs.geographic)
        Reprojector(part.source_crs, wgs84())
            .transform(std::span(sample.xs).subspan(first), std::span(sample.ys).subspan(first));
}

std::size_t detail::crs_sample_stride(std::size_t total, std::size_t sample)
{
    sample = std::max<std::size_t>(sample, 1);
    return std::max<std::size_t>(1, (total + sample - 1) / sample);
}

// The target CRS: given, or chosen from where most of the data lie.
void detail::choose_target_crs(OffenceTable& table, CrsSample sample, const ReadOptions& options)
{
    const Crs lonlat = wgs84();
    // Medians in the source CRS when there is one (then transformed), else of lon/lat.
    engine::Point2 centre{std::numeric_limits<double>::quiet_NaN(),
                          std::numeric_limits<double>::quiet_NaN()};
    if (!sample.xs.empty())
    {
        centre = {median(std::move(sample.xs)), median(std::move(sample.ys))};
        if (sample.one_crs && !sample.first_crs.geographic)
            centre = Reprojector(sample.first_crs, lonlat).transform(centre);
    }
    const bool geographic = sample.one_crs && sample.first_crs.geographic;
    if (options.target_crs.empty())
    {
        if (sample.total == 0)
            table.target_crs = parse_crs("EPSG:27700");
        else
        {
            if (geographic && !in_great_britain(centre.x, centre.y) &&
                in_great_britain(centre.y, centre.x))
                throw Error(Errc::BadData,
                            table.source_path + ": the data's centre (longitude " +
                                std::to_string(centre.x) + ", latitude " +
                                std::to_string(centre.y) +
                                ") lies in Great Britain only with longitude and latitude swapped: "
                                "check --x-field and --y-field");
            table.target_crs = default_target_crs(centre.x, centre.y, table.target_crs_reason);
        }
    }
    else
    {
        const Crs asked = parse_crs(options.target_crs);
        table.target_crs = in_metres(asked);
        if (!asked.metric && !asked.geographic)
        {
            char factor[32];
            std::snprintf(factor, sizeof factor, "%.10g", asked.unit_m);
            table.target_crs_reason =
                "lengths are metres: " + asked.label() + " with its coordinates x " + factor;
        }
    }
    require_metric(table.target_crs, "--target-crs");
}

namespace
{
std::uint64_t point_hash(std::uint64_t a, std::uint64_t b)
{
    std::uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

// Each distinct point once: an open-addressing table of the points' bits (linear probing, kept at
// most half full), so that tens of millions of records cost a few hash probes each.
class DistinctPoints
{
  public:
    /// The index of the point with this hash, added when new.
    std::uint32_t add(double x, double y, std::uint64_t hash)
    {
        if (2 * (m_x.size() + 1) > m_slots.size())
            grow();
        const std::uint64_t a = std::bit_cast<std::uint64_t>(x),
                            b = std::bit_cast<std::uint64_t>(y);
        for (std::size_t s = hash & mask();; s = (s + 1) & mask())
        {
            Slot& slot = m_slots[s];
            if (slot.index == empty)
            {
                slot = {a, b, static_cast<std::uint32_t>(m_x.size())};
                m_x.push_back(x);
                m_y.push_back(y);
                return slot.index;
            }
            if (slot.x == a && slot.y == b)
                return slot.index;
        }
    }
    /// The index of a point added before.
    std::uint32_t find(double x, double y, std::uint64_t hash) const
    {
        const std::uint64_t a = std::bit_cast<std::uint64_t>(x),
                            b = std::bit_cast<std::uint64_t>(y);
        for (std::size_t s = hash & mask();; s = (s + 1) & mask())
            if (m_slots[s].x == a && m_slots[s].y == b && m_slots[s].index != empty)
                return m_slots[s].index;
    }
    std::vector<double>& xs() { return m_x; }
    std::vector<double>& ys() { return m_y; }

  private:
    static constexpr std::uint32_t empty = std::numeric_limits<std::uint32_t>::max();
    struct Slot
    {
        std::uint64_t x = 0, y = 0;
        std::uint32_t index = empty;
    };
    std::size_t mask() const { return m_slots.size() - 1; }
    void grow()
    {
        std::vector<Slot> old(std::max<std::size_t>(1024, m_slots.size() * 2));
        old.swap(m_slots);
        for (const Slot& slot : old)
            if (slot.index != empty)
                for (std::size_t s = point_hash(slot.x, slot.y) & mask();; s = (s + 1) & mask())
                    if (m_slots[s].index == empty)
                    {
                        m_slots[s] = slot;
                        break;
                    }
    }
    std::vector<Slot> m_slots;
    std::vector<double> m_x, m_y;
};

// police.uk snaps every offence to one of a limited set of anonymous points (about a million for
// England and Wales), so a national file has far fewer distinct points than records. Each
// distinct point is projected once and the result copied to every record on it: the same numbers,
// a fraction of the work. The points are split by hash into shards that threads fill at once.
// A force's own extract has exact coordinates, nearly every point distinct: there the table would
// cost more than it saves, and the points are projected as they are.
void transform_points(const Reprojector& reprojector, std::vector<double>& x,
                      std::vector<double>& y)
{
    const std::size_t n = x.size();
    if (reprojector.is_identity() || n < 10'000)
    {
        reprojector.transform(x, y);
        return;
    }
    const auto hash_of = [&](std::size_t i)
    { return point_hash(std::bit_cast<std::uint64_t>(x[i]), std::bit_cast<std::uint64_t>(y[i])); };
    tbb::enumerable_thread_specific<engine::DistinctCount> counts;
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1 << 16),
                      [&](const tbb::blocked_range<std::size_t>& range)
                      {
                          auto& count = counts.local();
                          for (std::size_t i = range.begin(); i != range.end(); ++i)
                              count.add(hash_of(i));
                      });
    engine::DistinctCount distinct;
    for (const auto& count : counts)
        distinct.merge(count);
    if (distinct.estimate() > 0.5 * static_cast<double>(n))
    {
        reprojector.transform(x, y);
        return;
    }
    constexpr std::size_t shards = 8;
    const auto shard_of = [](std::uint64_t h) { return static_cast<std::uint8_t>(h >> 61); };
    std::vector<std::uint8_t> shard(n);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1 << 16),
                      [&](const tbb::blocked_range<std::size_t>& range)
                      {
                          for (std::size_t i = range.begin(); i != range.end(); ++i)
                              shard[i] = shard_of(hash_of(i));
                      });
    std::vector<DistinctPoints> points(shards);
    tbb::parallel_for(std::size_t{0}, shards,
                      [&](std::size_t s)
                      {
                          for (std::size_t i = 0; i < n; ++i)
                              if (shard[i] == s)
                                  points[s].add(x[i], y[i], hash_of(i));
                      });
    std::vector<std::vector<double>> ux(shards), uy(shards);
    for (std::size_t s = 0; s < shards; ++s)
    {
        ux[s] = std::move(points[s].xs()); // find() needs only the slots
        uy[s] = std::move(points[s].ys());
        reprojector.transform(ux[s], uy[s]);
    }
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1 << 16),
                      [&](const tbb::blocked_range<std::size_t>& range)
                      {
                          for (std::size_t i = range.begin(); i != range.end(); ++i)
                          {
                              const auto s = shard[i];
                              const std::uint32_t k = points[s].find(x[i], y[i], hash_of(i));
                              x[i] = ux[s][k];
                              y[i] = uy[s][k];
                          }
                      });
}

// For each located record whose id an earlier one carries, a link to the latest such. Reading keeps
// a hash of each id; records whose hashes may repeat are found with a bit set in two passes over
// the hashes (little memory for tens of millions), and those that do are compared by their text.
std::vector<SameIdLink> link_same_ids(const std::vector<std::uint64_t>& hash,
                                      const std::vector<std::int64_t>& source_row,
                                      const std::vector<SourcePart>& parts,
                                      const std::vector<std::size_t>& part_start)
{
    const std::size_t n = hash.size();
    std::size_t bits = 1024;
    while (bits < 16 * n)
        bits *= 2;
    const std::uint64_t mask = bits - 1;
    std::vector<std::uint64_t> seen(bits / 64, 0);
    const auto test_and_set = [&](std::uint64_t h)
    {
        const std::uint64_t b = (h >> 7) & mask;
        const bool was = (seen[b / 64] >> (b % 64)) & 1;
        seen[b / 64] |= std::uint64_t{1} << (b % 64);
        return was;
    };
    std::vector<std::uint64_t> repeated; // hashes that may occur twice
    for (std::size_t i = 0; i < n; ++i)
        if (hash[i] != 0 && test_and_set(hash[i]))
            repeated.push_back(hash[i]);
    if (repeated.empty())
        return {};
    std::fill(seen.begin(), seen.end(), 0);
    for (const auto h : repeated)
        test_and_set(h);
    std::vector<std::pair<std::uint64_t, std::size_t>> candidates;
    for (std::size_t i = 0; i < n; ++i)
    {
        const std::uint64_t b = (hash[i] >> 7) & mask;
        if (hash[i] != 0 && ((seen[b / 64] >> (b % 64)) & 1))
            candidates.emplace_back(hash[i], i);
    }
    tbb::parallel_sort(candidates.begin(), candidates.end());

    // The records in groups of equal hashes, read again by file for their ids.
    std::vector<std::size_t> members;
    for (std::size_t a = 0; a < candidates.size();)
    {
        std::size_t b = a + 1;
        while (b < candidates.size() && candidates[b].first == candidates[a].first)
            ++b;
        if (b - a > 1)
            for (std::size_t k = a; k < b; ++k)
                members.push_back(candidates[k].second);
        a = b;
    }
    std::sort(members.begin(), members.end());
    std::unordered_map<std::size_t, std::string> id_of;
    for (std::size_t p = 0, m = 0; p < parts.size(); ++p)
    {
        std::vector<std::int64_t> lines;
        std::vector<std::size_t> which;
        for (; m < members.size() && members[m] < part_start[p + 1]; ++m)
        {
            lines.push_back(record_line(source_row[members[m]]));
            which.push_back(members[m]);
        }
        if (lines.empty())
            continue;
        const auto ids = parts[p].read_ids(lines);
        for (std::size_t k = 0; k < which.size(); ++k)
            id_of[which[k]] = ids[k];
    }
    std::vector<SameIdLink> links;
    for (std::size_t a = 0; a < candidates.size();)
    {
        std::size_t b = a + 1;
        while (b < candidates.size() && candidates[b].first == candidates[a].first)
            ++b;
        for (std::size_t j = a + 1; j < b; ++j) // indices ascend within a hash
            for (std::size_t k = j; k-- > a;)
                if (id_of[candidates[k].second] == id_of[candidates[j].second])
                {
                    links.push_back(
                        {candidates[j].second, candidates[k].second, id_of[candidates[j].second]});
                    break;
                }
        a = b;
    }
    std::sort(links.begin(), links.end(),
              [](const SameIdLink& x, const SameIdLink& y) { return x.index < y.index; });
    return links;
}

// What derive_table decides for each record of a table: which located records it keeps, and the
// rejected records and counts it adds.
struct Selection
{
    std::vector<std::uint8_t> keep;
    std::vector<std::size_t> unlocated_kept;
    std::vector<RejectedRecord> rejected;
    std::array<std::int64_t, reject_reason_count> rejected_by_reason{};
    std::vector<double> share; ///< by record: its share inside --days/--hours (when given)
};

Selection select(const OffenceTable& all, const OffenceFilter& filter, const ReadOptions& options)
{
    const std::string& path = all.source_path;
    const bool by_period = filter.from || filter.to;
    if (by_period && !all.has_dates)
        throw Error(Errc::Usage,
                    path +
                        ": --from/--to need a date field; name it with --date-field (fields are: " +
                        engine::join(all.field_names) + ")");
    if (!filter.crime_types.empty() && !all.has_types)
        throw Error(
            Errc::Usage,
            path +
                ": --crime-type needs a crime type field; name it with --type-field (fields are: " +
                engine::join(all.field_names) + ")");
    const auto& type_names = all.incidents.crime_type_names;
    std::vector<bool> wanted(type_names.size(), filter.crime_types.empty());
    for (const auto& t : filter.crime_types)
    {
        bool found = false;
        for (std::size_t k = 0; k < type_names.size(); ++k)
            if (engine::same_text(type_names[k], t))
                wanted[k] = found = true;
        if (!found)
            throw Error(Errc::Usage, path + ": --crime-type '" + t +
                                         "' matches no record; crime types in the data are: " +
                                         engine::join(type_names));
    }

    Selection s;
    const auto reject =
        [&](std::int64_t row, RejectReason reason, auto&& detail, std::string_view raw)
    {
        ++s.rejected_by_reason[static_cast<std::size_t>(reason)];
        if (options.list_rejected)
            s.rejected.push_back({row, reason, std::string(detail()),
                                  options.keep_raw ? std::string(raw) : std::string()});
    };
    // The analyst's own filters first, as the reader applies them, so every record keeps one
    // reason.
    const auto filtered = [&](std::int64_t row, MonthIndex month, engine::DayIndex day,
                              std::int32_t type, std::string_view raw)
    {
        const PeriodVerdict verdict = period_verdict(filter, month, day);
        if (verdict != PeriodVerdict::Inside)
            reject(
                row,
                verdict == PeriodVerdict::Outside ? RejectReason::OutsidePeriod
                                                  : RejectReason::BadDate,
                [&] { return detail::period_detail(verdict, month, day); }, raw);
        else if (!filter.crime_types.empty() &&
                 (type < 0 || !wanted[static_cast<std::size_t>(type)]))
            reject(
                row, RejectReason::ExcludedCrimeType,
                [&]
                { return type >= 0 ? type_names[static_cast<std::size_t>(type)] : std::string(); },
                raw);
        else
            return false;
        return true;
    };

    for (std::size_t k = 0; k < all.unlocated.size(); ++k)
    {
        const auto& u = all.unlocated[k];
        if (filtered(u.row, u.month, u.day, u.crime_type, u.raw))
            continue;
        if (options.keep_unlocated)
            s.unlocated_kept.push_back(k);
        else
            reject(
                u.row, u.reason, [&] { return u.detail; }, u.raw);
    }
    const auto& inc = all.incidents;
    const auto raw_of = [&](std::size_t i)
    { return all.raw.empty() ? std::string_view() : all.raw[i]; };
    s.keep.assign(inc.size(), 0);
    for (std::size_t i = 0; i < inc.size(); ++i)
        s.keep[i] =
            !filtered(inc.source_row[i], inc.month[i], inc.day_of(i), inc.crime_type[i], raw_of(i));

    // --days/--hours: each offence keeps the share of its window inside them.
    // A table derived with these hours already weighs its offences by them.
    if (filter.hours.active() && all.hours_label != filter.hours.label)
    {
        if (!all.hours_label.empty())
            throw Error(Errc::Usage, path + ": offences kept for " + all.hours_label +
                                         " cannot be filtered again for " + filter.hours.label);
        if (!inc.timed())
            throw Error(Errc::Usage,
                        path + ": its records are dated to the month only (as police.uk publishes "
                               "them), so they cannot say on which day or at what hour an offence "
                               "happened: --days and --hours need a date, and a time of day, for "
                               "each record");
        if (filter.hours.by_clock && !all.has_times)
            throw Error(Errc::Usage,
                        path + ": its records carry dates without a time of day, so --hours "
                               "would spread each over its whole day; --days alone works on "
                               "them");
        s.share.assign(inc.size(), 0.0);
        for (std::size_t i = 0; i < inc.size(); ++i)
        {
            if (!s.keep[i])
                continue;
            const auto w = inc.window_of(i);
            if (w.start == engine::no_minute)
            {
                reject(
                    inc.source_row[i], RejectReason::NoTime,
                    [] { return std::string("dated to the month only"); }, raw_of(i));
                s.keep[i] = 0;
                continue;
            }
            const double share = filter.hours.share(w.start, w.minutes());
            if (share <= 0)
            {
                reject(
                    inc.source_row[i], RejectReason::OutsideHours,
                    [&]
                    {
                        return engine::format_minute(w.start) +
                               (w.span > 0 ? " for " + std::to_string(w.span) + " minutes"
                                           : std::string()) +
                               " is outside " + filter.hours.label;
                    },
                    raw_of(i));
                s.keep[i] = 0;
            }
            s.share[i] = share;
        }
    }

    // A kept record is a duplicate when an earlier record with its id is kept too; the earliest
    // such is the one the id was first used on.
    if (options.reject_duplicates && !all.same_id.empty())
    {
        const auto link_of = [&](std::size_t i) -> const SameIdLink*
        {
            const auto it =
                std::lower_bound(all.same_id.begin(), all.same_id.end(), i,
                                 [](const SameIdLink& l, std::size_t v) { return l.index < v; });
            return it != all.same_id.end() && it->index == i ? &*it : nullptr;
        };
        std::vector<std::size_t> duplicates;
        for (const auto& link : all.same_id)
        {
            if (!s.keep[link.index])
                continue;
            std::optional<std::size_t> first;
            for (const SameIdLink* l = &link; l; l = link_of(l->previous))
                if (s.keep[l->previous])
                    first = l->previous;
            if (!first)
                continue;
            duplicates.push_back(link.index);
            reject(
                inc.source_row[link.index], RejectReason::DuplicateId,
                [&]
                {
                    return "id " + link.id + " first used on row " +
                           std::to_string(record_line(inc.source_row[*first]));
                },
                raw_of(link.index));
        }
        for (const auto d : duplicates)
            s.keep[d] = 0;
    }
    return s;
}

// Everything a derived table takes over from the whole one but its records.
void copy_description(const OffenceTable& all, OffenceTable& out)
{
    out.source_crs = all.source_crs;
    out.target_crs = all.target_crs;
    out.target_crs_reason = all.target_crs_reason;
    out.source_path = all.source_path;
    out.files = all.files;
    out.separators = all.separators;
    out.files_skipped = all.files_skipped;
    out.coverage = all.coverage;
    out.format = all.format;
    out.has_dates = all.has_dates;
    out.has_types = all.has_types;
    out.has_times = all.has_times;
    out.unreadable_times = all.unreadable_times;
    out.unreadable_time_example = all.unreadable_time_example;
    out.hours_label = all.hours_label;
    out.hours_kept = all.hours_kept;
    out.fields_used = all.fields_used;
    out.records_read = all.records_read;
    out.raw_header = all.raw_header;
    out.mixed_fields = all.mixed_fields;
    out.field_names = all.field_names;
    out.storage = all.storage;
    out.warnings = all.warnings;
    out.seconds = all.seconds;
}

// Each kept offence weighs its share inside --days/--hours.
void weigh_by_hours(OffenceTable& out, const Selection& s, const OffenceFilter& filter)
{
    if (s.share.empty())
        return;
    auto& used = out.incidents;
    double kept = 0;
    for (std::size_t i = 0, k = 0; i < s.keep.size(); ++i)
        if (s.keep[i])
        {
            used.set_weight(k, used.weight_of(k) * s.share[i]);
            kept += s.share[i];
            ++k;
        }
    out.hours_label = filter.hours.label;
    out.hours_kept = kept;
}

void finish_derived(OffenceTable& out, Selection& s, const OffenceTable& all,
                    const OffenceFilter& filter)
{
    weigh_by_hours(out, s, filter);
    for (std::size_t r = 0; r < reject_reason_count; ++r)
        out.rejected_by_reason[r] = all.rejected_by_reason[r] + s.rejected_by_reason[r];
    out.rejected.insert(out.rejected.end(), std::make_move_iterator(s.rejected.begin()),
                        std::make_move_iterator(s.rejected.end()));
    std::stable_sort(out.rejected.begin(), out.rejected.end(),
                     [](const RejectedRecord& a, const RejectedRecord& b)
                     { return a.row < b.row; });
    if (out.incidents.size() == 0 && out.unlocated.empty())
    {
        std::string reasons;
        for (std::size_t r = 0; r < reject_reason_count; ++r)
            if (out.rejected_by_reason[r] > 0)
                reasons += (reasons.empty() ? "" : ", ") + std::string(reason_names[r]) + " " +
                           std::to_string(out.rejected_by_reason[r]);
        // A period outside the data is the usual cause: say which months they cover.
        const bool by_period = out.rejected_by_reason[static_cast<std::size_t>(
                                   RejectReason::OutsidePeriod)] > 0;
        const bool month_cut =
            (filter.from_day || filter.to_day) &&
            out.rejected_by_reason[static_cast<std::size_t>(RejectReason::BadDate)] > 0;
        throw Error(Errc::BadData,
                    out.source_path + ": no offences left to use out of " +
                        std::to_string(out.records_read) + " records" +
                        (reasons.empty() ? "" : " (rejected: " + reasons + ")") +
                        (by_period && out.coverage.known()
                             ? "; the data cover " + out.coverage.describe() + " (" +
                                   out.coverage.basis + ")"
                             : std::string()) +
                        (month_cut ? "; records dated to the month only (as police.uk's) count "
                                     "only where the period takes their whole month: give whole "
                                     "months, such as --from " +
                                         format_month(filter.from.value_or(
                                             filter.to.value_or(engine::no_month)))
                                   : std::string()));
    }
}
} // namespace

double detail::seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

const OffenceFilter* detail::filter_if_any(const OffenceFilter& filter)
{
    return filter.from || filter.to || !filter.crime_types.empty() ? &filter : nullptr;
}

void detail::check_period(const OffenceFilter& filter)
{
    const auto said = [](const std::optional<engine::DayIndex>& day, MonthIndex month)
    { return day ? engine::format_day(*day) : format_month(month); };
    const bool after =
        (filter.from && filter.to && *filter.from > *filter.to) ||
        (filter.from_day && filter.to_day && *filter.from_day > *filter.to_day);
    if (after)
        throw Error(Errc::Usage, "--from " + said(filter.from_day, *filter.from) +
                                     " is after --to " + said(filter.to_day, *filter.to));
}

// Records outside the target CRS's area of use would be projected with large distortion; records
// the transformation cannot take are listed too.
void detail::project(SourcePart& part, const Crs& target)
{
    auto& c = part.columns;
    if (part.source_crs.geographic && target.area_of_use)
    {
        const engine::Box2 area = *target.area_of_use;
        const auto inside = [&](double lon, double lat)
        { return lon >= area.xmin && lon <= area.xmax && lat >= area.ymin && lat <= area.ymax; };
        drop_located(
            c,
            [&](std::size_t i) -> std::optional<std::pair<RejectReason, std::string>>
            {
                const double lon = c.located.x[i], lat = c.located.y[i];
                if (inside(lon, lat))
                    return std::nullopt;
                const bool swapped = inside(lat, lon);
                return std::pair{
                    swapped ? RejectReason::SwappedLatLon : RejectReason::OutsideCrsArea,
                    "longitude " + std::to_string(lon) + ", latitude " + std::to_string(lat) +
                        (swapped ? " lies in " + target.label() + "'s area only when swapped"
                                 : " is outside " + target.label() + "'s area of use")};
            });
    }
    transform_points(Reprojector(part.source_crs, target), c.located.x, c.located.y);
    drop_located(c,
                 [&](std::size_t i) -> std::optional<std::pair<RejectReason, std::string>>
                 {
                     if (!std::isnan(c.located.x[i]))
                         return std::nullopt;
                     return std::pair{RejectReason::ProjectionFailed,
                                      "cannot be transformed to " + target.label()};
                 });
}

void detail::check_swapped(const std::string& path, std::int64_t swapped, std::int64_t located_seen)
{
    const std::int64_t located = located_seen + swapped;
    if (swapped > 0 && 2 * swapped > located)
        throw Error(Errc::BadData,
                    path + ": " + std::to_string(swapped) + " of " + std::to_string(located) +
                        " located records have a latitude beyond 90 degrees: longitude and "
                        "latitude look swapped (check --x-field and --y-field)");
}

OffenceTable detail::join_parts(std::vector<SourcePart> parts, const InputList& inputs,
                                const OffenceSource& source, const ReadOptions& options)
{
    const auto stage = std::chrono::steady_clock::now();
    // A file whose records mostly have latitude beyond 90 degrees has its columns swapped.
    for (const auto& p : parts)
        check_swapped(p.path, p.columns.swapped_out_of_range, p.columns.located_seen);
    CrsSample sample;
    for (const auto& p : parts)
    {
        sample.total += p.columns.located.size();
        sample.one_crs = sample.one_crs && p.source_crs.wkt == parts.front().source_crs.wkt;
    }
    sample.first_crs = parts.front().source_crs;
    sample.stride = crs_sample_stride(sample.total, options.crs_sample);
    for (const auto& p : parts)
        add_crs_sample(sample, p, 0);
    OffenceTable described;
    described.source_path = source.label();
    choose_target_crs(described, std::move(sample), options);
    for (auto& p : parts)
        project(p, described.target_crs);
    const double project_seconds = seconds_since(stage);
    OffenceTable table = join_projected(std::move(parts), inputs, source, described.target_crs,
                                        described.target_crs_reason);
    table.seconds.project = project_seconds;
    return table;
}

namespace
{
// police.uk monthly files say by their names which months they cover: the months every force read
// has a file of (a month of some forces only would undercount). Other sources cover the months of
// their records' dates.
engine::Coverage coverage_of(const InputList& inputs,
                             const std::vector<engine::MonthIndex>& months_dated,
                             engine::DayIndex last_day)
{
    engine::Coverage c;
    if (!inputs.all_police_uk || inputs.police_uk_months.empty())
    {
        c.months = months_dated;
        c.basis = "by its records' dates";
        c.last_day = last_day;
        return c;
    }
    c.basis = "by the police.uk files' names";
    std::vector<engine::MonthIndex> any;
    for (const auto& [force, months] : inputs.police_uk_months)
        for (const auto m : months)
            engine::add_month(any, m);
    for (const auto m : any)
    {
        std::vector<std::string> with, without;
        for (const auto& [force, months] : inputs.police_uk_months)
            (std::binary_search(months.begin(), months.end(), m) ? with : without)
                .push_back(force);
        if (without.empty())
            c.months.push_back(m);
        else
            c.notes.push_back(engine::format_month_label(m) + ": " + engine::join(with, ", ") +
                              " only, not " + engine::join(without, ", "));
    }
    return c;
}
} // namespace

OffenceTable detail::join_projected(std::vector<SourcePart> parts, const InputList& inputs,
                                    const OffenceSource& source, const Crs& target_crs,
                                    const std::string& target_crs_reason)
{
    auto stage = std::chrono::steady_clock::now();
    OffenceTable table;
    table.target_crs = target_crs;
    table.target_crs_reason = target_crs_reason;
    table.source_path = source.label();
    table.files_skipped = inputs.skipped_outside_period;
    const SourcePart& first = parts.front();
    table.source_crs = first.source_crs;
    table.format = first.format;
    table.fields_used = first.fields_used;
    table.field_names = first.field_names;
    table.raw_header = first.raw_header;
    for (const auto& p : parts)
    {
        table.files.push_back(p.path);
        table.separators.push_back(p.separator);
        table.has_dates = table.has_dates || p.has_dates;
        table.has_types = table.has_types || p.has_types;
        if (p.format != table.format && table.format.find("mixed") == std::string::npos)
            table.format = "mixed: " + table.format + ", " + p.format;
        if (p.field_names != table.field_names)
        {
            table.mixed_fields = true;
            table.warnings.push_back(p.path + ": its fields differ from " + first.path +
                                     "'s; it is read by its own header");
        }
    }

    // One table: crime types and codes renumbered to one dictionary each, files in order.
    RecordColumns all;
    if (parts.size() > 1)
    {
        std::size_t total = 0;
        for (const auto& p : parts)
            total += p.columns.located.size();
        all.reserve(total, parts.front().columns);
    }
    std::vector<std::size_t> part_start{0};
    for (auto& p : parts)
    {
        part_start.push_back(part_start.back() + p.columns.located.size());
        for (auto& s : p.storage)
            table.storage.push_back(std::move(s));
        // The ids are needed only until they are linked; the join keeps them for that.
        all.append(std::move(p.columns));
    }
    const auto codes =
        std::make_shared<std::deque<std::string>>(all.code_names.begin(), all.code_names.end());
    table.storage.push_back(codes);
    const auto code_view = [&](std::int32_t k) {
        return k >= 0 ? std::string_view((*codes)[static_cast<std::size_t>(k)])
                      : std::string_view();
    };
    if (!source.code_field.empty())
    {
        table.codes.reserve(all.code.size());
        for (const auto k : all.code)
            table.codes.push_back(code_view(k));
    }
    std::vector<std::int32_t>().swap(all.code);
    for (std::size_t u = 0; u < all.unlocated.size(); ++u)
        all.unlocated[u].code = code_view(all.unlocated_code[u]);
    table.same_id = link_same_ids(all.id_hash, all.located.source_row, parts, part_start);
    std::vector<std::uint64_t>().swap(all.id_hash);
    table.seconds.link = seconds_since(stage);

    table.incidents = std::move(all.located);
    table.incidents.crime_type_names = std::move(all.type_names);
    table.raw = std::move(all.raw);
    table.unlocated = std::move(all.unlocated);
    table.rejected = std::move(all.rejected);
    table.rejected_by_reason = all.rejected_by_reason;
    table.records_read = all.records_read;
    table.has_times = all.clock_times > 0;
    table.unreadable_times = all.unreadable_times;
    table.unreadable_time_example = all.unreadable_time_example;
    if (all.unreadable_times > 0)
        table.warnings.push_back(std::to_string(all.unreadable_times) +
                                 " records' time of day cannot be read (such as " +
                                 all.unreadable_time_example +
                                 "): each is spread over the 24 hours of its day");
    table.coverage = coverage_of(inputs, all.months_dated, all.last_day);
    std::stable_sort(table.unlocated.begin(), table.unlocated.end(),
                     [](const UnlocatedRecord& a, const UnlocatedRecord& b)
                     { return a.row < b.row; });
    std::stable_sort(table.rejected.begin(), table.rejected.end(),
                     [](const RejectedRecord& a, const RejectedRecord& b)
                     { return a.row < b.row; });
    return table;
}

std::string OffenceSource::label() const
{
    return engine::join(paths);
}

std::string_view to_string(RejectReason reason)
{
    return reason_names[static_cast<std::size_t>(reason)];
}

bool location_is_suspect(RejectReason reason)
{
    return reason == RejectReason::OutOfRange || reason == RejectReason::SwappedLatLon ||
           reason == RejectReason::OutsideCrsArea || reason == RejectReason::ProjectionFailed;
}

std::int64_t OffenceTable::rejected_count() const
{
    std::int64_t total = 0;
    for (const auto n : rejected_by_reason)
        total += n;
    return total;
}

OffenceTable read_all_offences(const OffenceSource& source, const ReadOptions& options,
                               const OffenceFilter& filter)
{
    const InputList inputs = expand_offence_inputs(source.paths, source.forces, filter);
    if (inputs.files.size() > (std::size_t{1} << (63 - record_file_shift)))
        throw Error(Errc::Usage, "too many offence files in one run");
    std::size_t total_bytes = 0;
    for (const auto& f : inputs.files)
        total_bytes += detail::file_size(f.path);
    std::size_t done = 0;
    const auto bytes_read = [&](std::size_t bytes)
    {
        done += bytes;
        if (options.progress && total_bytes > 0)
            options.progress(
                std::min(1.0, static_cast<double>(done) / static_cast<double>(total_bytes)));
    };
    const auto start = std::chrono::steady_clock::now();
    std::vector<SourcePart> parts;
    for (std::size_t k = 0; k < inputs.files.size(); ++k)
    {
        const detail::PartRequest request{
            inputs.files[k], k, source, options, detail::filter_if_any(filter), bytes_read};
        parts.push_back(detail::is_csv_path(inputs.files[k].path) ? detail::read_csv_part(request)
                                                                  : detail::read_ogr_part(request));
    }
    const double parse = seconds_since(start);
    OffenceTable table = detail::join_parts(std::move(parts), inputs, source, options);
    table.seconds.parse = parse;
    return table;
}

OffenceTable read_offences(const OffenceSource& source, const OffenceFilter& filter,
                           const ReadOptions& options)
{
    detail::check_period(filter);
    return derive_table(read_all_offences(source, options, filter), filter, options);
}

OffenceTable derive_table(const OffenceTable& all, const OffenceFilter& filter,
                          const ReadOptions& options)
{
    Selection s = select(all, filter, options);
    OffenceTable out;
    copy_description(all, out);
    out.rejected = all.rejected;
    for (const auto k : s.unlocated_kept)
        out.unlocated.push_back(all.unlocated[k]);
    const auto& inc = all.incidents;
    auto& used = out.incidents;
    used.crime_type_names = inc.crime_type_names;
    const std::size_t kept =
        static_cast<std::size_t>(std::count(s.keep.begin(), s.keep.end(), std::uint8_t{1}));
    used.reserve(kept);
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        if (!s.keep[i])
            continue;
        used.add_from(inc, i);
        if (!all.codes.empty())
            out.codes.push_back(all.codes[i]);
        if (options.keep_raw && !all.raw.empty())
            out.raw.push_back(all.raw[i]);
    }
    finish_derived(out, s, all, filter);
    return out;
}

OffenceTable derive_table(OffenceTable&& all, const OffenceFilter& filter,
                          const ReadOptions& options)
{
    Selection s = select(all, filter, options);
    OffenceTable out;
    copy_description(all, out);
    out.rejected = std::move(all.rejected);
    for (const auto k : s.unlocated_kept)
        out.unlocated.push_back(std::move(all.unlocated[k]));
    std::vector<UnlocatedRecord>().swap(all.unlocated);
    // The columns are filtered where they lie: no second copy of a large table, and no work when
    // everything is kept.
    if (!std::all_of(s.keep.begin(), s.keep.end(), [](std::uint8_t k) { return k != 0; }))
    {
        keep_where(all.codes, s.keep);
        keep_where(all.raw, s.keep);
        all.incidents.keep_if([&](std::size_t i) { return s.keep[i] != 0; });
    }
    out.incidents = std::move(all.incidents);
    out.codes = std::move(all.codes);
    if (options.keep_raw)
        out.raw = std::move(all.raw);
    finish_derived(out, s, all, filter);
    return out;
}

PeriodVerdict period_verdict(const OffenceFilter& f, MonthIndex month, engine::DayIndex day)
{
    if (!f.by_period())
        return PeriodVerdict::Inside;
    if (month == engine::no_month)
        return PeriodVerdict::Undated;
    if ((f.from && month < *f.from) || (f.to && month > *f.to))
        return PeriodVerdict::Outside;
    if (!f.from_day && !f.to_day)
        return PeriodVerdict::Inside;
    if (day != engine::no_day)
        return (f.from_day && day < *f.from_day) || (f.to_day && day > *f.to_day)
                   ? PeriodVerdict::Outside
                   : PeriodVerdict::Inside;
    // A month alone is inside only when the period takes all of it.
    const bool cut = (f.from_day && *f.from_day > engine::first_day_of(month)) ||
                     (f.to_day && *f.to_day < engine::first_day_of(month + 1) - 1);
    return cut ? PeriodVerdict::MonthCut : PeriodVerdict::Inside;
}

std::string detail::period_detail(PeriodVerdict verdict, MonthIndex month, engine::DayIndex day)
{
    switch (verdict)
    {
    case PeriodVerdict::Undated:
        return "no readable date";
    case PeriodVerdict::MonthCut:
        return "dated to the month only (" + format_month(month) +
               "), which the period takes only part of";
    case PeriodVerdict::Outside:
        return day != engine::no_day ? engine::format_day(day) : format_month(month);
    case PeriodVerdict::Inside:
        break;
    }
    return "";
}

std::optional<MonthIndex> parse_month(std::string_view text)
{
    if (const auto date = parse_date(text))
        return date->month;
    return std::nullopt;
}

namespace
{
// The number written by `count` digits at `pos`; false where one is not a digit or the text ends.
bool digits_at(std::string_view text, std::size_t pos, std::size_t count, int& value)
{
    if (pos + count > text.size())
        return false;
    value = 0;
    for (std::size_t i = pos; i < pos + count; ++i)
    {
        if (text[i] < '0' || text[i] > '9')
            return false;
        value = value * 10 + (text[i] - '0');
    }
    return true;
}

// The numbers of "AA/BB/YYYY" (slashes, dots or dashes) at the start of `text`, followed by its end,
// a space or a T; false for any other form.
bool two_way_date(std::string_view text, int& a, int& b, int& year)
{
    if (text.size() < 10 || !(text.size() == 10 || text[10] == ' ' || text[10] == 'T'))
        return false;
    const char sep = text[2];
    if ((sep != '/' && sep != '.' && sep != '-') || text[5] != sep)
        return false;
    return digits_at(text, 0, 2, a) && digits_at(text, 3, 2, b) && digits_at(text, 6, 4, year);
}
} // namespace

std::string_view to_string(DateOrder order)
{
    switch (order)
    {
    case DateOrder::DayFirst:
        return "dd/mm/yyyy";
    case DateOrder::MonthFirst:
        return "mm/dd/yyyy";
    case DateOrder::Excel1900:
        return "excel-1900";
    case DateOrder::Excel1904:
        return "excel-1904";
    case DateOrder::Unknown:
        break;
    }
    return "unknown";
}

DateOrder parse_date_order(std::string_view text)
{
    const std::string t = engine::fold(engine::trim(text));
    if (t == "dd/mm/yyyy" || t == "day-first" || t == "dmy" || t == "dd-mm-yyyy" ||
        t == "dd.mm.yyyy")
        return DateOrder::DayFirst;
    if (t == "mm/dd/yyyy" || t == "month-first" || t == "mdy" || t == "mm-dd-yyyy")
        return DateOrder::MonthFirst;
    if (t == "excel" || t == "excel-1900")
        return DateOrder::Excel1900;
    if (t == "excel-1904")
        return DateOrder::Excel1904;
    throw Error(Errc::Usage, "--date-format takes dd/mm/yyyy (day first, as UK systems write), "
                             "mm/dd/yyyy (month first, as US systems do), excel-1900 or excel-1904 "
                             "(Excel's serial days); got '" +
                                 std::string(text) + "'");
}

void DateOrderEvidence::add(std::string_view text)
{
    text = engine::trim(text);
    if (text.empty())
        return;
    double number = 0;
    if (parse_number(text, number))
    {
        serial += number >= 20000 && number < 80000;
        return;
    }
    ++written;
    int a = 0, b = 0, year = 0;
    if (!two_way_date(text, a, b, year))
        return;
    if (two_way++ == 0)
        two_way_example = std::string(text);
    if (a > 12 && b >= 1 && b <= 12)
    {
        if (day_first++ == 0)
            day_first_example = std::string(text);
    }
    else if (b > 12 && a >= 1 && a <= 12)
    {
        if (month_first++ == 0)
            month_first_example = std::string(text);
    }
}

DateOrder DateOrderEvidence::decide(const std::string& source) const
{
    if (serial > 0 && written > 0)
        throw Error(Errc::BadData, source + ": its date field mixes Excel serial days (numbers) "
                                            "with written dates; a file must keep one form");
    if (serial > 0)
        return DateOrder::Excel1900;
    if (day_first > 0 && month_first > 0)
        throw Error(Errc::BadData,
                    source + ": its dates are written in both orders ('" + day_first_example +
                        "' can only be day first, '" + month_first_example +
                        "' only month first); a file must keep one order: fix the export, or "
                        "read its parts apart");
    if (day_first > 0)
        return DateOrder::DayFirst;
    if (month_first > 0)
        return DateOrder::MonthFirst;
    return DateOrder::Unknown;
}

std::optional<ParsedDate> parse_date(std::string_view text, DateOrder order)
{
    text = engine::trim(text);
    const auto digits = [&](std::size_t pos, std::size_t count, int& value)
    { return digits_at(text, pos, count, value); };
    int year = 0, month = 0, day = 0, a = 0, b = 0;
    // Excel's serial days, a fraction of a day after them for the time.
    if (order == DateOrder::Excel1900 || order == DateOrder::Excel1904)
    {
        double serial = 0;
        if (!parse_number(text, serial) || !(serial >= 1) || serial >= 2958466)
            return std::nullopt;
        const auto whole = static_cast<engine::DayIndex>(std::floor(serial));
        engine::DayIndex d;
        if (order == DateOrder::Excel1904)
            d = engine::make_day(1904, 1, 1) + whole;
        else if (whole == 60)
            return std::nullopt; // Excel's 29 February 1900, a day that never was
        else
            d = engine::make_day(1899, 12, whole < 60 ? 31 : 30) + whole;
        ParsedDate date{engine::month_of_day(d), d};
        if (const double fraction = serial - std::floor(serial); fraction > 0)
            date.minute_of_day =
                std::min(1439, static_cast<int>(std::floor(fraction * 1440 + 1e-6)));
        return date;
    }
    // YYYY-MM, YYYY-MM-DD..., YYYY/MM/DD...
    if (digits(0, 4, year) && text.size() >= 7 && (text[4] == '-' || text[4] == '/') &&
        digits(5, 2, month) && (text.size() == 7 || text[7] == text[4]))
    {
        if (text.size() > 7 && !digits(8, 2, day))
            return std::nullopt;
    }
    // DD/MM/YYYY as UK systems export dates, MM/DD/YYYY as US systems do
    else if (two_way_date(text, a, b, year))
    {
        if (order == DateOrder::Unknown)
            return std::nullopt;
        day = order == DateOrder::DayFirst ? a : b;
        month = order == DateOrder::DayFirst ? b : a;
        if (day < 1)
            return std::nullopt;
    }
    else
        return std::nullopt;
    if (month < 1 || month > 12 || day > 31 || year < 1 || year > 9999)
        return std::nullopt;
    ParsedDate date{engine::make_month(year, month), engine::no_day};
    if (day > 0)
    {
        date.day = engine::make_day(year, month, day);
        if (engine::month_of_day(date.day) != date.month)
            return std::nullopt; // 30 February
        // The time after the date, if any: "2019-09-14 21:30", "09/14/2019 9:30 PM".
        if (const std::string_view rest = engine::trim(text.substr(10)); !rest.empty())
        {
            if (const auto minute = parse_time_of_day(rest))
                date.minute_of_day = *minute;
            else
                date.time_unreadable = true;
        }
    }
    return date;
}

std::optional<int> parse_time_of_day(std::string_view text)
{
    text = engine::trim(text);
    if (!text.empty() && (text.front() == 'T' || text.front() == 't'))
        text.remove_prefix(1);
    // A zone or offset is left as written: times are the local clock's.
    if (!text.empty() && (text.back() == 'Z' || text.back() == 'z'))
        text.remove_suffix(1);
    if (const auto sign = text.find_last_of("+-"); sign != std::string_view::npos && sign >= 5)
        text = text.substr(0, sign);
    text = engine::trim(text);
    if (text.empty())
        return std::nullopt;
    // A fraction of a day.
    if (text.find(':') == std::string_view::npos)
    {
        double fraction = 0;
        if (text.find('.') == std::string_view::npos || !parse_number(text, fraction) ||
            !(fraction >= 0) || fraction >= 1)
            return std::nullopt;
        return std::min(1439, static_cast<int>(std::floor(fraction * 1440 + 1e-6)));
    }
    // AM/PM: "9:30 PM", "9:30pm", "9:30 p.m."
    int half = 0; // 0: a 24-hour clock; 1: am; 2: pm
    {
        std::string tail;
        while (!text.empty() && (std::isalpha(static_cast<unsigned char>(text.back())) ||
                                 text.back() == '.' || text.back() == ' '))
        {
            if (text.back() != '.' && text.back() != ' ')
                tail.insert(tail.begin(),
                            static_cast<char>(std::tolower(static_cast<unsigned char>(text.back()))));
            text.remove_suffix(1);
        }
        if (tail == "am")
            half = 1;
        else if (tail == "pm")
            half = 2;
        else if (!tail.empty())
            return std::nullopt;
    }
    const auto colon = text.find(':');
    int hour = 0, minute = 0, second = 0;
    if (colon < 1 || colon > 2 || !digits_at(text, 0, colon, hour) ||
        !digits_at(text, colon + 1, 2, minute))
        return std::nullopt;
    std::size_t pos = colon + 3;
    if (pos < text.size())
    {
        if (text[pos] != ':' || !digits_at(text, pos + 1, 2, second))
            return std::nullopt;
        pos += 3;
        if (pos < text.size())
        {
            if (text[pos] != '.' && text[pos] != ',')
                return std::nullopt;
            const std::string_view fraction = text.substr(pos + 1);
            if (fraction.empty() || fraction.find_first_not_of("0123456789") !=
                                        std::string_view::npos)
                return std::nullopt;
        }
    }
    if (minute > 59 || second > 59)
        return std::nullopt;
    if (half != 0)
    {
        if (hour < 1 || hour > 12)
            return std::nullopt;
        hour = hour % 12 + (half == 2 ? 12 : 0);
    }
    if (hour == 24 && minute == 0 && second == 0)
        return 1440;
    if (hour > 23)
        return std::nullopt;
    return hour * 60 + minute;
}

std::string format_month(MonthIndex month)
{
    return month == engine::no_month ? "no date" : engine::format_month_label(month);
}

std::string rejects_csv(const OffenceTable& table)
{
    const bool many = table.files.size() > 1;
    // Files with different fields: each record's text whole, in one column.
    std::string out = std::string(many ? "source_file," : "") + "source_row,reason,detail," +
                      (table.mixed_fields ? std::string("record") : table.raw_header) + "\n";
    for (const auto& r : table.rejected)
    {
        if (many)
            out += csv_quote(table.files[record_file(r.row)]) + ",";
        out += std::to_string(record_line(r.row)) + "," + std::string(to_string(r.reason)) + "," +
               csv_quote(r.detail) + "," + (table.mixed_fields ? csv_quote(r.raw) : r.raw) + "\n";
    }
    return out;
}

} // namespace hotspot::io
