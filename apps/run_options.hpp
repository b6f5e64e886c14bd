#pragma once
// How a command runs rather than what it computes: threads, quiet, overwriting, the memory
// budget, where its heavy stages run, and the boundary layers and places a run reads (shared
// through a batch's cache).

#include "hotspot/distributed/executor.hpp"
#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/io/areas.hpp"
#include "hotspot/io/places.hpp"

#include <tbb/global_control.h>

#include <CLI/CLI.hpp>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace hotspot::app
{

class DataCache;

/// Options about the run rather than the analysis.
struct RunOptions
{
    int threads = 0; ///< 0: all cores
    bool quiet = false;
    bool overwrite = false;
    std::string summary_json_path;
    std::string memory_limit;         ///< "12G", "800M", bytes; empty: 80% of physical memory
    std::shared_ptr<DataCache> cache; ///< set by a batch: sources shared by its queries
    /// Where the heavy stages run: this process, or under mpirun (on rank 0) every rank, which
    /// keeps how each stage was shared out for the summary.
    distributed::Executor executor;
};

/// Refuses, before any work, each given output path that cannot be written (empty ones are not
/// asked for).
void check_outputs(const RunOptions& run, std::initializer_list<const std::string*> paths);

/// Creates an output folder (and its parents); throws Error(Io) when it cannot.
void make_output_folder(const std::string& folder);

/// A boundary layer, read (or shared from the run's cache) in `crs`.
std::shared_ptr<const io::AreaLayer> load_areas(const RunOptions& run, const std::string& path,
                                                const std::string& layer, const io::Crs& crs);
/// The spatial index of a boundary layer, built (or shared) in `crs`.
std::shared_ptr<const engine::AreaIndex> load_area_index(const RunOptions& run,
                                                         const std::string& path,
                                                         const std::string& layer,
                                                         const io::Crs& crs);
/// A gazetteer, read (or shared) in `crs`.
std::shared_ptr<const std::vector<io::Place>>
load_places(const RunOptions& run, const std::string& path, const io::Crs& crs);

void add_run_options(CLI::App& command, RunOptions& run);

/// Holds TBB to --threads while it lives (nothing to hold for 0: all cores).
std::unique_ptr<tbb::global_control> limit_threads(const RunOptions& run);

/// The field that names a boundary feature: one called like a name (WD13NM, name), else the
/// first.
std::size_t area_name_field(const io::AreaLayer& layer);

/// The memory a run may plan to use, in bytes: --memory-limit, or 80% of physical memory.
/// Throws Error(Usage) for a limit it cannot read.
double memory_limit_bytes(const RunOptions& run);
/// "1.5 GiB".
std::string human_bytes(double bytes);

} // namespace hotspot::app
