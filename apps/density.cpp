#include "density.hpp"
#include "option_kinds.hpp"

#include "hotspot/distributed/packet.hpp"
#include "hotspot/distributed/tile_strips.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/density/bandwidth.hpp"
#include "hotspot/engine/hotspots/stacks.hpp"
#include "hotspot/io/geotiff.hpp"
#include "hotspot/io/harm.hpp"
#include "hotspot/io/postgis.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numbers>

namespace hotspot::app
{

namespace
{
// Beyond this a run is almost certainly a typo (kilometres given as metres, degrees as metres).
constexpr double max_bandwidth_m = 500'000.0;
// Rows a surface too large for memory is computed and written at a time: whole 512-cell GeoTIFF
// blocks, so that each strip completes the blocks it touches.
constexpr std::int64_t stream_rows = 512;
// kde streams a grid that would take more than this held whole, even when it fits: strips were
// measured faster from 331 MB held whole (0.86x the time), 650 MB (0.64x) and 1.85 GB (0.39x),
// in a fraction of the memory (benchmarks/README.md).
constexpr std::size_t stream_above_bytes = std::size_t{512} << 20;

// The default extent covers the offences, but a few records geocoded far away (police.uk places
// some offences of a force in other cities) can stretch it to most of the country. Say so.
void warn_if_stretched(const engine::Incidents& inc, const engine::Box2& box, Reporter& reporter)
{
    if (const auto far = engine::stretching_offences(inc, box))
        reporter.warn(std::to_string(*far) +
                      " offences lie far from the rest and stretch the grid to " +
                      fixed(box.width() / 1000.0, 0) + " x " + fixed(box.height() / 1000.0, 0) +
                      " km; give --extent or --boundaries with --area to focus on the area of "
                      "interest");
}

engine::Kernel kernel_of(const DensitySpec& spec)
{
    return named_value(engine::kernel_names, spec.kernel, "--kernel", "a kernel");
}

void check_bandwidth(double bandwidth_m, const std::string& option = "--bandwidth")
{
    require_positive(bandwidth_m, option);
    if (bandwidth_m > max_bandwidth_m)
        throw Error(Errc::Usage, option + " " + fixed(bandwidth_m, 0) +
                                     " m is absurd (over 500 km); the bandwidth is in metres");
}

// --bandwidth and --pilot-bandwidth: metres, or the name of a selector.
using engine::BandwidthChoice;

BandwidthChoice parse_bandwidth(const std::string& text, const std::string& option)
{
    BandwidthChoice choice;
    if (text.empty())
        return choice;
    if (const auto selector = engine::parse_named(engine::selector_names, text))
    {
        choice.selector = *selector;
        return choice;
    }
    const auto metres = parse_length_m(text);
    if (!metres)
        throw Error(Errc::Usage, option + " '" + text +
                                     "' is neither a length (300, 300m, 1.5km, 1000ft) nor a "
                                     "selector; selectors are " +
                                     engine::join(engine::names_of(engine::selector_names)));
    check_bandwidth(*metres, option);
    choice.metres = *metres;
    return choice;
}

using Edge = engine::EdgeCorrection;

// Disclosure control: marks the cells of the surface within the kernel's reach of fewer than
// `min_count` offences (Density::sparse). The analysis keeps every cell; what is published not.
void mark_sparse_cells(const engine::Incidents& offences, Density& d, int min_count,
                       Reporter& reporter)
{
    auto sparse = engine::sparse_cells(offences, d.surface, nodata_value, d.options, min_count);
    d.sparse = std::move(sparse.mask);
    d.suppressed_cells = sparse.count;
    reporter.info("disclosure " + std::to_string(d.suppressed_cells) + " cells within reach of " +
                  "fewer than " + std::to_string(min_count) +
                  " offences withheld from the published surface (nodata)");
}

} // namespace

engine::DensityUnits units_of(const DensitySpec& spec)
{
    return named_value(engine::density_unit_names, spec.units, "--units", "a unit");
}

engine::EdgeCorrection edge_of(const DensitySpec& spec)
{
    return named_value(engine::edge_correction_names, spec.edge_correction, "--edge-correction",
                       "a correction");
}

void add_density_options(CLI::App& cmd, DensitySpec& s)
{
    cmd.add_option("--kernel", s.kernel,
                   "quartic (default), epanechnikov, triweight, triangular, uniform, gaussian")
        ->transform(choice(engine::kernel_names))
        ->group("Density");
    // compare's kernel is the Gaussian unless asked: there the bandwidth is a sigma.
    const std::string meaning =
        engine::same_text(s.kernel, "gaussian")
            ? "Gaussian sigma in metres (this command's default kernel: 95% of an offence's "
              "weight lies within 2.45 sigma; with a compact --kernel, its search radius)"
            : "Search radius in metres (with --kernel gaussian, its sigma: 95% of an offence's "
              "weight lies within 2.45 sigma)";
    cmd.add_option("--bandwidth", s.bandwidth,
                   meaning +
                       ", or a selector: arcgis (the "
                       "default: ArcGIS's rule), scott, ppl (likelihood cross-validation), diggle "
                       "(mean-square-error cross-validation), cvl (Cronie-van Lieshout). Selectors "
                       "use the offences in the study area and choose the Gaussian sigma as "
                       "spatstat's bw.* do; a compact kernel gets the radius of the same standard "
                       "deviation (quartic: 2.83 sigma). Printed and tagged with the run")
        ->transform(length_unit())
        ->group("Density");
    cmd.add_option("--edge-correction", s.edge_correction,
                   "none (default, as ArcGIS and QGIS), uniform or diggle (as spatstat). Needs "
                   "--area or --extent: the surface then counts only offences inside it and "
                   "makes up for the kernel mass that falls outside. Choose uniform for a map "
                   "of the intensity near a coast or force border, diggle when the totals by "
                   "area must add up to the offences; keep none where offences beyond the "
                   "border exist but were not loaded")
        ->transform(choice(engine::edge_correction_names))
        ->group("Density");
    cmd.add_flag("--adaptive", s.adaptive,
                 "Adaptive bandwidth (Abramson's square-root law, as sparr): narrower where "
                 "offences are dense, wider where sparse; the bandwidth is the geometric mean")
        ->group("Density");
    cmd.add_option("--pilot-bandwidth", s.pilot_bandwidth,
                   "With --adaptive: bandwidth of the pilot density, metres or a selector "
                   "(default: the bandwidth)")
        ->transform(length_unit())
        ->group("Density");
    cmd.add_option("--trim", s.trim,
                   "With --adaptive: no offence's bandwidth exceeds trim times the bandwidth "
                   "(default 5, as sparr)")
        ->group("Density");
    cmd.add_option("--min-count", s.min_count,
                   "Disclosure control for published maps: cells within the kernel's reach of "
                   "fewer than K offences become nodata (hotspots: hotspots of fewer than K are "
                   "dropped). The rule is tagged in the output. Suppression hides sparse cells; it "
                   "does not anonymise the rest: a surface with a known kernel and bandwidth can "
                   "be deconvolved back towards the points (Wang et al. 2019, IJGI 8(12):544), so "
                   "publish with a wide bandwidth and leave its tag out where that matters")
        ->group("Disclosure");
    cmd.add_option("--publish", s.publish, publish_help(true))->group("Disclosure");
    cmd.add_option("--spread-stacked", s.spread_stacked_m,
                   "Spread the records stacked on one coordinate (police.uk snap points) evenly "
                   "over a disc of this radius, metres, instead of one spike; see snap-points")
        ->transform(length_unit())
        ->group("Disclosure");
    cmd.add_option("--units", s.units,
                   "per-km2 (default), per-m2, or count (expected offences per cell)")
        ->transform(choice(engine::density_unit_names))
        ->group("Density");
    cmd.add_option("--cell", s.cell_m,
                   "Cell size in metres (default: shorter side of the extent / 250, rounded to "
                   "1, 2, 2.5 or 5 times a power of ten)")
        ->transform(length_unit())
        ->group("Grid");
    cmd.add_option("--extent", s.extent,
                   "Grid extent xmin,ymin,xmax,ymax in the target CRS, metres")
        ->check(extent_value())
        ->group("Grid");
    cmd.add_option(
           "--boundaries", s.boundaries,
           "Boundary polygons (any GDAL vector source; repeatable) where --area is looked up")
        ->check(layer_input("polygon"))
        ->group("Grid");
    cmd.add_option("--boundaries-layer", s.boundaries_layer, "Layer of the boundary source")
        ->group("Grid");
    cmd.add_option("--area", s.area,
                   "Name or code of the boundary polygon(s) to cover, e.g. Maidstone, or '*' for "
                   "every feature of the layer; cells outside are nodata")
        ->group("Grid");
}

void check_density_spec(const DensitySpec& s)
{
    kernel_of(s);
    units_of(s);
    parse_bandwidth(s.bandwidth, "--bandwidth");
    parse_bandwidth(s.pilot_bandwidth, "--pilot-bandwidth");
    const Edge edge = edge_of(s);
    if (edge != Edge::None && s.area.empty() && s.extent.empty())
        throw Error(Errc::Usage, "--edge-correction needs a study area: give --area (with "
                                 "--boundaries) or --extent");
    if (s.adaptive && edge == Edge::Uniform)
        throw Error(Errc::Usage, "--adaptive with --edge-correction uniform is not supported: "
                                 "use diggle, which corrects each offence by its own bandwidth");
    if (!s.adaptive && !s.pilot_bandwidth.empty())
        throw Error(Errc::Usage, "--pilot-bandwidth needs --adaptive");
    if (!(s.trim >= 1))
        throw Error(Errc::Usage, "--trim must be at least 1");
    if (s.spread_stacked_m < 0)
        throw Error(Errc::Usage, "--spread-stacked is a radius in metres, 0 or more");
    min_count_of(s); // refuses a negative --min-count, or one under the --publish preset's
    if (const PublishPreset* preset = find_publish_preset(s.publish))
    {
        if (s.adaptive)
            throw Error(Errc::Usage, "--publish is refused with --adaptive: adaptive bandwidths "
                                     "shrink where offences are densest, the cells a published "
                                     "surface must not pin down");
        const BandwidthChoice choice = parse_bandwidth(s.bandwidth, "--bandwidth");
        if (choice.metres && *choice.metres < preset->min_bandwidth_m)
            throw Error(Errc::Usage,
                        "--publish " + preset->name + " needs a bandwidth of at least " +
                            fixed(preset->min_bandwidth_m, 0) + " m; --bandwidth " + s.bandwidth +
                            " is narrow enough to point towards single addresses");
    }
    if (s.cell_m)
        require_positive(*s.cell_m, "--cell");
    if (!s.extent.empty())
        parse_extent(s.extent);
    if (!s.area.empty() && s.boundaries.empty())
        throw Error(Errc::Usage, "--area needs --boundaries, the layer to find it in");
    if (!s.area.empty() && !s.extent.empty())
        throw Error(Errc::Usage, "give --extent or --area, not both");
}

int min_count_of(const DensitySpec& s)
{
    return publish_min_count(s.publish, s.min_count);
}

std::vector<const engine::MultiPolygon*> StudyArea::shapes() const
{
    std::vector<const engine::MultiPolygon*> out;
    for (const auto i : features)
        out.push_back(&layers[layer]->features[i].shape);
    return out;
}

engine::Box2 StudyArea::bounds() const
{
    engine::Box2 box;
    for (const auto* shape : shapes())
        box.expand(engine::bounds(*shape));
    return box;
}

StudyArea load_study_area(const std::vector<std::string>& boundaries, const std::string& layer,
                          const std::string& area, const io::Crs& crs, const RunOptions& run,
                          Reporter& reporter)
{
    StudyArea out;
    for (const auto& path : boundaries)
    {
        out.layers.push_back(load_areas(run, path, layer, crs));
        for (const auto& w : out.layers.back()->warnings)
            reporter.warn(w);
    }
    if (area.empty())
        return out;
    if (out.layers.empty())
        throw Error(Errc::Usage, "--area needs --boundaries, the layer to find it in");
    // The first layer that has the area; if none has it, the first layer's error names the
    // nearest.
    for (std::size_t l = out.layers.size(); l-- > 0;)
        try
        {
            out.features = io::find_area(*out.layers[l], area);
            out.layer = l;
        }
        catch (const Error&)
        {
            if (l == 0 && out.features.empty())
                throw;
        }
    return out;
}

std::function<std::string(engine::Point2)> area_namer(const StudyArea& area,
                                                      const std::vector<std::string>& boundaries,
                                                      const std::string& layer, const io::Crs& crs,
                                                      const RunOptions& run)
{
    if (area.layers.empty())
        return {};
    // The first layer --area is not in: with a district to mask by, the wards given beside it.
    std::size_t l = 0;
    if (!area.features.empty() && area.layers.size() > 1)
        l = area.layer == 0 ? 1 : 0;
    auto index = load_area_index(run, boundaries[l], layer, crs);
    auto names = std::make_shared<std::vector<std::string>>(
        io::field_values(*area.layers[l], area_name_field(*area.layers[l])));
    return [index, names](engine::Point2 p)
    {
        const std::int32_t a = index->locate(p);
        return a >= 0 ? (*names)[static_cast<std::size_t>(a)] : std::string();
    };
}

std::vector<io::MapLabelledShape> map_boundaries(const StudyArea& area,
                                                 const std::vector<std::string>& boundaries,
                                                 const std::string& layer_name, const io::Crs& crs,
                                                 const RunOptions& run, const engine::Box2& extent)
{
    std::vector<io::MapLabelledShape> out;
    for (std::size_t l = 0; l < area.layers.size(); ++l)
    {
        const auto& layer = *area.layers[l];
        const bool is_area_layer = !area.features.empty() && l == area.layer;
        const auto index = load_area_index(run, boundaries[l], layer_name, crs);
        const auto names = io::field_values(layer, area_name_field(layer));
        for (std::size_t f = 0; f < layer.features.size(); ++f)
        {
            if (!engine::bounds(layer.features[f].shape).intersects(extent))
                continue;
            if (is_area_layer &&
                std::find(area.features.begin(), area.features.end(), f) == area.features.end())
                continue;
            // The study area's own outline is drawn, unlabelled; the other layers are named.
            out.push_back(
                {layer.features[f].shape, is_area_layer ? "" : names[f], index->interior_point(f)});
        }
    }
    return out;
}

StudyGrid study_grid(const std::vector<std::string>& boundaries, const std::string& layer,
                     const std::string& area, const std::string& extent_text,
                     std::optional<double> cell_m, const engine::Incidents& offences,
                     const io::Crs& crs, const RunOptions& run, Reporter& reporter)
{
    StudyGrid out;
    out.area = load_study_area(boundaries, layer, area, crs, run, reporter);
    std::optional<engine::Box2> extent;
    if (!area.empty())
        extent = out.area.bounds();
    else if (!extent_text.empty())
        extent = parse_extent(extent_text);
    engine::MemoryBudget budget; // the counts and a mask
    budget.limit_bytes = memory_limit_bytes(run);
    budget.bytes_per_offence = 0;
    const engine::GridPlan plan =
        engine::plan_grid(0.0, offences, extent, extent_text.empty(), cell_m, budget);
    if (area.empty() && extent_text.empty())
        warn_if_stretched(offences, plan.box, reporter);
    if (!plan.fits || plan.cols * plan.rows > 2e9)
        throw Error(Errc::Usage, "a grid of " + fixed(plan.cols * plan.rows, 0) + " cells of " +
                                     fixed(plan.cell_m, 3) +
                                     " m is too large for memory; give a larger --cell or a "
                                     "smaller area");
    out.grid = plan.grid;
    if (!area.empty())
        out.mask = engine::rasterize_mask(out.area.shapes(), out.grid);
    return out;
}

Density compute_density(const DensitySpec& s, const engine::Incidents& offences, const io::Crs& crs,
                        const RunOptions& run, Reporter& reporter,
                        const std::optional<engine::GridSpec>& grid_like,
                        std::optional<double> bandwidth_m, bool float64_output,
                        const SurfaceStream* stream)
{
    Density d;
    // Stacked offences spread over their snap area first, so that everything after sees them so.
    engine::Incidents spread;
    if (s.spread_stacked_m > 0)
    {
        engine::SpreadStacks spreading = engine::spread_stacks(offences, s.spread_stacked_m);
        spread = std::move(spreading.incidents);
        reporter.info("stacks     " + std::to_string(spreading.moved) +
                      " offences sharing a coordinate spread over " + fixed(s.spread_stacked_m, 0) +
                      " m about it");
    }
    const engine::Incidents& inc = s.spread_stacked_m > 0 ? spread : offences;
    std::optional<engine::Box2> extent;
    if (!s.extent.empty())
        extent = parse_extent(s.extent);
    d.study_area = load_study_area(s.boundaries, s.boundaries_layer, s.area, crs, run, reporter);
    const StudyArea& study_area = d.study_area;
    if (!s.area.empty())
        extent = study_area.bounds();

    const Edge edge = edge_of(s);
    d.edge_correction = s.edge_correction;
    engine::DensityRequest request{.kernel = kernel_of(s),
                                   .units = units_of(s),
                                   .bandwidth = parse_bandwidth(s.bandwidth, "--bandwidth"),
                                   .edge = edge,
                                   .adaptive = s.adaptive,
                                   .trim = s.trim,
                                   .area = study_area.shapes(),
                                   .area_name = s.area,
                                   .extent =
                                       s.area.empty() ? extent : std::optional<engine::Box2>()};
    if (bandwidth_m)
    {
        check_bandwidth(*bandwidth_m);
        request.fixed_bandwidth_m = *bandwidth_m;
    }
    if (!s.pilot_bandwidth.empty())
        request.pilot = parse_bandwidth(s.pilot_bandwidth, "--pilot-bandwidth");
    if (const PublishPreset* preset = find_publish_preset(s.publish))
        request.floor = {preset->min_bandwidth_m, "--publish", preset->name};
    const engine::StageLog log{.info = [&](const std::string& line) { reporter.info(line); },
                               .warn = [&](const std::string& line) { reporter.warn(line); },
                               .begin = [&](const std::string& stage)
                               { return reporter.progress(stage); },
                               .done = [&] { reporter.done(); }};
    engine::PlannedDensity planned = engine::plan_density(request, inc, log);
    static_cast<engine::DensityPlan&>(d) = std::move(planned.plan);
    const engine::Incidents* used = &planned.summed(inc);

    d.offences_given = static_cast<std::int64_t>(inc.size());
    d.window_name = s.area.empty() ? "the extent" : s.area;
    if (d.windowed)
        reporter.info("population " + std::to_string(d.population.inside) + " offences inside " +
                      d.window_name + "; " + std::to_string(d.population.reaching) +
                      " counted by the surface (those within the kernel's reach of it); " +
                      std::to_string(d.offences_given) + " after the filters");

    d.min_count = min_count_of(s);
    engine::GridSpec grid;
    std::string stream_reason; // why a streamed grid is not held whole
    if (grid_like)
    {
        // A grid fixed by the caller (periods compared on one grid): its cells must still suit
        // the kernel; plan_grid checks the grids it chooses.
        grid = *grid_like;
        engine::check_reach(engine::kernel_support_radius(d.options.kernel, d.options.bandwidth_m),
                            grid.cell_m);
    }
    else
    {
        // Refuse a run that would not fit before allocating it: the double surface, the samples
        // staged for GDAL and the mask, beside the offences held and their copy for the kernel;
        // streamed, a strip of rows computed, masked and staged for GDAL, and GDAL's block cache.
        const engine::MemoryBudget budget{
            .limit_bytes = memory_limit_bytes(run),
            .bytes_per_cell = 8.0 + (float64_output ? 8.0 : 4.0) + 1.0,
            .bytes_per_strip_cell = 8.0 + 8.0 + 1.0,
            .strip_fixed_bytes = static_cast<double>(io::strip_writer_cache_bytes),
            .strip_rows = stream_rows,
            .bytes_per_offence = 32.0 + 32.0,
            .can_stream = stream != nullptr,
            .always_stream = stream && stream->always,
            // --min-count needs the grid whole; past 512 MiB, strips were measured faster
            // (benchmarks/README.md).
            .stream_above_bytes = d.min_count > 0 ? std::numeric_limits<double>::infinity()
                                                  : static_cast<double>(stream_above_bytes)};
        const engine::GridPlan g =
            engine::plan_grid(d, inc, extent, !s.area.empty(), s.cell_m, budget);
        if (g.default_extent)
            warn_if_stretched(inc, g.box, reporter);
        d.streamed = g.streamed;
        const std::string limit_said =
            run.memory_limit.empty() ? " (80% of this machine's memory)" : " (--memory-limit)";
        if (g.streamed && budget.always_stream)
            stream_reason = "tiles are written as their rows are computed";
        else if (g.streamed && g.fits_whole)
            stream_reason = "the grid would take " + human_bytes(g.whole_bytes) +
                            " held whole, past the " +
                            human_bytes(static_cast<double>(stream_above_bytes)) +
                            " beyond which strips are faster";
        else if (g.streamed)
            stream_reason = "the grid would take " + human_bytes(g.whole_bytes) +
                            " held whole, over the limit of " + human_bytes(budget.limit_bytes) +
                            limit_said;
        if (!g.fits)
            throw Error(Errc::Usage,
                        "the grid of " + fixed(g.cols, 0) + " x " + fixed(g.rows, 0) +
                            " cells of " + fixed(g.cell_m, 3) + " m needs about " +
                            human_bytes(stream ? g.strip_bytes : g.whole_bytes) +
                            (stream ? " even a strip at a time" : "") + " and the " +
                            std::to_string(inc.size()) + " offences " +
                            human_bytes(g.offence_bytes) + ", over the limit of " +
                            human_bytes(budget.limit_bytes) + limit_said +
                            "; use a larger --cell, a smaller extent, or --memory-limit");
        grid = g.grid;
    }

    reporter.info("kernel     " + std::string(engine::to_string(d.options.kernel)) +
                  ", bandwidth " +
                  engine::bandwidth_meaning(d.options.kernel, nominal_bandwidth(d)) + " (" +
                  d.bandwidth_note + ")" +
                  (edge == Edge::None ? "" : ", " + s.edge_correction + " edge correction"));
    reporter.info("grid       " + std::to_string(grid.cols) + " x " + std::to_string(grid.rows) +
                  " cells of " + fixed(grid.cell_m, 3) + " m, origin " + fixed(grid.origin_x, 3) +
                  ", " + fixed(grid.origin_y, 3));

    const std::vector<const engine::MultiPolygon*>& shapes = request.area;
    // Uniform correction: each cell divided by the share of its kernel inside the window.
    std::optional<engine::EdgeFactor> cell_edge;
    if (edge == Edge::Uniform)
        cell_edge.emplace(d.window, d.options.kernel, d.options.bandwidth_m);
    const engine::StripFinish finish{grid, shapes, cell_edge ? &*cell_edge : nullptr, nodata_value};
    const auto add_figures = [&](const engine::StripFigures& f)
    {
        d.peak = std::max(d.peak, f.peak);
        d.cells_with_data += f.cells_with_data;
    };
    // The kernel sums a strip at a time: shared out over the ranks under mpirun, else here.
    const auto kernel_sums = [&](std::int64_t rows_per_strip, const engine::StripSink& sink,
                                 const distributed::RemoteStrips* remote = nullptr)
    {
        run.executor.kde_strips(*used, grid, d.options, rows_per_strip, sink,
                                engine::RunContext{reporter.progress("density")}, remote);
        reporter.done();
    };
    const auto months = engine::month_range(inc.month);
    d.period = months.last == engine::no_month
                   ? ""
                   : io::format_month(months.first) + ".." + io::format_month(months.last);
    d.publish = s.publish;
    if (d.streamed && d.min_count > 0)
        throw Error(Errc::Usage, "--min-count needs the grid in memory, and this one is streamed "
                                 "in strips: use a larger --cell or a smaller extent");
    if (d.streamed)
    {
        reporter.info("memory     " + stream_reason + ": computed and written " +
                      std::to_string(stream_rows) + " rows at a time");
        d.surface.grid = grid;
        stream->begin(d);
        std::vector<double> masked;
        const engine::StripSink finish_here =
            [&](std::int64_t first, std::int64_t count, const std::vector<double>& values)
        {
            masked = values;
            add_figures(engine::finish_rows(finish, first, count, masked));
            stream->rows(first, count, masked);
        };
        // Tiles under mpirun are finished and written by the rank that computed them.
        io::GeoTiffTileWriter* tiles = stream->tiles ? stream->tiles() : nullptr;
        if (run.executor.over_ranks() && tiles)
        {
            const distributed::RemoteStrips remote{
                distributed::tile_context(finish, d.window, d.options, *tiles),
                [&](std::int64_t first, std::int64_t, const std::string& result)
                {
                    distributed::Packet figures(result);
                    add_figures(figures.take_one<engine::StripFigures>());
                    tiles->adopt_rows(first);
                }};
            kernel_sums(stream_rows, finish_here, &remote);
        }
        else
            kernel_sums(stream_rows, finish_here);
    }
    else
    {
        d.surface = run.executor.kde(*used, grid, d.options, stream_rows,
                                     engine::RunContext{reporter.progress("density")});
        reporter.done();
        if (!shapes.empty())
        {
            d.mask = engine::rasterize_mask(shapes, grid);
            for (std::size_t k = 0; k < d.surface.values.size(); ++k)
                if (!d.mask->values[k])
                    d.surface.values[k] = nodata_value;
        }
        // Masked above with the mask kept for later: the finishing corrects and summarises.
        add_figures(engine::finish_rows({grid, {}, finish.edge, nodata_value}, 0, grid.rows,
                                        d.surface.values));
        if (d.min_count > 0)
            mark_sparse_cells(*used, d, d.min_count, reporter);
    }
    return d;
}

engine::Raster<double> published_surface(const Density& d)
{
    engine::Raster<double> out = d.surface;
    if (d.sparse)
        for (std::size_t k = 0; k < out.values.size(); ++k)
            if (d.sparse->values[k])
                out.values[k] = nodata_value;
    return out;
}

nlohmann::json density_json(const Density& d)
{
    nlohmann::json j = {
        {"kernel", std::string(engine::to_string(d.options.kernel))},
        {"bandwidth_m", nominal_bandwidth(d)},
        {"bandwidth_means", engine::bandwidth_meaning(d.options.kernel, nominal_bandwidth(d))},
        {"bandwidth_selector", d.bandwidth_selector},
        {"bandwidth_source", d.bandwidth_note},
        {"edge_correction", d.edge_correction}};
    if (d.selected_sigma_m)
        j["bandwidth_sigma_m"] = *d.selected_sigma_m;
    if (d.outside_window)
        j["offences_outside_study_area"] = d.outside_window;
    if (d.suppressed_cells)
        j["suppressed_cells"] = d.suppressed_cells;
    if (d.min_count > 0)
        j["disclosure"] = {{"min_count", d.min_count},
                           {"publish", d.publish},
                           {"suppressed_cells", d.suppressed_cells}};
    if (d.adaptive)
    {
        j["adaptive"] = {{"method", "Abramson square-root law"},
                         {"global_bandwidth_m", d.adaptive->global_m},
                         {"pilot_bandwidth_m", d.adaptive->pilot_m},
                         {"trim", d.adaptive->trim},
                         {"gamma", d.adaptive->gamma},
                         {"trimmed", d.adaptive->trimmed},
                         {"smallest_bandwidth_m", d.adaptive->smallest_m},
                         {"largest_bandwidth_m", d.adaptive->largest_m}};
    }
    return j;
}

std::vector<std::pair<std::string, std::string>> density_metadata(const DensitySpec& s,
                                                                  const Density& d,
                                                                  const OffenceInput& input,
                                                                  const engine::Incidents& inc)
{
    std::vector<std::pair<std::string, std::string>> tags{
        {"HOTSPOT_VERSION", HOTSPOT_VERSION_STRING},
        {"HOTSPOT_KERNEL", std::string(engine::to_string(d.options.kernel))},
        {"HOTSPOT_BANDWIDTH_M", fixed(nominal_bandwidth(d), 6)},
        {"HOTSPOT_BANDWIDTH_MEANS",
         engine::bandwidth_meaning(d.options.kernel, nominal_bandwidth(d))},
        {"HOTSPOT_BANDWIDTH_SELECTOR", d.bandwidth_selector},
        {"HOTSPOT_BANDWIDTH_SOURCE", d.bandwidth_note},
        {"HOTSPOT_BANDWIDTH_SIGMA_M", d.selected_sigma_m ? fixed(*d.selected_sigma_m, 6) : ""},
        {"HOTSPOT_EDGE_CORRECTION", d.edge_correction},
        {"HOTSPOT_SPREAD_STACKED_M", s.spread_stacked_m > 0 ? fixed(s.spread_stacked_m, 3) : ""},
        {"HOTSPOT_PUBLISH", d.publish},
        {"HOTSPOT_MIN_COUNT",
         d.min_count > 0 ? std::to_string(d.min_count) +
                               ": cells within the kernel's reach of fewer offences are nodata"
                         : ""},
        {"HOTSPOT_ADAPTIVE",
         d.adaptive
             ? "Abramson square-root law; pilot " + fixed(d.adaptive->pilot_m, 3) + " m; trim " +
                   fixed(d.adaptive->trim, 3) + "; gamma " + fixed(d.adaptive->gamma, 9) + "; " +
                   std::to_string(d.adaptive->trimmed) + " trimmed"
             : ""},
        {"HOTSPOT_UNITS", std::string(engine::to_string(d.options.units))},
        {"HOTSPOT_CELL_M", fixed(d.surface.grid.cell_m, 6)},
        {"HOTSPOT_OFFENCES_AFTER_FILTERS", std::to_string(inc.size())},
        {"HOTSPOT_OFFENCES_INSIDE_AREA", d.windowed ? std::to_string(d.population.inside) : ""},
        {"HOTSPOT_OFFENCES_COUNTED",
         std::to_string(d.population.reaching) +
             (d.windowed ? " (inside " + d.window_name + ", or within the kernel's reach of it)"
                         : "")},
        {"HOTSPOT_WEIGHT_AFTER_FILTERS", fixed(inc.total_weight(), 6)},
        {"HOTSPOT_WEIGHT_COUNTED",
         inc.weight.empty() ? "" : fixed(d.population.reaching_weight, 6)},
        {"HOTSPOT_SOURCE", source_names(input.source.paths)},
        {"HOTSPOT_CRIME_TYPES",
         input.crime_types.empty() ? "all" : engine::join(input.crime_types, "; ")},
        {"HOTSPOT_PERIOD", d.period},
        {"HOTSPOT_HOURS", hours_label(input)},
        {"HOTSPOT_FILTER_FROM", input.from},
        {"HOTSPOT_FILTER_TO", input.to},
        {"HOTSPOT_WEIGHT_FIELD", input.source.weight_field},
        {"HOTSPOT_HARM", input.harm.empty() ? "" : io::harm_table_name(input.harm)},
        {"HOTSPOT_AREA", s.area}};
    std::erase_if(tags, [](const auto& item) { return item.second.empty(); });
    // A published surface keeps its kernel and bandwidth to itself (see --publish).
    if (!d.publish.empty())
        std::erase_if(tags,
                      [](const auto& item)
                      {
                          return item.first.starts_with("HOTSPOT_BANDWIDTH") ||
                                 item.first == "HOTSPOT_KERNEL" || item.first == "HOTSPOT_ADAPTIVE";
                      });
    return tags;
}

} // namespace hotspot::app
