#include "density.hpp"

#include "hotspot/engine/bandwidth.hpp"
#include "hotspot/engine/error.hpp"
#include "hotspot/engine/text.hpp"
#include "hotspot/io/geotiff.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace hotspot::app
{

namespace
{
// Beyond these a run is almost certainly a typo (kilometres given as metres, degrees as metres).
constexpr double max_bandwidth_m = 500'000.0;
constexpr double max_radius_in_cells = 2'000.0;
// Rows a surface too large for memory is computed and written at a time: whole 512-cell GeoTIFF
// blocks, so that each strip completes the blocks it touches.
constexpr std::int64_t stream_rows = 512;

// The default extent covers the offences, but a few records geocoded far away (police.uk places
// some offences of a force in other cities) can stretch it to most of the country. Say so.
void warn_if_stretched(const engine::Incidents& inc, const engine::Box2& box, Reporter& reporter)
{
    if (inc.size() < 100)
        return;
    // A strided sample of at most a million stands for the whole (and copies little).
    const std::size_t stride = std::max<std::size_t>(1, inc.size() / 1'000'000);
    std::vector<double> xs, ys;
    for (std::size_t i = 0; i < inc.size(); i += stride)
    {
        xs.push_back(inc.x[i]);
        ys.push_back(inc.y[i]);
    }
    const auto at = [](std::vector<double>& v, double q)
    {
        const auto k =
            v.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
        std::nth_element(v.begin(), k, v.end());
        return *k;
    };
    const engine::Box2 core{at(xs, 0.01), at(ys, 0.01), at(xs, 0.99), at(ys, 0.99)};
    const double core_area = std::max(core.width(), 1.0) * std::max(core.height(), 1.0);
    if (box.width() * box.height() <= 4.0 * core_area)
        return;
    std::size_t far = 0;
    const engine::Box2 generous = core.grown(0.5 * std::max(core.width(), core.height()));
    for (std::size_t i = 0; i < inc.size(); ++i)
        if (inc.x[i] < generous.xmin || inc.x[i] > generous.xmax || inc.y[i] < generous.ymin ||
            inc.y[i] > generous.ymax)
            ++far;
    reporter.warn(
        std::to_string(far) + " offences lie far from the rest and stretch the grid to " +
        fixed(box.width() / 1000.0, 0) + " x " + fixed(box.height() / 1000.0, 0) +
        " km; give --extent or --boundaries with --area to focus on the area of interest");
}

void check_reach(double radius_m, double cell_m)
{
    if (radius_m / cell_m > max_radius_in_cells)
        throw Error(
            Errc::Usage,
            "a search radius of " + fixed(radius_m, 1) + " m over cells of " + fixed(cell_m, 3) +
                " m is absurd: each offence would reach over 12 million cells; use a larger "
                "--cell or a smaller --bandwidth");
}

engine::Kernel kernel_of(const DensitySpec& spec)
{
    const auto kernel = engine::parse_kernel(spec.kernel);
    if (!kernel)
        throw Error(Errc::Usage, "--kernel '" + spec.kernel +
                                     "' is not a kernel; kernels are quartic, epanechnikov, "
                                     "triweight, triangular, uniform, gaussian");
    return *kernel;
}

engine::DensityUnits units_of(const DensitySpec& spec)
{
    const auto units = engine::parse_units(spec.units);
    if (!units)
        throw Error(Errc::Usage,
                    "--units '" + spec.units + "' is not a unit; units are per-km2, per-m2, count");
    return *units;
}

void check_bandwidth(double bandwidth_m)
{
    require_positive(bandwidth_m, "--bandwidth");
    if (bandwidth_m > max_bandwidth_m)
        throw Error(Errc::Usage, "--bandwidth " + fixed(bandwidth_m, 0) +
                                     " m is absurd (over 500 km); the bandwidth is in metres");
}
} // namespace

std::string source_names(const std::vector<std::string>& paths)
{
    std::vector<std::string> names;
    for (const auto& p : paths)
        names.push_back(std::filesystem::path(p).filename().string());
    return engine::join(names, "; ");
}

std::string fixed(double value, int decimals)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

void add_density_options(CLI::App& cmd, DensitySpec& s)
{
    cmd.add_option("--kernel", s.kernel,
                   "quartic (default), epanechnikov, triweight, triangular, uniform, gaussian")
        ->group("Density");
    cmd.add_option("--bandwidth", s.bandwidth_m,
                   "Search radius in metres (Gaussian: sigma). Default: the ArcGIS rule on the "
                   "offences (in --area, when given), printed with the run")
        ->group("Density");
    cmd.add_option("--units", s.units,
                   "per-km2 (default), per-m2, or count (expected offences per cell)")
        ->group("Density");
    cmd.add_option("--cell", s.cell_m,
                   "Cell size in metres (default: shorter side of the extent / 250, rounded to "
                   "1, 2, 2.5 or 5 times a power of ten)")
        ->group("Grid");
    cmd.add_option("--extent", s.extent,
                   "Grid extent xmin,ymin,xmax,ymax in the target CRS, metres")
        ->group("Grid");
    cmd.add_option(
           "--boundaries", s.boundaries,
           "Boundary polygons (any GDAL vector source; repeatable) where --area is looked up")
        ->group("Grid");
    cmd.add_option("--boundaries-layer", s.boundaries_layer, "Layer of the boundary source")
        ->group("Grid");
    cmd.add_option("--area", s.area,
                   "Name or code of the boundary polygon(s) to cover, e.g. Maidstone; cells "
                   "outside are nodata")
        ->group("Grid");
}

void check_density_spec(const DensitySpec& s)
{
    kernel_of(s);
    units_of(s);
    if (s.bandwidth_m)
        check_bandwidth(*s.bandwidth_m);
    if (s.cell_m)
        require_positive(*s.cell_m, "--cell");
    if (!s.extent.empty())
        parse_extent(s.extent);
    if (!s.area.empty() && s.boundaries.empty())
        throw Error(Errc::Usage, "--area needs --boundaries, the layer to find it in");
    if (!s.area.empty() && !s.extent.empty())
        throw Error(Errc::Usage, "give --extent or --area, not both");
}

Density compute_density(const DensitySpec& s, const engine::Incidents& inc, const io::Crs& crs,
                        const RunOptions& run, Reporter& reporter,
                        const std::optional<engine::GridSpec>& grid_like,
                        std::optional<double> bandwidth_m, bool float64_output,
                        const SurfaceStream* stream)
{
    Density d;
    std::optional<engine::Box2> extent;
    if (!s.extent.empty())
        extent = parse_extent(s.extent);
    for (const auto& path : s.boundaries)
    {
        d.boundary_layers.push_back(load_areas(run, path, s.boundaries_layer, crs));
        for (const auto& w : d.boundary_layers.back()->warnings)
            reporter.warn(w);
    }
    if (!s.area.empty())
    {
        // The first layer that has the area; if none has it, the first layer's error names the
        // nearest.
        for (std::size_t l = d.boundary_layers.size(); l-- > 0;)
            try
            {
                d.area_features = io::find_area(*d.boundary_layers[l], s.area);
                d.area_layer = l;
            }
            catch (const Error&)
            {
                if (l == 0 && d.area_features.empty())
                    throw;
            }
        engine::Box2 box;
        for (const auto i : d.area_features)
            box.expand(engine::bounds(d.boundary_layers[d.area_layer]->features[i].shape));
        extent = box;
    }

    d.options = {.kernel = kernel_of(s), .bandwidth_m = 0.0, .units = units_of(s)};
    d.bandwidth_note = "given";
    if (bandwidth_m)
        check_bandwidth(*bandwidth_m);
    if (bandwidth_m || s.bandwidth_m)
        d.options.bandwidth_m = bandwidth_m ? *bandwidth_m : *s.bandwidth_m;
    else
    {
        // With --area, the rule looks at the offences in the area, not at the whole file: a
        // borough's bandwidth should not follow the spread of the force.
        engine::Incidents in_area;
        if (!d.area_features.empty())
        {
            const auto& layer = *d.boundary_layers[d.area_layer];
            std::vector<std::pair<const engine::MultiPolygon*, engine::Box2>> shapes;
            for (const auto i : d.area_features)
                shapes.emplace_back(&layer.features[i].shape,
                                    engine::bounds(layer.features[i].shape));
            for (std::size_t i = 0; i < inc.size(); ++i)
                for (const auto& [shape, box] : shapes)
                    if (inc.x[i] >= box.xmin && inc.x[i] <= box.xmax && inc.y[i] >= box.ymin &&
                        inc.y[i] <= box.ymax && engine::contains(*shape, {inc.x[i], inc.y[i]}))
                    {
                        in_area.add_from(inc, i);
                        break;
                    }
            if (in_area.size() == 0)
                throw Error(Errc::BadData, "no offence lies in --area " + s.area +
                                               ", so no bandwidth can be derived from them; "
                                               "give --bandwidth");
        }
        const engine::BandwidthRule rule =
            engine::default_bandwidth(d.area_features.empty() ? inc : in_area);
        if (!(rule.bandwidth_m > 0))
            throw Error(
                Errc::Usage,
                "cannot derive a bandwidth: every offence lies on one point; give --bandwidth");
        d.options.bandwidth_m = rule.bandwidth_m;
        d.bandwidth_note = "ArcGIS rule: SD " + fixed(rule.standard_distance_m, 1) + " m, Dm " +
                           fixed(rule.median_distance_m, 1) + " m, n " + fixed(rule.n, 0) +
                           (d.area_features.empty() ? "" : " (offences in " + s.area + ")");
    }
    const double radius = engine::kernel_support_radius(d.options.kernel, d.options.bandwidth_m);

    engine::GridSpec grid;
    if (grid_like)
        grid = *grid_like;
    else
    {
        const bool default_extent = !extent;
        if (default_extent)
        {
            engine::Box2 box;
            for (std::size_t i = 0; i < inc.size(); ++i)
                box.expand(inc.x[i], inc.y[i]);
            extent = box.grown(radius);
        }
        const double cell = s.cell_m ? *s.cell_m : engine::default_cell_size(*extent);
        if (!(cell > 0))
            throw Error(Errc::Usage, "cannot derive a cell size from an empty extent; give --cell");
        check_reach(radius, cell);
        const engine::Box2 grid_box =
            (default_extent || !s.area.empty()) ? engine::snap_outward(*extent, cell) : *extent;
        if (default_extent)
            warn_if_stretched(inc, grid_box, reporter);
        // Refuse a run that would not fit before allocating it: the double surface, the samples
        // staged for GDAL and the mask, beside the offences held and their copy for the kernel.
        const double cols = std::ceil(grid_box.width() / cell),
                     rows = std::ceil(grid_box.height() / cell);
        const double grid_bytes = cols * rows * (8.0 + (float64_output ? 8.0 : 4.0) + 1.0);
        const double offence_bytes = static_cast<double>(inc.size()) * (32.0 + 32.0);
        // Streamed: a strip of rows computed, masked and staged for GDAL, and GDAL's block cache.
        const double stream_bytes = static_cast<double>(stream_rows) * cols * (8.0 + 8.0 + 1.0) +
                                    static_cast<double>(io::strip_writer_cache_bytes);
        const double limit = memory_limit_bytes(run);
        d.streamed =
            stream && grid_bytes + offence_bytes > limit && stream_bytes + offence_bytes <= limit;
        if ((grid_bytes + offence_bytes > limit && !d.streamed) || cols > 2e9 || rows > 2e9)
            throw Error(Errc::Usage,
                        "the grid of " + fixed(cols, 0) + " x " + fixed(rows, 0) + " cells of " +
                            fixed(cell, 3) + " m needs about " +
                            human_bytes(stream ? stream_bytes : grid_bytes) +
                            (stream ? " even a strip at a time" : "") + " and the " +
                            std::to_string(inc.size()) + " offences " + human_bytes(offence_bytes) +
                            ", over the limit of " + human_bytes(limit) +
                            (run.memory_limit.empty() ? " (80% of this machine's memory)"
                                                      : " (--memory-limit)") +
                            "; use a larger --cell, a smaller extent, or --memory-limit");
        grid = engine::grid_for_extent(grid_box, cell);
    }
    check_reach(radius, grid.cell_m);

    reporter.info("kernel     " + std::string(engine::to_string(d.options.kernel)) +
                  ", bandwidth " + fixed(d.options.bandwidth_m, 1) + " m (" + d.bandwidth_note +
                  ")");
    reporter.info("grid       " + std::to_string(grid.cols) + " x " + std::to_string(grid.rows) +
                  " cells of " + fixed(grid.cell_m, 3) + " m, origin " + fixed(grid.origin_x, 3) +
                  ", " + fixed(grid.origin_y, 3));

    std::vector<const engine::MultiPolygon*> shapes;
    for (const auto i : d.area_features)
        shapes.push_back(&d.boundary_layers[d.area_layer]->features[i].shape);
    const auto summarise = [&](const std::vector<double>& values)
    {
        for (const double v : values)
            if (v != nodata_value)
            {
                d.peak = std::max(d.peak, v);
                ++d.cells_with_data;
            }
    };
    if (d.streamed)
    {
        reporter.info("memory     the grid does not fit in --memory-limit at once: computed and "
                      "written " +
                      std::to_string(stream_rows) + " rows at a time");
        d.surface.grid = grid;
        stream->begin(grid);
        std::vector<double> masked;
        engine::estimate_kde_strips(
            inc, grid, d.options, stream_rows,
            [&](std::int64_t first, std::int64_t count, const std::vector<double>& values)
            {
                masked = values;
                if (!shapes.empty())
                {
                    const auto mask = engine::rasterize_mask_rows(shapes, grid, first, count);
                    for (std::size_t k = 0; k < masked.size(); ++k)
                        if (!mask[k])
                            masked[k] = nodata_value;
                }
                summarise(masked);
                stream->rows(first, count, masked);
            },
            engine::RunContext{reporter.progress("density")});
        reporter.done();
    }
    else
    {
        d.surface = engine::estimate_kde(inc, grid, d.options,
                                         engine::RunContext{reporter.progress("density")});
        reporter.done();
        if (!shapes.empty())
        {
            d.mask = engine::rasterize_mask(shapes, grid);
            for (std::size_t k = 0; k < d.surface.values.size(); ++k)
                if (!d.mask->values[k])
                    d.surface.values[k] = nodata_value;
        }
        summarise(d.surface.values);
    }
    const auto months = engine::month_range(inc.month);
    d.period = months.last == engine::no_month
                   ? ""
                   : io::format_month(months.first) + ".." + io::format_month(months.last);
    return d;
}

std::vector<std::pair<std::string, std::string>> density_metadata(const DensitySpec& s,
                                                                  const Density& d,
                                                                  const OffenceInput& input,
                                                                  const engine::Incidents& inc)
{
    std::vector<std::pair<std::string, std::string>> tags{
        {"HOTSPOT_VERSION", HOTSPOT_VERSION_STRING},
        {"HOTSPOT_KERNEL", std::string(engine::to_string(d.options.kernel))},
        {"HOTSPOT_BANDWIDTH_M", fixed(d.options.bandwidth_m, 6)},
        {"HOTSPOT_BANDWIDTH_SOURCE", d.bandwidth_note},
        {"HOTSPOT_UNITS", std::string(engine::to_string(d.options.units))},
        {"HOTSPOT_CELL_M", fixed(d.surface.grid.cell_m, 6)},
        {"HOTSPOT_OFFENCES_USED", std::to_string(inc.size())},
        {"HOTSPOT_WEIGHT_TOTAL", fixed(inc.total_weight(), 6)},
        {"HOTSPOT_SOURCE", source_names(input.source.paths)},
        {"HOTSPOT_CRIME_TYPES",
         input.crime_types.empty() ? "all" : engine::join(input.crime_types, "; ")},
        {"HOTSPOT_PERIOD", d.period},
        {"HOTSPOT_FILTER_FROM", input.from},
        {"HOTSPOT_FILTER_TO", input.to},
        {"HOTSPOT_WEIGHT_FIELD", input.source.weight_field},
        {"HOTSPOT_AREA", s.area}};
    std::erase_if(tags, [](const auto& item) { return item.second.empty(); });
    return tags;
}

} // namespace hotspot::app
