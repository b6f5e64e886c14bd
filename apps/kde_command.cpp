#include "kde_command.hpp"
#include "option_kinds.hpp"

#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/geotiff.hpp"
#include "hotspot/io/layer_style.hpp"

#include <chrono>

namespace hotspot::app
{

CLI::App* add_kde_command(CLI::App& app, KdeRequest& r)
{
    CLI::App* cmd =
        app.add_subcommand("kde", "Kernel density surface of offences, written as a GeoTIFF");
    add_offence_options(*cmd, r.input);
    add_density_options(*cmd, r.density);
    CLI::Option* out =
        cmd->add_option("--out", r.out_path, "Output GeoTIFF (Cloud Optimized, Float32)")
            ->check(output_file("tif"))
            ->group("Output");
    cmd->add_option("--tiles-dir", r.tiles_dir,
                    "Instead of --out: a folder of GeoTIFF tiles (rows_NNNNNNN.tif, 512 rows "
                    "each) and density.vrt mosaicking them, for grids too large for one file or "
                    "one node; 'gdal_translate -of COG DIR/density.vrt out.tif' makes one COG")
        ->check(output_folder())
        ->group("Output")
        ->excludes(out);
    cmd->add_flag("--float64", r.float64, "Write Float64 samples instead of Float32")
        ->group("Output");
    add_legend_option(*cmd, r.style);
    add_sld_option(*cmd, r.style);
    add_run_options(*cmd, r.run);
    cmd->footer(
        "Example:\n  hotspot kde --offences data/police_uk/2019-09-kent-street.csv --boundaries "
        "data/boundaries/kent_districts_2013.geojson --area Maidstone --bandwidth 300 --cell 25 "
        "--out "
        "maidstone.tif\nOn many cores or nodes (MPI): mpirun -np 4 hotspot kde ... --tiles-dir "
        "national/ computes and writes the tiles on every rank, bit for bit the single run's.\n"
        "Run 'hotspot help' for units, bandwidth and grid conventions.");
    return cmd;
}

nlohmann::json run_kde(const KdeRequest& r, Reporter& reporter, KdeSurface* in_memory)
{
    const auto started = std::chrono::steady_clock::now();
    // Refuse bad options and unwritable outputs before reading anything.
    check_density_spec(r.density);
    check_style_options(r.style);
    make_filter(r.input);
    const bool tiled = !r.tiles_dir.empty();
    if (r.out_path.empty() && !tiled && !in_memory)
        throw Error(Errc::Usage, "kde needs --out FILE.tif (or --tiles-dir FOLDER for tiles)");
    const bool write = !r.out_path.empty() || (!in_memory && !tiled);
    if (write)
    {
        io::check_output_path(r.out_path, r.run.overwrite);
        if (!tiled)
        {
            io::check_output_path(io::style_path_for(r.out_path), r.run.overwrite);
            io::check_sld_output(r.out_path, r.style.sld, r.run.overwrite);
        }
    }
    if (tiled)
        io::check_output_folder(r.tiles_dir, r.run.overwrite);
    check_outputs(r.run, {&r.input.rejects_path, &r.run.summary_json_path});

    const io::OffenceTable table = load_offences(r.input, r.run, reporter);
    const auto since = [](std::chrono::steady_clock::time_point t)
    { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count(); };
    const double read_seconds = since(started);
    const auto density_started = std::chrono::steady_clock::now();
    const auto tiff_of = [&](const Density& d)
    {
        io::GeoTiffOptions tiff;
        tiff.float64 = r.float64;
        tiff.nodata = nodata_value;
        tiff.overwrite = r.run.overwrite;
        tiff.description = "kernel density of " + weighed_measure(r.input);
        tiff.unit = density_unit(r.input, d.options.units);
        tiff.metadata = density_metadata(r.density, d, r.input, table.incidents);
        tiff.qgis_style = !tiled; // a tiled surface is opened through its VRT
        tiff.legend_max = r.style.legend_max;
        tiff.sld = r.style.sld;
        return tiff;
    };
    // A grid too large for memory goes to the GeoTIFF a strip of rows at a time; tiles always do.
    std::unique_ptr<io::GeoTiffStripWriter> strips;
    std::unique_ptr<io::GeoTiffTileWriter> tiles;
    const SurfaceStream stream{
        [&](const Density& d)
        {
            if (tiled)
                tiles = std::make_unique<io::GeoTiffTileWriter>(r.tiles_dir, d.surface.grid,
                                                                table.target_crs, tiff_of(d));
            else
                strips = std::make_unique<io::GeoTiffStripWriter>(
                    r.out_path, d.surface.grid, r.float64, r.run.overwrite, nodata_value);
        },
        [&](std::int64_t first, std::int64_t count, const std::vector<double>& values)
        {
            if (tiles)
                tiles->write_rows(first, count, values.data());
            else
                strips->write_rows(first, count, values.data());
        },
        tiled, [&] { return tiles.get(); }};
    // In memory, the whole grid is wanted: no strips.
    const Density d =
        compute_density(r.density, table.incidents, table.target_crs, r.run, reporter, std::nullopt,
                        std::nullopt, r.float64, in_memory ? nullptr : &stream);

    const double density_seconds = since(density_started);
    const auto write_started = std::chrono::steady_clock::now();
    const io::GeoTiffOptions tiff = tiff_of(d);
    std::string written = r.out_path;
    if (tiles)
        written = tiles->finish();
    else if (d.streamed)
        strips->finish(table.target_crs, tiff);
    else
    {
        engine::Raster<double> published = published_surface(d);
        if (write)
            io::write_geotiff(r.out_path, published, table.target_crs, tiff);
        if (in_memory)
            *in_memory = {std::move(published), table.target_crs, tiff.metadata, tiff.unit};
    }

    const double write_seconds = since(write_started);
    const double seconds = since(started);
    reporter.info("surface    peak " + fixed(d.peak, 3) + " " + tiff.unit + ", " +
                  std::to_string(d.cells_with_data) + " cells with data");
    if (write || tiles)
        reporter.info("wrote      " + written + " (" + fixed(seconds, 2) + " s)" +
                      (tiled ? std::string()
                             : ", and its QGIS style " + io::style_path_for(written) +
                                   (r.style.sld ? " (and as SLD, " + io::sld_path_for(written) + ")"
                                                : std::string())));

    const auto& grid = d.surface.grid;
    nlohmann::json summary = summary_json(
        "kde",
        {{"offences", offences_json(table)},
         {"target_crs", table.target_crs.label()},
         {"units", std::string(engine::to_string(d.options.units))},
         {"cell_m", grid.cell_m},
         {"grid",
          {{"cols", grid.cols},
           {"rows", grid.rows},
           {"origin_x", grid.origin_x},
           {"origin_y", grid.origin_y}}},
         {"crime_types", r.input.crime_types.empty() ? std::string("all")
                                                     : engine::join(r.input.crime_types, "; ")},
         {"period", d.period},
         {"area", r.density.area},
         {"population",
          {{"after_filters", d.offences_given},
           {"inside_area", d.windowed ? nlohmann::json(d.population.inside) : nlohmann::json()},
           {"counted", d.population.reaching},
           {"counted_means",
            d.windowed ? "inside " + d.window_name + ", or within the kernel's reach of it"
                       : "every offence after the filters"}}},
         {"peak", d.peak},
         {"written_in_strips", d.streamed},
         {"cells_with_data", d.cells_with_data},
         {"output", written},
         {"seconds", seconds},
         // Strips and tiles are written while the density is computed.
         {"stage_seconds",
          {{"read", read_seconds}, {"density", density_seconds}, {"write", write_seconds}}}});
    summary.update(density_json(d));
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
