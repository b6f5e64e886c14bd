// Assigning offences to areas: 1,000,000 points against the 1,065 Kent LSOA polygons, at 1 and 2
// threads, for the bare point-in-polygon lookup and for the whole reconciliation of recorded codes.
// Points are the real September 2019 Kent locations, each repeated with a seeded jitter of up to
// 100 m.

#include "hotspot/engine/areas/reconcile.hpp"
#include "hotspot/io/areas.hpp"
#include "hotspot/io/offences.hpp"

#include <benchmark/benchmark.h>
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <deque>
#include <random>

using namespace hotspot;

namespace
{
struct Fixture
{
    io::AreaLayer layer;
    std::optional<engine::AreaIndex> index;
    std::optional<engine::CodeBook> codes;
    engine::CodeRecords records;
    std::deque<std::string> storage;

    Fixture()
    {
        const io::Crs bng = io::parse_crs("EPSG:27700");
        layer =
            io::read_areas(HOTSPOT_SOURCE_DIR "/data/boundaries/kent_lsoa_2011.geojson", "", bng);
        index.emplace(io::shapes(layer));
        const auto area_codes = io::field_values(layer, io::field_index(layer, "LSOA11CD", "code"));
        codes.emplace(area_codes, std::vector<std::pair<std::string, std::string>>{});
        io::OffenceSource source;
        source.paths = {HOTSPOT_SOURCE_DIR "/data/police_uk/2019-09-kent-street.csv"};
        const auto table = io::read_offences(source, {}, {});
        std::mt19937_64 rng(12345);
        std::uniform_real_distribution<double> jitter(-100.0, 100.0), unit(0.0, 1.0);
        const std::size_t n = 1'000'000;
        for (std::size_t i = 0; i < n; ++i)
        {
            const std::size_t k = i % table.incidents.size();
            const engine::Point2 p{table.incidents.x[k] + jitter(rng),
                                   table.incidents.y[k] + jitter(rng)};
            const std::int32_t truth = index->locate(p);
            // Most recorded codes right, one in twenty a random other area, some blank.
            const std::int32_t recorded =
                unit(rng) < 0.05 ? static_cast<std::int32_t>(unit(rng) * area_codes.size()) : truth;
            storage.push_back(recorded >= 0 && unit(rng) > 0.01
                                  ? area_codes[static_cast<std::size_t>(recorded)]
                                  : "");
            records.x.push_back(p.x);
            records.y.push_back(p.y);
            records.location.push_back(engine::LocationState::Good);
            records.recorded.push_back(storage.back());
        }
    }
};

Fixture& fixture()
{
    static Fixture f;
    return f;
}

void BM_Locate(benchmark::State& state)
{
    auto& f = fixture();
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                              static_cast<std::size_t>(state.range(0)));
    std::vector<std::int32_t> area(f.records.size());
    for (auto _ : state)
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, f.records.size(), 4096),
                          [&](const auto& range)
                          {
                              for (std::size_t i = range.begin(); i != range.end(); ++i)
                                  area[i] = f.index->locate({f.records.x[i], f.records.y[i]});
                          });
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * f.records.size()));
    state.counters["points_per_s_per_core"] =
        benchmark::Counter(static_cast<double>(state.iterations() * f.records.size()) /
                               static_cast<double>(state.range(0)),
                           benchmark::Counter::kIsRate);
}

void BM_Reconcile(benchmark::State& state)
{
    auto& f = fixture();
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                              static_cast<std::size_t>(state.range(0)));
    for (auto _ : state)
        benchmark::DoNotOptimize(
            engine::reconcile(f.records, *f.index, *f.codes, {}).outcomes.data());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * f.records.size()));
    state.counters["points_per_s_per_core"] =
        benchmark::Counter(static_cast<double>(state.iterations() * f.records.size()) /
                               static_cast<double>(state.range(0)),
                           benchmark::Counter::kIsRate);
}
} // namespace

BENCHMARK(BM_Locate)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Reconcile)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
