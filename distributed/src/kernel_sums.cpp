#include "hotspot/distributed/kernel_sums.hpp"

#include "hotspot/engine/core/error.hpp"
#include "protocol.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <new>
#include <string>

#include <tbb/parallel_for.h>

namespace hotspot::distributed
{

namespace
{
using namespace detail;

// Each tile's answer: its rows follow when ok, else the reason.
struct TileHeader
{
    std::int64_t tile = 0;
    std::int64_t ok = 0;
};

std::int64_t tile_count(const Job& job)
{
    return (job.grid.rows + job.tile_rows - 1) / job.tile_rows;
}

std::int64_t rows_of_tile(const Job& job, std::int64_t tile)
{
    return std::min(job.tile_rows, job.grid.rows - tile * job.tile_rows);
}

// The values each offence carries: where it is, its weight, and its own bandwidth when adaptive.
std::size_t stride(const Job& job)
{
    return 2 + (job.weighted ? 1 : 0) + (job.adaptive ? 1 : 0);
}

engine::KdeOptions options_of(const Job& job)
{
    engine::KdeOptions o;
    o.kernel = static_cast<engine::Kernel>(job.kernel);
    o.units = static_cast<engine::DensityUnits>(job.units);
    o.bandwidth_m = job.bandwidth_m;
    return o;
}

// The offences a rank was sent, back in the engine's form.
void unpack(const Job& job, const std::vector<double>& packed, engine::Incidents& incidents,
            engine::KdeOptions& options)
{
    const std::size_t k = stride(job);
    const std::size_t n = packed.size() / k;
    incidents.x.resize(n);
    incidents.y.resize(n);
    if (job.weighted)
        incidents.weight.resize(n);
    if (job.adaptive)
        options.point_bandwidth_m.resize(n);
    for (std::size_t i = 0; i < n; ++i)
    {
        const double* p = &packed[i * k];
        incidents.x[i] = p[0];
        incidents.y[i] = p[1];
        if (job.weighted)
            incidents.weight[i] = p[2];
        if (job.adaptive)
            options.point_bandwidth_m[i] = p[k - 1];
    }
}

StripFinisher& finisher()
{
    static StripFinisher f;
    return f;
}

std::string finish(const std::string& context, std::int64_t first, std::int64_t count,
                   const std::vector<double>& values)
{
    if (!finisher())
        throw Error(Errc::Internal, "no strip finisher was set on this rank");
    return finisher()(context, first, count, values);
}
} // namespace

void set_strip_finisher(StripFinisher f)
{
    finisher() = std::move(f);
}

DistributionReport kde_strips_over_ranks(World& world, const engine::Incidents& incidents,
                                         const engine::GridSpec& grid,
                                         const engine::KdeOptions& options,
                                         std::int64_t rows_per_strip, const engine::StripSink& sink,
                                         const engine::RunContext& context,
                                         const RemoteStrips* remote)
{
    const auto started = std::chrono::steady_clock::now();
    const Traffic before = world.traffic();
    const int ranks = world.size();
    Job job;
    job.kind = JobKind::kernel_sums;
    job.kernel = static_cast<std::int32_t>(options.kernel);
    job.units = static_cast<std::int32_t>(options.units);
    job.weighted = incidents.weighted() ? 1 : 0;
    job.adaptive = options.point_bandwidth_m.empty() ? 0 : 1;
    job.bandwidth_m = options.bandwidth_m;
    job.grid = grid;
    // Tiles halve from a strip down to one band until there are four per rank: work to balance
    // dense towns against empty moors, and few offences sent twice (those reaching two tiles).
    const std::int64_t strip_rows = engine::kde_strip_rows(rows_per_strip);
    const std::int64_t band = engine::kde_strip_rows(1);
    job.tile_rows = strip_rows;
    job.remote = remote ? 1 : 0;
    while (!remote && job.tile_rows % (2 * band) == 0 &&
           tile_count(job) < 4 * static_cast<std::int64_t>(ranks))
        job.tile_rows /= 2;
    const std::int64_t tiles = tile_count(job);
    const auto owner = [&](std::int64_t tile) { return static_cast<int>(tile % ranks); };

    // Each offence to every rank owning a tile it reaches, in input order: blocks of offences are
    // placed in parallel, counted first so that each block writes straight into its place.
    const std::size_t k = stride(job);
    const auto n_ranks = static_cast<std::size_t>(ranks);
    const auto each_owner = [&](std::size_t i, auto&& visit)
    {
        const double h = job.adaptive ? options.point_bandwidth_m[i] : options.bandwidth_m;
        const engine::RowsReached reach = engine::kde_rows_reached(
            grid, engine::kernel_support_radius(options.kernel, h), incidents.x[i], incidents.y[i]);
        if (reach.last < reach.first)
            return;
        const std::int64_t t0 = reach.first / job.tile_rows, t1 = reach.last / job.tile_rows;
        const std::int64_t last = std::min(t1, t0 + ranks - 1); // beyond, owners repeat
        for (std::int64_t t = t0; t <= last; ++t)
            visit(static_cast<std::size_t>(owner(t)), h);
    };
    constexpr std::size_t block = 1 << 16;
    const std::size_t blocks = (incidents.size() + block - 1) / block;
    // at[b * ranks + r]: offences of blocks before b that rank r holds, once counted and summed.
    std::vector<std::size_t> at(blocks * n_ranks, 0);
    tbb::parallel_for(std::size_t{0}, blocks,
                      [&](std::size_t b)
                      {
                          const std::size_t end = std::min(incidents.size(), (b + 1) * block);
                          for (std::size_t i = b * block; i < end; ++i)
                              each_owner(i, [&](std::size_t r, double) { ++at[b * n_ranks + r]; });
                      });
    std::vector<std::int64_t> held(n_ranks, 0);
    for (std::size_t b = 0; b < blocks; ++b)
        for (std::size_t r = 0; r < n_ranks; ++r)
        {
            const std::size_t count = at[b * n_ranks + r];
            at[b * n_ranks + r] = static_cast<std::size_t>(held[r]);
            held[r] += static_cast<std::int64_t>(count);
        }
    std::vector<std::vector<double>> packed(n_ranks);
    for (std::size_t r = 0; r < n_ranks; ++r)
        packed[r].resize(static_cast<std::size_t>(held[r]) * k);
    tbb::parallel_for(std::size_t{0}, blocks,
                      [&](std::size_t b)
                      {
                          const std::size_t end = std::min(incidents.size(), (b + 1) * block);
                          for (std::size_t i = b * block; i < end; ++i)
                              each_owner(i,
                                         [&](std::size_t r, double h)
                                         {
                                             double* out = &packed[r][at[b * n_ranks + r]++ * k];
                                             out[0] = incidents.x[i];
                                             out[1] = incidents.y[i];
                                             if (job.weighted)
                                                 out[2] = incidents.weight[i];
                                             if (job.adaptive)
                                                 out[k - 1] = h;
                                         });
                      });
    announce(world, job);
    for (int r = 1; r < ranks; ++r)
    {
        std::vector<double>& out = packed[static_cast<std::size_t>(r)];
        const std::uint64_t count = out.size();
        world.send(r, data_tag, &count, sizeof count);
        if (count > 0)
            world.send(r, data_tag, out.data(), count * sizeof(double));
        if (remote)
            world.send_text(r, data_tag, remote->context);
        std::vector<double>().swap(out);
    }
    const double distribute_seconds = seconds_since(started);
    engine::Incidents mine;
    engine::KdeOptions my_options = options_of(job);
    unpack(job, packed[0], mine, my_options);
    std::vector<double>().swap(packed[0]);

    DistributionReport report;
    report.work = "density tiles";
    report.ranks = ranks;
    report.tiles = tiles;
    report.tile_rows = job.tile_rows;
    report.distribute_seconds = distribute_seconds;
    RankShare own;
    own.offences = held[0];
    // The tiles in order, a strip at a time; after a failure the rest are still taken in (the
    // ranks are sending them) but no longer used.
    std::exception_ptr failure;
    std::vector<double> strip;
    std::int64_t strip_first = 0;
    for (std::int64_t t = 0; t < tiles; ++t)
    {
        const std::int64_t first = t * job.tile_rows;
        const std::int64_t count = rows_of_tile(job, t);
        if (first % strip_rows == 0 && !remote)
        {
            strip_first = first;
            strip.assign(
                static_cast<std::size_t>(std::min(strip_rows, grid.rows - first) * grid.cols), 0.0);
        }
        double* rows =
            remote ? nullptr : &strip[static_cast<std::size_t>((first - strip_first) * grid.cols)];
        const std::size_t values = static_cast<std::size_t>(count * grid.cols);
        if (owner(t) == 0)
        {
            if (!failure)
                try
                {
                    const auto t_compute = std::chrono::steady_clock::now();
                    const std::vector<double> v =
                        engine::estimate_kde_rows(mine, grid, my_options, first, count);
                    own.compute_seconds += seconds_since(t_compute);
                    ++own.tiles;
                    own.cells += static_cast<std::int64_t>(values);
                    if (remote)
                    {
                        const auto t_finish = std::chrono::steady_clock::now();
                        const std::string result = finish(remote->context, first, count, v);
                        own.finish_seconds += seconds_since(t_finish);
                        remote->done(first, count, result);
                    }
                    else
                        std::copy(v.begin(), v.end(), rows);
                }
                catch (...)
                {
                    failure = std::current_exception();
                }
        }
        else
        {
            TileHeader header;
            world.receive(owner(t), result_tag, &header, sizeof header);
            if (header.ok && remote)
            {
                const std::string result = world.receive_text(owner(t), result_tag);
                if (!failure)
                    try
                    {
                        remote->done(first, count, result);
                    }
                    catch (...)
                    {
                        failure = std::current_exception();
                    }
            }
            else if (header.ok)
                world.receive(owner(t), result_tag, rows, values * sizeof(double));
            else
            {
                const std::string why = world.receive_text(owner(t), result_tag);
                if (!failure)
                    failure = std::make_exception_ptr(Error(
                        Errc::Internal, "rank " + std::to_string(owner(t)) + " failed: " + why));
            }
        }
        context.report(static_cast<double>(t + 1) / static_cast<double>(tiles));
        const bool strip_done = (first + count) % strip_rows == 0 || first + count == grid.rows;
        if (strip_done && !failure && !remote)
            try
            {
                sink(strip_first, first + count - strip_first, strip);
            }
            catch (...)
            {
                failure = std::current_exception();
            }
    }
    report.shares.resize(static_cast<std::size_t>(ranks));
    for (int r = 1; r < ranks; ++r)
    {
        RankShare& share = report.shares[static_cast<std::size_t>(r)];
        world.receive(r, share_tag, &share, sizeof share);
    }
    own.traffic = traffic_since(world, before);
    report.shares[0] = own;
    report.seconds = seconds_since(started);
    if (failure)
        std::rethrow_exception(failure);
    return report;
}

namespace detail
{
void serve_kernel_sums(World& world, const Job& job)
{
    const Traffic before = world.traffic();
    std::uint64_t count = 0;
    world.receive(0, data_tag, &count, sizeof count);
    std::vector<double> packed(count);
    if (count > 0)
        world.receive(0, data_tag, packed.data(), count * sizeof(double));
    const std::string context = job.remote ? world.receive_text(0, data_tag) : std::string();
    RankShare share;
    share.rank = world.rank();
    std::string failure;
    engine::Incidents incidents;
    engine::KdeOptions options = options_of(job);
    try
    {
        if (world.fault("fail"))
            throw std::bad_alloc();
        unpack(job, packed, incidents, options);
        std::vector<double>().swap(packed);
    }
    catch (const std::bad_alloc&)
    {
        failure =
            "out of memory holding " + std::to_string(packed.size() / stride(job)) + " offences";
    }
    catch (const std::exception& e)
    {
        failure = e.what();
    }
    share.offences = static_cast<std::int64_t>(incidents.size());
    for (std::int64_t t = world.rank(); t < tile_count(job); t += world.size())
    {
        const std::int64_t count_rows = rows_of_tile(job, t);
        std::vector<double> rows;
        std::string result;
        if (failure.empty())
            try
            {
                const auto t_compute = std::chrono::steady_clock::now();
                rows = engine::estimate_kde_rows(incidents, job.grid, options, t * job.tile_rows,
                                                 count_rows);
                share.compute_seconds += seconds_since(t_compute);
                ++share.tiles;
                share.cells += static_cast<std::int64_t>(rows.size());
                if (job.remote)
                {
                    const auto t_finish = std::chrono::steady_clock::now();
                    result = finish(context, t * job.tile_rows, count_rows, rows);
                    share.finish_seconds += seconds_since(t_finish);
                }
            }
            catch (const std::bad_alloc&)
            {
                failure = "out of memory computing tile " + std::to_string(t);
            }
            catch (const std::exception& e)
            {
                failure = e.what();
            }
        const TileHeader header{t, failure.empty() ? 1 : 0};
        world.send(0, result_tag, &header, sizeof header);
        if (failure.empty() && job.remote)
            world.send_text(0, result_tag, result);
        else if (failure.empty())
            world.send(0, result_tag, rows.data(), rows.size() * sizeof(double));
        else
            world.send_text(0, result_tag, failure);
    }
    share.traffic = traffic_since(world, before);
    world.send(0, share_tag, &share, sizeof share);
}
} // namespace detail

} // namespace hotspot::distributed
