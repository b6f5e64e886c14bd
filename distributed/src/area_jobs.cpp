#include "hotspot/distributed/area_jobs.hpp"

#include "hotspot/engine/core/error.hpp"
#include "slices.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <new>
#include <string>

namespace hotspot::distributed
{

namespace
{
using namespace detail;

std::vector<const engine::MultiPolygon*> shapes_of(const engine::AreaIndex& index)
{
    std::vector<const engine::MultiPolygon*> shapes;
    for (std::size_t a = 0; a < index.size(); ++a)
        shapes.push_back(&index.shape(a));
    return shapes;
}

template <class T>
std::vector<T> part(const std::vector<T>& v, std::pair<std::size_t, std::size_t> s)
{
    return std::vector<T>(v.begin() + static_cast<std::ptrdiff_t>(s.first),
                          v.begin() + static_cast<std::ptrdiff_t>(s.second));
}

} // namespace

DistributionReport locate_over_ranks(World& world, const engine::AreaIndex& index,
                                     const std::vector<double>& x, const std::vector<double>& y,
                                     double max_distance_m, std::int32_t* out)
{
    Job job;
    job.kind = JobKind::locate;
    job.tolerance_m = max_distance_m;
    Packet shapes;
    put_shapes(shapes, shapes_of(index));
    return over_slices(
        world, job, x.size(),
        [&](std::pair<std::size_t, std::size_t> s)
        {
            Packet p = shapes;
            p.put(part(x, s));
            p.put(part(y, s));
            return p;
        },
        [&](std::pair<std::size_t, std::size_t> s)
        {
            engine::locate_points(index, x.data() + s.first, y.data() + s.first, s.second - s.first,
                                  max_distance_m, out + s.first);
            return static_cast<std::int64_t>(s.second - s.first);
        },
        [&](std::pair<std::size_t, std::size_t> s, Packet& results)
        {
            const auto areas = results.take<std::int32_t>();
            if (areas.size() != s.second - s.first)
                throw Error(Errc::Internal, "a rank located the wrong number of records");
            std::copy(areas.begin(), areas.end(), out + s.first);
        });
}

engine::ReconcileReport reconcile_over_ranks(World& world, const engine::CodeRecords& records,
                                             const engine::AreaIndex& areas,
                                             const engine::CodeBook& codes,
                                             const engine::ReconcileOptions& options,
                                             DistributionReport& distribution)
{
    engine::ReconcileReport report;
    std::vector<std::string> normalised;
    const std::vector<engine::RecordClues> clues =
        engine::weigh_evidence(records, areas, codes, options, normalised, report);
    const std::size_t n = records.size();
    report.outcomes.resize(n);
    std::vector<std::uint8_t> swapped(n, 0);

    Job job;
    job.kind = JobKind::classify;
    job.tolerance_m = options.tolerance_m;
    job.trust = static_cast<std::int32_t>(options.trust);
    Packet shapes;
    put_shapes(shapes, shapes_of(areas));
    distribution = over_slices(
        world, job, n,
        [&](std::pair<std::size_t, std::size_t> s)
        {
            Packet p = shapes;
            p.put(part(records.x, s));
            p.put(part(records.y, s));
            p.put(part(records.location, s));
            // Each record's clues, its lookup as an index into the slice's distinct lookups.
            std::map<const engine::CodeBook::Lookup*, std::int32_t> index_of;
            std::vector<std::int32_t> lookup;
            std::vector<std::uint8_t> flags;
            for (std::size_t i = s.first; i < s.second; ++i)
            {
                const auto [it, fresh] =
                    index_of.emplace(clues[i].lookup, static_cast<std::int32_t>(index_of.size()));
                lookup.push_back(it->second);
                flags.push_back(static_cast<std::uint8_t>(
                    clues[i].has_code | (clues[i].suspect << 1) | (clues[i].outvoted << 2)));
            }
            std::vector<const engine::CodeBook::Lookup*> distinct(index_of.size());
            for (const auto& [l, k] : index_of)
                distinct[static_cast<std::size_t>(k)] = l;
            std::vector<std::int32_t> lookup_areas;
            for (const auto* l : distinct)
            {
                lookup_areas.push_back(static_cast<std::int32_t>(l->areas.size()));
                lookup_areas.push_back(l->via_alias ? 1 : 0);
                lookup_areas.insert(lookup_areas.end(), l->areas.begin(), l->areas.end());
            }
            p.put(lookup);
            p.put(flags);
            p.put(lookup_areas);
            return p;
        },
        [&](std::pair<std::size_t, std::size_t> s)
        {
            engine::CodeRecords mine;
            mine.x = part(records.x, s);
            mine.y = part(records.y, s);
            mine.location = part(records.location, s);
            mine.recorded.resize(s.second - s.first);
            std::vector<engine::RecordOutcome> outcomes;
            std::vector<std::uint8_t> my_swapped;
            engine::classify_records(mine, part(clues, s), areas, options, outcomes, my_swapped);
            std::copy(outcomes.begin(), outcomes.end(), report.outcomes.begin() + s.first);
            std::copy(my_swapped.begin(), my_swapped.end(), swapped.begin() + s.first);
            return static_cast<std::int64_t>(s.second - s.first);
        },
        [&](std::pair<std::size_t, std::size_t> s, Packet& results)
        {
            const auto outcomes = results.take<engine::RecordOutcome>();
            const auto their_swapped = results.take<std::uint8_t>();
            if (outcomes.size() != s.second - s.first || their_swapped.size() != outcomes.size())
                throw Error(Errc::Internal, "a rank reconciled the wrong number of records");
            std::copy(outcomes.begin(), outcomes.end(), report.outcomes.begin() + s.first);
            std::copy(their_swapped.begin(), their_swapped.end(), swapped.begin() + s.first);
        });
    engine::summarise_outcomes(normalised, swapped, codes, report);
    return report;
}

namespace detail
{
void serve_locate(World& world, const Job& job)
{
    serve_slice(world,
                [&](Packet& packet, Packet& results)
                {
                    const engine::AreaIndex index(take_shapes(packet));
                    const auto x = packet.take<double>();
                    const auto y = packet.take<double>();
                    std::vector<std::int32_t> areas(x.size());
                    engine::locate_points(index, x.data(), y.data(), x.size(), job.tolerance_m,
                                          areas.data());
                    results.put(areas);
                    return static_cast<std::int64_t>(x.size());
                });
}

void serve_classify(World& world, const Job& job)
{
    serve_slice(world,
                [&](Packet& packet, Packet& results)
                {
                    const engine::AreaIndex index(take_shapes(packet));
                    engine::CodeRecords records;
                    records.x = packet.take<double>();
                    records.y = packet.take<double>();
                    records.location = packet.take<engine::LocationState>();
                    records.recorded.resize(records.x.size());
                    const auto lookup = packet.take<std::int32_t>();
                    const auto flags = packet.take<std::uint8_t>();
                    const auto lookup_areas = packet.take<std::int32_t>();
                    std::vector<engine::CodeBook::Lookup> distinct;
                    for (std::size_t k = 0; k < lookup_areas.size();)
                    {
                        engine::CodeBook::Lookup l;
                        const auto count = static_cast<std::size_t>(lookup_areas.at(k));
                        l.via_alias = lookup_areas.at(k + 1) != 0;
                        l.areas.assign(lookup_areas.begin() + static_cast<std::ptrdiff_t>(k + 2),
                                       lookup_areas.begin() +
                                           static_cast<std::ptrdiff_t>(k + 2 + count));
                        distinct.push_back(std::move(l));
                        k += 2 + count;
                    }
                    std::vector<engine::RecordClues> clues(records.size());
                    for (std::size_t i = 0; i < clues.size(); ++i)
                        clues[i] = {&distinct.at(static_cast<std::size_t>(lookup.at(i))),
                                    (flags[i] & 1) != 0, (flags[i] & 2) != 0, (flags[i] & 4) != 0};
                    engine::ReconcileOptions options;
                    options.tolerance_m = job.tolerance_m;
                    options.trust = static_cast<engine::Trust>(job.trust);
                    std::vector<engine::RecordOutcome> outcomes;
                    std::vector<std::uint8_t> swapped;
                    engine::classify_records(records, clues, index, options, outcomes, swapped);
                    results.put(outcomes);
                    results.put(swapped);
                    return static_cast<std::int64_t>(records.size());
                });
}
} // namespace detail

} // namespace hotspot::distributed
