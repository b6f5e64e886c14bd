#include "hotspot/distributed/executor.hpp"

#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/engine/density/kde.hpp"
#include "hotspot/io/offences.hpp"

#include <algorithm>

namespace hotspot::distributed
{

Executor::Executor(World& world) : m_world(&world) {}

io::OffenceTable Executor::read_offences(const io::OffenceSource& source,
                                         const io::OffenceFilter& filter,
                                         const io::ReadOptions& options) const
{
    if (!m_world)
        return io::read_offences(source, filter, options);
    DistributionReport report;
    io::OffenceTable table = read_offences_over_ranks(*m_world, source, filter, options, report);
    if (!report.shares.empty()) // a source rank 0 read alone was not shared out
        m_reports->push_back(std::move(report));
    return table;
}

engine::Raster<double> Executor::kde(const engine::Incidents& incidents,
                                     const engine::GridSpec& grid,
                                     const engine::KdeOptions& options, std::int64_t rows_per_strip,
                                     const engine::RunContext& context) const
{
    if (!m_world)
        return engine::estimate_kde(incidents, grid, options, context);
    engine::Raster<double> surface(grid, 0.0);
    kde_strips(
        incidents, grid, options, rows_per_strip,
        [&](std::int64_t first, std::int64_t, const std::vector<double>& values)
        { std::copy(values.begin(), values.end(), surface.values.begin() + first * grid.cols); },
        context);
    return surface;
}

void Executor::kde_strips(const engine::Incidents& incidents, const engine::GridSpec& grid,
                          const engine::KdeOptions& options, std::int64_t rows_per_strip,
                          const engine::StripSink& sink, const engine::RunContext& context,
                          const RemoteStrips* remote) const
{
    if (!m_world)
        engine::estimate_kde_strips(incidents, grid, options, rows_per_strip, sink, context);
    else
        m_reports->push_back(kde_strips_over_ranks(*m_world, incidents, grid, options,
                                                   rows_per_strip, sink, context, remote));
}

void Executor::locate_points(const engine::AreaIndex& index, const std::vector<double>& x,
                             const std::vector<double>& y, double max_distance_m,
                             std::int32_t* out) const
{
    if (!m_world)
        engine::locate_points(index, x.data(), y.data(), x.size(), max_distance_m, out);
    else
        m_reports->push_back(locate_over_ranks(*m_world, index, x, y, max_distance_m, out));
}

engine::ReconcileReport Executor::reconcile(const engine::CodeRecords& records,
                                            const engine::AreaIndex& areas,
                                            const engine::CodeBook& codes,
                                            const engine::ReconcileOptions& options) const
{
    if (!m_world)
        return engine::reconcile(records, areas, codes, options);
    m_reports->emplace_back();
    return reconcile_over_ranks(*m_world, records, areas, codes, options, m_reports->back());
}

} // namespace hotspot::distributed
