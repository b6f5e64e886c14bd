#include "kde_command.hpp"

#include "hotspot/engine/bandwidth.hpp"
#include "hotspot/engine/error.hpp"
#include "hotspot/engine/text.hpp"
#include "hotspot/io/areas.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/geotiff.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace hotspot::app
{

namespace
{
constexpr double nodata_value = -9999.0;
// Beyond these a run is almost certainly a typo (kilometres given as metres, degrees as metres).
constexpr double max_bandwidth_m = 500'000.0;
constexpr double max_radius_in_cells = 2'000.0;

std::string fixed(double value, int decimals)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
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
    return fixed(bytes, 1) + " " + units[u];
}

double physical_memory_bytes()
{
    return static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGE_SIZE));
}

// The default extent covers the offences, but a few records geocoded far away (police.uk places
// some offences of a force in other cities) can stretch it to most of the country. Say so.
void warn_if_stretched(const engine::Incidents& inc, const engine::Box2& box, Reporter& reporter)
{
    if (inc.size() < 100)
        return;
    const auto percentile_box = [&](double low, double high) {
        std::vector<double> xs(inc.x), ys(inc.y);
        const auto at = [](std::vector<double>& v, double q) {
            const auto k = v.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
            std::nth_element(v.begin(), k, v.end());
            return *k;
        };
        return engine::Box2{at(xs, low), at(ys, low), at(xs, high), at(ys, high)};
    };
    const engine::Box2 core = percentile_box(0.01, 0.99);
    const double core_area = std::max(core.width(), 1.0) * std::max(core.height(), 1.0);
    if (box.width() * box.height() > 4.0 * core_area)
    {
        std::size_t far = 0;
        const engine::Box2 generous = core.grown(0.5 * std::max(core.width(), core.height()));
        for (std::size_t i = 0; i < inc.size(); ++i)
            if (inc.x[i] < generous.xmin || inc.x[i] > generous.xmax || inc.y[i] < generous.ymin || inc.y[i] > generous.ymax)
                ++far;
        reporter.warn(std::to_string(far) + " offences lie far from the rest and stretch the grid to " +
                      fixed(box.width() / 1000.0, 0) + " x " + fixed(box.height() / 1000.0, 0) +
                      " km; give --extent or --boundaries with --area to focus on the area of interest");
    }
}
} // namespace

CLI::App* add_kde_command(CLI::App& app, KdeRequest& r)
{
    CLI::App* cmd = app.add_subcommand("kde", "Kernel density surface of offences, written as a GeoTIFF");
    add_offence_options(*cmd, r.input);
    cmd->add_option("--kernel", r.kernel, "quartic (default), epanechnikov, triweight, triangular, uniform, gaussian")
        ->group("Density");
    cmd->add_option("--bandwidth", r.bandwidth_m,
                    "Search radius in metres (Gaussian: sigma). Default: the ArcGIS rule, printed with the run")
        ->group("Density");
    cmd->add_option("--units", r.units, "per-km2 (default), per-m2, or count (expected offences per cell)")
        ->group("Density");
    cmd->add_option("--cell", r.cell_m, "Cell size in metres (default: shorter side of the extent / 250)")
        ->group("Grid");
    cmd->add_option("--extent", r.extent, "Grid extent xmin,ymin,xmax,ymax in the target CRS, metres")->group("Grid");
    cmd->add_option("--boundaries", r.boundaries_path, "Boundary polygons (any GDAL vector source) for --area")
        ->group("Grid");
    cmd->add_option("--boundaries-layer", r.boundaries_layer, "Layer of the boundary source")->group("Grid");
    cmd->add_option("--area", r.area,
                    "Name or code of the boundary polygon(s) to cover, e.g. Maidstone; cells outside are nodata")
        ->group("Grid");
    cmd->add_option("--out", r.out_path, "Output GeoTIFF (Cloud Optimized, Float32)")->required()->group("Output");
    cmd->add_flag("--float64", r.float64, "Write Float64 samples instead of Float32")->group("Output");
    add_run_options(*cmd, r.run);
    cmd->footer("Example:\n  hotspot kde --offences data/police_uk/2019-09-kent-street.csv --boundaries "
                "data/boundaries/kent_districts_2013.geojson --area Maidstone --bandwidth 300 --cell 25 --out "
                "maidstone.tif\nRun 'hotspot help' for units, bandwidth and grid conventions.");
    return cmd;
}

