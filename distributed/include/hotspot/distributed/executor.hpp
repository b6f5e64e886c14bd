#pragma once
// Where a run's heavy stages run: in this process, or shared out over the ranks of the MPI job.
// Commands hand each stage to the executor without asking which; the results are the same bit for
// bit, and how each stage was shared out is kept for the run's summary.

#include "hotspot/distributed/area_jobs.hpp"
#include "hotspot/distributed/kernel_sums.hpp"
#include "hotspot/distributed/offence_reading.hpp"
#include "hotspot/distributed/world.hpp"

#include <memory>
#include <vector>

namespace hotspot::distributed
{

class Executor
{
  public:
    /// This process alone: io's and the engine's own routines.
    Executor() = default;
    /// On rank 0 of an MPI job whose other ranks are in serve(): each stage shared out over them.
    explicit Executor(World& world);

    bool over_ranks() const { return m_world != nullptr; }
    /// How each stage run over the ranks was shared out, in order; none for this process alone.
    const std::vector<DistributionReport>& reports() const { return *m_reports; }

    /// io::read_offences.
    io::OffenceTable read_offences(const io::OffenceSource& source, const io::OffenceFilter& filter,
                                   const io::ReadOptions& options) const;
    /// engine::estimate_kde: the whole grid.
    engine::Raster<double> kde(const engine::Incidents& incidents, const engine::GridSpec& grid,
                               const engine::KdeOptions& options, std::int64_t rows_per_strip,
                               const engine::RunContext& context = {}) const;
    /// engine::estimate_kde_strips; over the ranks, `remote` strips are finished where they were
    /// computed (kde_strips_over_ranks).
    void kde_strips(const engine::Incidents& incidents, const engine::GridSpec& grid,
                    const engine::KdeOptions& options, std::int64_t rows_per_strip,
                    const engine::StripSink& sink, const engine::RunContext& context = {},
                    const RemoteStrips* remote = nullptr) const;
    /// engine::locate_points.
    void locate_points(const engine::AreaIndex& index, const std::vector<double>& x,
                       const std::vector<double>& y, double max_distance_m,
                       std::int32_t* out) const;
    /// engine::reconcile.
    engine::ReconcileReport reconcile(const engine::CodeRecords& records,
                                      const engine::AreaIndex& areas, const engine::CodeBook& codes,
                                      const engine::ReconcileOptions& options) const;

  private:
    World* m_world = nullptr;
    // Shared by copies (a command's requests copy their run options), and written by the const
    // stages: the record of how they ran is not the executor's state.
    std::shared_ptr<std::vector<DistributionReport>> m_reports =
        std::make_shared<std::vector<DistributionReport>>();
};

} // namespace hotspot::distributed
