// Hotspot extraction on a 4,000 x 4,000 surface (100 km x 100 km of 25 m cells, the quartic density
// of 1,000,000 clustered offences, r = 250 m): thresholds, 8-connected regions, outlines, and Gi*
// with a 250 m band, at 1 and 2 threads.

#include "hotspot/engine/density/kde.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"

#include "generators.hpp"

#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

using namespace hotspot;

namespace
{
struct Fixture
{
    engine::Incidents offences;
    engine::Raster<double> surface;
    engine::Raster<double> counts;
    engine::Raster<std::uint8_t> study;

    Fixture()
    {
        // Clustered offences over a whole force area: many towns of several sizes.
        std::vector<testsupport::Cluster> towns;
        for (int i = 0; i < 40; ++i)
            towns.push_back({540000.0 + (i % 8) * 12000.0 + (i * 3779) % 5000,
                             130000.0 + (i / 8) * 18000.0 + (i * 2719) % 7000,
                             200.0 + (i * 37) % 600, 1.0 + (i % 5)});
        offences = testsupport::make_clustered_incidents(12345, 1'000'000, towns, 536000, 125800,
                                                         636000, 225800, 0.15);
        const auto grid = engine::grid_for_extent({536000, 125800, 636000, 225800}, 25);
        surface = engine::estimate_kde(offences, grid,
                                       {.kernel = engine::Kernel::Quartic, .bandwidth_m = 250});
        counts = engine::cell_counts(offences, grid, false);
        study = engine::Raster<std::uint8_t>(grid, 1);
    }
};

Fixture& fixture()
{
    static Fixture f;
    return f;
}

void BM_ExtractHotspots(benchmark::State& state)
{
    auto& f = fixture();
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                              static_cast<std::size_t>(state.range(0)));
    std::size_t hotspots = 0, hot_cells = 0;
    for (auto _ : state)
    {
        const auto t =
            engine::threshold_cells(f.surface, f.study, engine::ThresholdMethod::MeanMultiple, 3.0);
        const auto regions = engine::label_regions(t.hot, 4);
        for (std::int32_t l = 1; l <= regions.count; ++l)
            benchmark::DoNotOptimize(engine::region_outline(regions, l).size());
        hotspots = static_cast<std::size_t>(regions.count);
        hot_cells = static_cast<std::size_t>(t.hot_cells);
    }
    state.counters["hotspots"] = static_cast<double>(hotspots);
    state.counters["hot_cells"] = static_cast<double>(hot_cells);
}

void BM_GiStar(benchmark::State& state)
{
    auto& f = fixture();
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                              static_cast<std::size_t>(state.range(0)));
    std::int64_t hot = 0;
    for (auto _ : state)
        hot = engine::gi_star(f.counts, f.study, 250.0, 0.05).hot_cells;
    state.counters["hot_cells"] = static_cast<double>(hot);
}
} // namespace

BENCHMARK(BM_ExtractHotspots)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_GiStar)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
