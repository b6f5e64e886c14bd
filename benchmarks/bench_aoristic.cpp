// When offences happen: hour-of-week tables for the 148,636 Chicago assaults (2010-2019) by the 25
// police district polygons and by 50 hotspot squares, at 1 and 2 threads; and the cost of one
// offence's window, a minute against a year (it must not grow with the window).
// Target (issue "when to patrol"): each table at most 1 s on 2 cores.

#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/engine/spacetime/aoristic.hpp"
#include "hotspot/io/areas.hpp"
#include "hotspot/io/offences.hpp"

#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <optional>

using namespace hotspot;

namespace
{
struct Fixture
{
    io::OffenceTable table;
    std::optional<engine::AreaIndex> districts, hotspots;

    Fixture()
    {
        io::OffenceSource source;
        source.paths = {HOTSPOT_SOURCE_DIR "/data/chicago/chicago_aggravated_assaults_2010_2019.csv"};
        table = io::read_offences(source, {}, {});
        const io::AreaLayer layer = io::read_areas(
            HOTSPOT_SOURCE_DIR "/data/chicago/chicago_police_districts.geojson", "",
            table.target_crs);
        districts.emplace(io::shapes(layer));
        // 50 squares of 600 m around offences spread through the file, standing for hotspots.
        std::vector<engine::MultiPolygon> squares;
        const auto& inc = table.incidents;
        for (std::size_t k = 0; k < 50; ++k)
        {
            const std::size_t i = k * inc.size() / 50;
            const double x = inc.x[i], y = inc.y[i];
            squares.push_back({{{{x - 300, y - 300}, {x + 300, y - 300}, {x + 300, y + 300},
                                 {x - 300, y + 300}, {x - 300, y - 300}},
                                {}}});
        }
        hotspots.emplace(std::move(squares));
    }
};

Fixture& fixture()
{
    static Fixture f;
    return f;
}

void table_by(benchmark::State& state, const engine::AreaIndex& index)
{
    Fixture& f = fixture();
    const auto& inc = f.table.incidents;
    tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                                static_cast<std::size_t>(state.range(0)));
    for (auto _ : state)
    {
        std::vector<std::int32_t> group(inc.size());
        engine::locate_points(index, inc.x.data(), inc.y.data(), inc.size(), 0.0, group.data());
        const auto s = engine::signatures(inc, group, index.size());
        benchmark::DoNotOptimize(s.whole.total);
    }
    state.counters["offences"] = static_cast<double>(inc.size());
}

void BM_HourOfWeek_Districts(benchmark::State& state)
{
    table_by(state, *fixture().districts);
}
BENCHMARK(BM_HourOfWeek_Districts)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_HourOfWeek_50Hotspots(benchmark::State& state)
{
    table_by(state, *fixture().hotspots);
}
BENCHMARK(BM_HourOfWeek_50Hotspots)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// One window's weights: state.range(0) minutes long.
void BM_Window(benchmark::State& state)
{
    engine::HourOfWeek hours{};
    engine::MinuteIndex start = 25'000'000;
    for (auto _ : state)
    {
        engine::add_aoristic(hours, start, static_cast<std::int32_t>(state.range(0)));
        start += 37;
    }
    benchmark::DoNotOptimize(hours);
}
BENCHMARK(BM_Window)->Arg(1)->Arg(60)->Arg(24 * 60)->Arg(6 * 24 * 60)->Arg(365 * 24 * 60);
} // namespace

BENCHMARK_MAIN();