nlohmann::json run_kde(const KdeRequest& r, Reporter& reporter)
{
    const auto started = std::chrono::steady_clock::now();
    // Refuse bad options and unwritable outputs before reading anything.
    const auto kernel = engine::parse_kernel(r.kernel);
    if (!kernel)
        throw Error(Errc::Usage, "--kernel '" + r.kernel + "' is not a kernel; kernels are quartic, epanechnikov, "
                                 "triweight, triangular, uniform, gaussian");
    const auto units = engine::parse_units(r.units);
    if (!units)
        throw Error(Errc::Usage, "--units '" + r.units + "' is not a unit; units are per-km2, per-m2, count");
    if (r.bandwidth_m)
    {
        require_positive(*r.bandwidth_m, "--bandwidth");
        if (*r.bandwidth_m > max_bandwidth_m)
            throw Error(Errc::Usage, "--bandwidth " + fixed(*r.bandwidth_m, 0) + " m is absurd (over 500 km); "
                                     "the bandwidth is in metres");
    }
    if (r.cell_m)
        require_positive(*r.cell_m, "--cell");
    std::optional<engine::Box2> extent;
    if (!r.extent.empty())
        extent = parse_extent(r.extent);
    if (!r.area.empty() && r.boundaries_path.empty())
        throw Error(Errc::Usage, "--area needs --boundaries, the layer to find it in");
    if (!r.area.empty() && extent)
        throw Error(Errc::Usage, "give --extent or --area, not both");
    const auto filter = make_filter(r.input);
    io::check_output_path(r.out_path, r.run.overwrite);
    for (const auto* path : {&r.input.rejects_path, &r.run.summary_json_path})
        if (!path->empty())
            io::check_output_path(*path, r.run.overwrite);

    io::OffenceTable table = load_offences(r.input, r.run, reporter);
    const engine::Incidents& inc = table.incidents;

    // The area mask, when an area is named.
    std::vector<std::size_t> area_features;
    io::AreaLayer areas;
    if (!r.area.empty())
    {
        areas = io::read_areas(r.boundaries_path, r.boundaries_layer, table.target_crs);
        for (const auto& w : areas.warnings)
            reporter.warn(w);
        area_features = io::find_area(areas, r.area);
        engine::Box2 box;
        for (const auto i : area_features)
            box.expand(engine::bounds(areas.features[i].shape));
        extent = box;
    }

    engine::KdeOptions options{.kernel = *kernel, .bandwidth_m = 0.0, .units = *units};
    std::string bandwidth_note = "given";
    if (r.bandwidth_m)
        options.bandwidth_m = *r.bandwidth_m;
    else
    {
        const engine::BandwidthRule rule = engine::default_bandwidth(inc);
        if (!(rule.bandwidth_m > 0))
            throw Error(Errc::Usage, "cannot derive a bandwidth: every offence lies on one point; give --bandwidth");
        options.bandwidth_m = rule.bandwidth_m;
        bandwidth_note = "ArcGIS rule: SD " + fixed(rule.standard_distance_m, 1) + " m, Dm " +
                         fixed(rule.median_distance_m, 1) + " m, n " + fixed(rule.n, 0);
    }
    const double radius = engine::kernel_support_radius(options.kernel, options.bandwidth_m);

    const bool default_extent = !extent;
    if (default_extent)
    {
        engine::Box2 box;
        for (std::size_t i = 0; i < inc.size(); ++i)
            box.expand(inc.x[i], inc.y[i]);
        extent = box.grown(radius);
    }
    const double cell = r.cell_m ? *r.cell_m : engine::default_cell_size(*extent);
    if (!(cell > 0))
        throw Error(Errc::Usage, "cannot derive a cell size from an empty extent; give --cell");
    if (radius / cell > max_radius_in_cells)
        throw Error(Errc::Usage, "a search radius of " + fixed(radius, 1) + " m over cells of " + fixed(cell, 3) +
                                     " m is absurd: each offence would reach over 12 million cells; use a larger "
                                     "--cell or a smaller --bandwidth");
    const engine::Box2 grid_box = (default_extent || !r.area.empty()) ? engine::snap_outward(*extent, cell) : *extent;
    if (default_extent)
        warn_if_stretched(inc, grid_box, reporter);

    // Refuse a grid that would not fit before allocating it: the double surface, the samples staged
    // for GDAL and the mask.
    const double cols = std::ceil(grid_box.width() / cell), rows = std::ceil(grid_box.height() / cell);
    const double bytes_needed = cols * rows * (8.0 + (r.float64 ? 8.0 : 4.0) + 1.0);
    if (bytes_needed > 0.8 * physical_memory_bytes() || cols > 2e9 || rows > 2e9)
        throw Error(Errc::Usage, "the grid of " + fixed(cols, 0) + " x " + fixed(rows, 0) + " cells of " +
                                     fixed(cell, 3) + " m would need " + human_bytes(bytes_needed) +
                                     " of memory, more than this machine has (" +
                                     human_bytes(physical_memory_bytes()) + "); use a larger --cell or a smaller extent");
    const engine::GridSpec grid = engine::grid_for_extent(grid_box, cell);

    reporter.info("kernel     " + std::string(engine::to_string(options.kernel)) + ", bandwidth " +
                  fixed(options.bandwidth_m, 1) + " m (" + bandwidth_note + ")");
    reporter.info("grid       " + std::to_string(grid.cols) + " x " + std::to_string(grid.rows) + " cells of " +
                  fixed(cell, 3) + " m, origin " + fixed(grid.origin_x, 3) + ", " + fixed(grid.origin_y, 3));

    engine::RunContext context{reporter.progress("density")};
    engine::Raster<double> surface = engine::estimate_kde(inc, grid, options, context);
    reporter.done();

    if (!area_features.empty())
    {
        std::vector<const engine::MultiPolygon*> shapes;
        for (const auto i : area_features)
            shapes.push_back(&areas.features[i].shape);
        const auto mask = engine::rasterize_mask(shapes, grid);
        for (std::size_t k = 0; k < surface.values.size(); ++k)
            if (!mask.values[k])
                surface.values[k] = nodata_value;
    }

    double peak = 0.0, total = 0.0;
    std::int64_t cells_with_data = 0;
    for (const double v : surface.values)
        if (v != nodata_value)
        {
            peak = std::max(peak, v);
            total += v;
            ++cells_with_data;
        }

    engine::MonthIndex first = std::numeric_limits<engine::MonthIndex>::max(), last = engine::no_month;
    for (const auto m : inc.month)
        if (m != engine::no_month)
        {
            first = std::min(first, m);
            last = std::max(last, m);
        }
    const std::string period = last == engine::no_month ? "" : io::format_month(first) + ".." + io::format_month(last);
    const std::string crime_types = r.input.crime_types.empty() ? "all" : engine::join(r.input.crime_types, "; ");

    io::GeoTiffOptions tiff;
    tiff.float64 = r.float64;
    tiff.nodata = nodata_value;
    tiff.overwrite = r.run.overwrite;
    tiff.description = "kernel density of offences";
    tiff.unit = std::string(engine::unit_label(options.units));
    tiff.metadata = {{"HOTSPOT_VERSION", HOTSPOT_VERSION_STRING},
                     {"HOTSPOT_KERNEL", std::string(engine::to_string(options.kernel))},
                     {"HOTSPOT_BANDWIDTH_M", fixed(options.bandwidth_m, 6)},
                     {"HOTSPOT_BANDWIDTH_SOURCE", bandwidth_note},
                     {"HOTSPOT_UNITS", std::string(engine::to_string(options.units))},
                     {"HOTSPOT_CELL_M", fixed(cell, 6)},
                     {"HOTSPOT_OFFENCES_USED", std::to_string(inc.size())},
                     {"HOTSPOT_WEIGHT_TOTAL", fixed(inc.total_weight(), 6)},
                     {"HOTSPOT_SOURCE", std::filesystem::path(r.input.source.path).filename().string()},
                     {"HOTSPOT_CRIME_TYPES", crime_types},
                     {"HOTSPOT_PERIOD", period},
                     {"HOTSPOT_FILTER_FROM", r.input.from},
                     {"HOTSPOT_FILTER_TO", r.input.to},
                     {"HOTSPOT_WEIGHT_FIELD", r.input.source.weight_field},
                     {"HOTSPOT_AREA", r.area}};
    std::erase_if(tiff.metadata, [](const auto& item) { return item.second.empty(); });
    io::write_geotiff(r.out_path, surface, table.target_crs, tiff);

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    reporter.info("surface    peak " + fixed(peak, 3) + " " + tiff.unit + ", " + std::to_string(cells_with_data) +
                  " cells with data");
    reporter.info("wrote      " + r.out_path + " (" + fixed(seconds, 2) + " s)");

    nlohmann::json summary = {
        {"command", "kde"},
        {"version", HOTSPOT_VERSION_STRING},
        {"offences", offences_json(table)},
        {"target_crs", table.target_crs.label()},
        {"kernel", std::string(engine::to_string(options.kernel))},
        {"bandwidth_m", options.bandwidth_m},
        {"bandwidth_source", bandwidth_note},
        {"units", std::string(engine::to_string(options.units))},
        {"cell_m", cell},
        {"grid", {{"cols", grid.cols}, {"rows", grid.rows}, {"origin_x", grid.origin_x}, {"origin_y", grid.origin_y}}},
        {"crime_types", crime_types},
        {"period", period},
        {"area", r.area},
        {"peak", peak},
        {"cells_with_data", cells_with_data},
        {"output", r.out_path},
        {"seconds", seconds}};
    if (!r.run.summary_json_path.empty())
        io::write_text_file(r.run.summary_json_path, summary.dump(2) + "\n", r.run.overwrite);
    return summary;
}

} // namespace hotspot::app
