#include "snap_points_command.hpp"
#include "option_kinds.hpp"

#include "density.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/hotspots/stacks.hpp"
#include "hotspot/io/crs.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/vector.hpp"

namespace hotspot::app
{

CLI::App* add_snap_points_command(CLI::App& app, SnapPointsRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "snap-points", "Coordinates that carry many records (police.uk snap points, default "
                       "geocodes): where stacking distorts a surface, with counts and crime types");
    add_offence_options(*cmd, r.input);
    cmd->add_option("--min-records", r.min_records,
                    "Report coordinates with at least this many records (default 10)")
        ->group("Filters");
    cmd->add_option("--out", r.out_path,
                    "The points: CSV, or GeoPackage / GeoJSON / FlatGeobuf for a GIS")
        ->check(output_file("csv|gpkg|geojson|fgb"))
        ->required()
        ->group("Output");
    add_run_options(*cmd, r.run);
    cmd->footer("police.uk moves every offence to the nearest of a set of anonymous map points, so "
                "many records share\n"
                "a coordinate; a force's extract may put records it could not place on one "
                "default point. A kernel\n"
                "surface then shows spikes there. `hotspot kde --spread-stacked 50` spreads each "
                "stack over a disc.\n"
                "Example:\n"
                "  hotspot snap-points --offences data/police_uk/2019-09-kent-street.csv "
                "--min-records 20 --out stacks.gpkg");
    return cmd;
}

nlohmann::json run_snap_points(const SnapPointsRequest& r, Reporter& reporter)
{
    if (r.min_records < 2)
        throw Error(Errc::Usage, "--min-records must be at least 2: one record is not a stack");
    const bool vector = io::is_vector_output(r.out_path);
    if (!vector && !engine::fold(r.out_path).ends_with(".csv"))
        throw Error(Errc::Usage,
                    "--out " + r.out_path + ": write .csv, or .gpkg, .geojson or .fgb for a GIS");
    io::check_output_path(r.out_path, r.run.overwrite);
    const io::OffenceTable table = load_offences(r.input, r.run, reporter);
    const engine::Incidents& inc = table.incidents;
    // Every shared coordinate once; those carrying --min-records lead, largest first.
    auto stacks = engine::stacked_points(inc, 2);
    const std::size_t shared_points = stacks.size();
    std::size_t on_stacks = 0, on_shared = 0;
    for (const auto& s : stacks)
    {
        on_shared += s.count;
        on_stacks += s.count >= r.min_records ? s.count : 0;
    }
    std::erase_if(stacks, [&](const engine::Stack& s) { return s.count < r.min_records; });
    const io::Reprojector to_lonlat(table.target_crs, io::wgs84());
    const auto types_text = [&](const engine::Stack& s)
    {
        std::vector<std::string> parts;
        for (const auto& [type, n] : s.types)
            parts.push_back((type >= 0 ? inc.crime_type_names[static_cast<std::size_t>(type)]
                                       : std::string("no type")) +
                            " " + std::to_string(n));
        return engine::join(parts, "; ");
    };
    const auto month = [](engine::MonthIndex m)
    { return m == engine::no_month ? std::string() : io::format_month(m); };
    const double total = static_cast<double>(std::max<std::size_t>(inc.size(), 1));
    if (vector)
    {
        io::VectorWriter writer(r.out_path, "snap_points", table.target_crs,
                                io::GeometryKind::Point,
                                {{"rank", io::FieldType::Integer},
                                 {"records", io::FieldType::Integer},
                                 {"share", io::FieldType::Real},
                                 {"crime_types", io::FieldType::Text},
                                 {"first_month", io::FieldType::Text},
                                 {"last_month", io::FieldType::Text}},
                                r.run.overwrite);
        for (std::size_t k = 0; k < stacks.size(); ++k)
            writer.add_point(engine::Point2{stacks[k].x, stacks[k].y},
                             {static_cast<std::int64_t>(k + 1),
                              static_cast<std::int64_t>(stacks[k].count),
                              static_cast<double>(stacks[k].count) / total, types_text(stacks[k]),
                              month(stacks[k].first_month), month(stacks[k].last_month)});
        writer.commit();
    }
    else
    {
        io::CsvTable csv{"rank",    "x",     "y",           "lon",         "lat",
                         "records", "share", "crime_types", "first_month", "last_month"};
        for (std::size_t k = 0; k < stacks.size(); ++k)
        {
            const auto& s = stacks[k];
            const auto ll = to_lonlat.transform({s.x, s.y});
            csv.add({std::to_string(k + 1), fixed(s.x, 3), fixed(s.y, 3), fixed(ll.x, 6),
                     fixed(ll.y, 6), std::to_string(s.count),
                     fixed(static_cast<double>(s.count) / total, 5), types_text(s),
                     month(s.first_month), month(s.last_month)});
        }
        io::write_text_file(r.out_path, csv.text(), r.run.overwrite);
    }
    reporter.info("stacks     " + std::to_string(on_shared) + " of " + std::to_string(inc.size()) +
                  " offences share their coordinate with another, on " +
                  std::to_string(shared_points) + " points");
    reporter.info(
        "           " + std::to_string(stacks.size()) + " points carry " +
        std::to_string(r.min_records) + " or more: " + std::to_string(on_stacks) + " offences (" +
        engine::percent_of(static_cast<double>(on_stacks), static_cast<double>(inc.size())) + ")");
    for (std::size_t k = 0; k < stacks.size() && k < 5; ++k)
    {
        const auto ll = to_lonlat.transform({stacks[k].x, stacks[k].y});
        reporter.info("  " + std::to_string(k + 1) + ". " + std::to_string(stacks[k].count) +
                      " records at " + fixed(ll.y, 5) + ", " + fixed(ll.x, 5) + ": " +
                      types_text(stacks[k]));
    }
    reporter.info("wrote      " + r.out_path);
    nlohmann::json summary =
        summary_json("snap-points", {{"offences", offences_json(table)},
                                     {"min_records", r.min_records},
                                     {"points", stacks.size()},
                                     {"offences_on_points", on_stacks},
                                     {"offences_sharing_a_coordinate", on_shared},
                                     {"largest", stacks.empty() ? 0 : stacks.front().count},
                                     {"output", r.out_path}});
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
