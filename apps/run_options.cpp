#include "run_options.hpp"

#include "data_cache.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/files.hpp"
#include "option_kinds.hpp"

namespace hotspot::app
{

void add_run_options(CLI::App& command, RunOptions& run)
{
    command
        .add_option("--threads", run.threads,
                    "Worker threads (0 = all cores, the default). Results do not depend on it")
        ->check(CLI::Range(0, 4096).description(""))
        ->type_name("N")
        ->group("Run");
    command.add_flag("--quiet,-q", run.quiet, "Print nothing but errors")->group("Run");
    command
        .add_option("--memory-limit", run.memory_limit,
                    "The memory a run may plan to use (e.g. 8G, 500M; default: 80% of this "
                    "machine's memory). Over it, kde (and every --tiles-dir run) computes and "
                    "writes its grid 512 rows at a time, as it does any grid over 512 MiB, for "
                    "which strips are faster; the other commands refuse before computing, with "
                    "the figures")
        ->group("Run");
    command.add_flag("--overwrite", run.overwrite, "Replace existing output files")
        ->group("Output");
    command
        .add_option("--summary-json", run.summary_json_path,
                    "Write the run summary as JSON for scripts")
        ->check(output_file("json"))
        ->group("Output");
}

std::string human_bytes(double bytes)
{
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 5)
    {
        bytes /= 1024.0;
        ++u;
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f %s", bytes, units[u]);
    return buffer;
}

double memory_limit_bytes(const RunOptions& run)
{
    if (run.memory_limit.empty())
        return 0.8 * static_cast<double>(::sysconf(_SC_PHYS_PAGES)) *
               static_cast<double>(::sysconf(_SC_PAGE_SIZE));
    double value = 0;
    std::size_t used = 0;
    try
    {
        value = std::stod(run.memory_limit, &used);
    }
    catch (const std::exception&)
    {
        used = 0;
    }
    const std::string unit = engine::fold(engine::trim(run.memory_limit.substr(used)));
    double scale = 0;
    for (const auto& [name, factor] : {std::pair<const char*, double>{"", 1.0},
                                       {"b", 1.0},
                                       {"k", 1024.0},
                                       {"kb", 1024.0},
                                       {"m", 1048576.0},
                                       {"mb", 1048576.0},
                                       {"g", 1073741824.0},
                                       {"gb", 1073741824.0},
                                       {"t", 1099511627776.0},
                                       {"tb", 1099511627776.0}})
        if (unit == name)
            scale = factor;
    if (used == 0 || !(value > 0) || !std::isfinite(value) || scale == 0)
        throw Error(Errc::Usage, "--memory-limit '" + run.memory_limit +
                                     "' is not an amount of memory; write e.g. 8G or 500M");
    return value * scale;
}

std::size_t area_name_field(const io::AreaLayer& layer)
{
    for (std::size_t i = 0; i < layer.field_names.size(); ++i)
    {
        const std::string f = engine::fold(layer.field_names[i]);
        if (f.size() >= 2 && f.compare(f.size() - 2, 2, "nm") == 0)
            return i;
    }
    for (std::size_t i = 0; i < layer.field_names.size(); ++i)
        if (engine::fold(layer.field_names[i]).find("name") != std::string::npos)
            return i;
    return 0;
}

void check_outputs(const RunOptions& run, std::initializer_list<const std::string*> paths)
{
    for (const auto* path : paths)
        if (!path->empty())
            io::check_output_path(*path, run.overwrite);
}

void make_output_folder(const std::string& folder)
{
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (!std::filesystem::is_directory(folder))
        throw Error(Errc::Io, folder + ": cannot create the output folder");
}

std::shared_ptr<const io::AreaLayer> load_areas(const RunOptions& run, const std::string& path,
                                                const std::string& layer, const io::Crs& crs)
{
    return run.cache ? run.cache->areas(path, layer, crs)
                     : std::make_shared<const io::AreaLayer>(io::read_areas(path, layer, crs));
}

std::shared_ptr<const engine::AreaIndex> load_area_index(const RunOptions& run,
                                                         const std::string& path,
                                                         const std::string& layer,
                                                         const io::Crs& crs)
{
    return run.cache ? run.cache->area_index(path, layer, crs)
                     : std::make_shared<const engine::AreaIndex>(
                           io::shapes(*load_areas(run, path, layer, crs)));
}

std::shared_ptr<const std::vector<io::Place>>
load_places(const RunOptions& run, const std::string& path, const io::Crs& crs)
{
    return run.cache ? run.cache->places(path, crs)
                     : std::make_shared<const std::vector<io::Place>>(io::read_places(path, crs));
}

std::unique_ptr<tbb::global_control> limit_threads(const RunOptions& run)
{
    if (run.threads <= 0)
        return nullptr;
    return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                 static_cast<std::size_t>(run.threads));
}

} // namespace hotspot::app
