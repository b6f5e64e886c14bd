// The KDE core on seeded clustered offences around Maidstone: the job (20 km x 20 km at 25
// m, quartic r = 250 m) at several sizes and thread counts. Times only the engine call on in-memory
// data.

#include "hotspot/engine/density/kde.hpp"

#include "generators.hpp"

#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

using namespace hotspot;

namespace
{
const engine::Incidents& offences(std::size_t n)
{
    static std::map<std::size_t, engine::Incidents> cache;
    auto it = cache.find(n);
    if (it == cache.end())
        it = cache
                 .emplace(n, testsupport::make_clustered_incidents(
                                 12345, n, testsupport::maidstone_like_clusters(), 566000, 145800,
                                 586000, 165800))
                 .first;
    return it->second;
}

void BM_Kde(benchmark::State& state)
{
    const auto n = static_cast<std::size_t>(state.range(0));
    const double bandwidth = static_cast<double>(state.range(1));
    const auto threads = static_cast<std::size_t>(state.range(2));
    const auto kernel = static_cast<engine::Kernel>(state.range(3));
    const engine::Incidents& inc = offences(n);
    const engine::GridSpec grid = engine::grid_for_extent({566000, 145800, 586000, 165800}, 25);
    const engine::KdeOptions options{
        .kernel = kernel, .bandwidth_m = bandwidth, .units = engine::DensityUnits::PerKm2};
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    for (auto _ : state)
        benchmark::DoNotOptimize(engine::estimate_kde(inc, grid, options).values.data());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(n));
    state.counters["threads"] = static_cast<double>(threads);
}
} // namespace

BENCHMARK(BM_Kde)
    ->ArgNames({"points", "bandwidth", "threads", "kernel"})
    ->Args({100000, 250, 1, 0})
    ->Args({100000, 250, 2, 0})
    ->Args({1000000, 250, 1, 0})
    ->Args({1000000, 250, 2, 0})
    ->Args({1000000, 250, 2, 3}) // triangular: needs a square root per cell
    ->Args({1000000, 100, 2, 5}) // gaussian, sigma 100 m (reach 526 m)
    ->Args({1000000, 500, 2, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
