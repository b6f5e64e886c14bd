#include "reconcile_command.hpp"
#include "option_kinds.hpp"

#include "hotspot/distributed/area_jobs.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/layer_style.hpp"
#include "hotspot/io/postgis.hpp"
#include "hotspot/io/vector.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <tbb/parallel_for.h>

namespace hotspot::app
{

namespace
{
namespace fs = std::filesystem;
using engine::RecordStatus;

constexpr std::array<std::string_view, engine::record_status_count> status_meaning{
    "recorded code names the area the location lies in",
    "the same, through an alias of an old code",
    "valid code, but the location lies in another area beyond tolerance",
    "no recorded code; the location gives one",
    "recorded code is neither an area nor an alias",
    "outside the recorded area but within tolerance of it: code kept",
    "location beyond tolerance of every area",
    "no usable coordinates: a valid recorded code is kept",
    "default point, (0,0), swapped or out-of-range coordinates: recorded code wins"};

// A colour per status, as QGIS opens the records: agreement in greens, codes the location gave
// in blue, disagreements in warm colours, doubtful locations in magenta.
io::VectorStyle status_style()
{
    constexpr int colours[engine::record_status_count] = {
        0x1a9641, 0xa6d96a, 0xfdae61, 0x2b83ba, 0x7b3294, 0xe6c229, 0xd7191c, 0x999999, 0xc51b7d};
    io::VectorStyle style;
    style.category_field = "status";
    style.display_field = "code_final";
    for (std::size_t s = 0; s < engine::record_status_count; ++s)
        style.categories.push_back({std::string(engine::to_string(static_cast<RecordStatus>(s))),
                                    ((colours[s] >> 16) & 255) / 255.0,
                                    ((colours[s] >> 8) & 255) / 255.0, (colours[s] & 255) / 255.0,
                                    1.0});
    return style;
}

// A share of the records, or of an area's: part / whole, blank where there are none.
std::string share(std::int64_t part, std::int64_t whole)
{
    return engine::share_of(static_cast<double>(part), static_cast<double>(whole), 4);
}

std::string padded(std::string_view text, std::size_t width)
{
    std::string out(text);
    if (out.size() < width)
        out.append(width - out.size(), ' ');
    return out;
}

std::string code_or_empty(const CodedLayer& layer, std::int32_t area)
{
    return area >= 0 ? layer.codes[static_cast<std::size_t>(area)] : std::string();
}

engine::Trust parse_trust(const std::string& text)
{
    if (engine::same_text(text, "location"))
        return engine::Trust::Location;
    if (engine::same_text(text, "code"))
        return engine::Trust::Code;
    throw Error(Errc::Usage, "--trust takes location or code (got '" + text + "')");
}

std::string report_csv(const Reconciled& r, std::int64_t total)
{
    const auto& rep = r.report;
    io::CsvTable out{"section", "item", "count", "share", "detail"};
    const auto row = [&](std::string_view section, const std::string& item,
                         const std::string& count, const std::string& share_text,
                         const std::string& detail) {
        out.add({section, item, count, share_text, detail});
    };
    row("total", "records", std::to_string(total), share(total, total),
        "records reconciled; with the rejected rows they make up the file");
    for (std::size_t s = 0; s < engine::record_status_count; ++s)
        row("status", std::string(engine::to_string(static_cast<RecordStatus>(s))),
            std::to_string(rep.by_status[s]), share(rep.by_status[s], total),
            std::string(status_meaning[s]));
    for (std::size_t d = 0; d < engine::decision_count; ++d)
        row("decided_by", std::string(engine::to_string(static_cast<engine::Decision>(d))),
            std::to_string(rep.by_decision[d]), share(rep.by_decision[d], total), "");
    for (std::size_t reason = 0; reason < io::reject_reason_count; ++reason)
        if (r.table.rejected_by_reason[reason] > 0)
            row("rejected", std::string(io::to_string(static_cast<io::RejectReason>(reason))),
                std::to_string(r.table.rejected_by_reason[reason]), "",
                "rejected at reading; see --rejects");
    std::string examples;
    for (const auto& [raw, normal] : rep.normalisation_examples)
        examples += (examples.empty() ? "" : "; ") + ("'" + raw + "' -> '" + normal + "'");
    row("normalised", "recorded codes changed by normalisation", std::to_string(rep.normalised),
        share(rep.normalised, total), examples);
    for (std::size_t a = 0; a < rep.accuracy.size(); ++a)
        if (rep.accuracy[a].recorded > 0)
            row("accuracy", r.areas.codes[a], std::to_string(rep.accuracy[a].recorded),
                share(rep.accuracy[a].agreed, rep.accuracy[a].recorded),
                r.areas.names[a].empty() ? "" : r.areas.names[a]);
    for (const auto& c : rep.confusions)
        row("confusion", c.recorded + " -> " + c.final_code, std::to_string(c.count), "", "");
    for (const auto& p : rep.suspect_points)
    {
        char where[64];
        std::snprintf(where, sizeof where, "%.1f %.1f", p.location.x, p.location.y);
        row("suspect_point", where, std::to_string(p.records), "",
            std::to_string(p.distinct_codes) + " distinct codes");
    }
    if (rep.zero_points > 0)
        row("suspect", "records at (0, 0)", std::to_string(rep.zero_points), "", "");
    if (rep.swapped_axes > 0)
        row("suspect", "records found only with x and y swapped", std::to_string(rep.swapped_axes),
            "", "");
    for (const auto& w : r.areas.layer->warnings)
        row("repaired", "", "", "", w);
    return out.text();
}
} // namespace

AreaLayerSpec parse_layer_spec(const std::string& text)
{
    AreaLayerSpec spec;
    std::string rest = text;
    if (const auto eq = rest.find('='); eq != std::string::npos && rest.find(':') > eq)
    {
        spec.label = rest.substr(0, eq);
        rest = rest.substr(eq + 1);
    }
    // FILE:CODE[:NAME], split from the right so that the file may itself contain a colon.
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t colon; (colon = rest.find(':', start)) != std::string::npos; start = colon + 1)
        parts.push_back(rest.substr(start, colon - start));
    parts.push_back(rest.substr(start));
    if (parts.size() < 2)
        throw Error(Errc::Usage,
                    "--assign takes [LABEL=]FILE:CODE_FIELD[:NAME_FIELD] (got '" + text + "')");
    const bool with_name = parts.size() >= 3 &&
                           !fs::exists(engine::join({parts.end() - 2, parts.end()}, ":")) &&
                           fs::exists(engine::join({parts.begin(), parts.end() - 2}, ":"));
    if (with_name)
    {
        spec.name_field = parts.back();
        parts.pop_back();
    }
    spec.code_field = parts.back();
    parts.pop_back();
    spec.path = engine::join(parts, ":");
    if (spec.label.empty())
        spec.label = io::layer_label(spec.path);
    return spec;
}

void add_reconcile_setup_options(CLI::App& command, ReconcileSetup& s, bool code_field_required)
{
    add_offence_options(command, s.input);
    auto* code =
        command
            .add_option(
                "--code-field", s.input.source.code_field,
                "The area (beat) code typed on each record, e.g. \"LSOA code\" in police.uk data")
            ->check(field_of("--offences"))
            ->group("Reconciliation");
    if (code_field_required)
        code->required();
    command
        .add_option("--areas", s.areas.path,
                    "Area polygons the codes refer to (beats, LSOAs...), any GDAL source")
        ->check(layer_input("polygon"))
        ->required()
        ->group("Reconciliation");
    command.add_option("--areas-layer", s.areas.layer, "Layer of the area source")
        ->group("Reconciliation");
    command
        .add_option("--area-code-field", s.areas.code_field,
                    "Field of the area layer holding each area's code")
        ->check(field_of("--areas"))
        ->required()
        ->group("Reconciliation");
    command
        .add_option("--area-name-field", s.areas.name_field,
                    "Field of the area layer holding each area's name")
        ->check(field_of("--areas"))
        ->group("Reconciliation");
    command
        .add_option("--aliases", s.aliases_path,
                    "CSV old_code,new_code of renamed, merged or split beats")
        ->check(file_input("csv"))
        ->group("Reconciliation");
    command
        .add_option("--tolerance", s.tolerance_m,
                    "Metres within which a location near its recorded area's edge keeps the code "
                    "(default 25)")
        ->transform(length_unit())
        ->group("Reconciliation");
    command
        .add_option("--trust", s.trust,
                    "Which side wins a conflict beyond tolerance: location (default) or code")
        ->group("Reconciliation");
}

CodedLayer load_coded_layer(const AreaLayerSpec& spec, const io::Crs& target, const RunOptions& run,
                            Reporter& reporter)
{
    CodedLayer out;
    out.spec = spec;
    out.layer = load_areas(run, spec.path, spec.layer, target);
    const io::AreaLayer& layer = *out.layer;
    const std::size_t code = io::field_index(layer, spec.code_field, "the code field");
    out.codes = io::field_values(layer, code);
    out.names =
        spec.name_field.empty()
            ? std::vector<std::string>(out.codes.size())
            : io::field_values(layer, io::field_index(layer, spec.name_field, "the name field"));
    out.index = load_area_index(run, spec.path, spec.layer, target);
    reporter.info(
        "areas      " + spec.path + ": " + std::to_string(out.codes.size()) + " areas coded by " +
        spec.code_field +
        (layer.source_crs.label() == target.label()
             ? ""
             : ", reprojected from " + layer.source_crs.label() + " to " + target.label()));
    for (const auto& w : layer.warnings)
        reporter.warn(w);
    return out;
}

Reconciled reconcile_offences(const ReconcileSetup& setup, const RunOptions& run,
                              Reporter& reporter)
{
    engine::ReconcileOptions options;
    options.trust = parse_trust(setup.trust);
    options.tolerance_m = setup.tolerance_m;
    if (!(setup.tolerance_m >= 0) || !std::isfinite(setup.tolerance_m) || setup.tolerance_m > 10000)
        throw Error(Errc::Usage, "--tolerance must be between 0 and 10000 metres");
    const auto aliases = setup.aliases_path.empty()
                             ? std::vector<std::pair<std::string, std::string>>{}
                             : io::read_aliases(setup.aliases_path);

    Reconciled r;
    io::ReadOptions read;
    read.keep_raw = true;
    read.text_on_demand = true; // CSV text is read again while writing, not held
    read.keep_unlocated = true;
    read.reject_duplicates = false; // a repeated crime id is not a matter of area codes
    r.table = load_offences(setup.input, run, reporter, read);
    r.areas = load_coded_layer(setup.areas, r.table.target_crs, run, reporter);
    r.codes.emplace(r.areas.codes, aliases);

    // All records in file order: located ones and those kept without a usable location.
    const auto& inc = r.table.incidents;
    const std::size_t total = inc.size() + r.table.unlocated.size();
    auto& rec = r.records;
    rec.x.reserve(total);
    std::size_t a = 0, b = 0;
    for (std::size_t k = 0; k < total; ++k)
    {
        const bool take_located = b >= r.table.unlocated.size() ||
                                  (a < inc.size() && inc.source_row[a] < r.table.unlocated[b].row);
        if (take_located)
        {
            rec.x.push_back(inc.x[a]);
            rec.y.push_back(inc.y[a]);
            rec.location.push_back(engine::LocationState::Good);
            rec.recorded.push_back(r.table.codes.empty() ? std::string_view() : r.table.codes[a]);
            r.source_row.push_back(inc.source_row[a]);
            r.raw.push_back(r.table.raw[a]);
            r.month.push_back(inc.month[a]);
            r.crime_type.push_back(inc.crime_type[a]);
            r.location_note.emplace_back();
            ++a;
        }
        else
        {
            const auto& u = r.table.unlocated[b];
            rec.x.push_back(std::numeric_limits<double>::quiet_NaN());
            rec.y.push_back(std::numeric_limits<double>::quiet_NaN());
            rec.location.push_back(io::location_is_suspect(u.reason)
                                       ? engine::LocationState::Suspect
                                       : engine::LocationState::Missing);
            rec.recorded.push_back(u.code);
            r.source_row.push_back(u.row);
            r.raw.push_back(u.raw);
            r.month.push_back(u.month);
            r.crime_type.push_back(u.crime_type);
            r.location_note.push_back(std::string(io::to_string(u.reason)) + ": " + u.detail);
            ++b;
        }
    }

    // Under mpirun the location tests are shared out over the ranks, a slice of records each.
    r.report = run.executor.reconcile(rec, *r.areas.index, *r.codes, options);

    const auto n = static_cast<std::int64_t>(total);
    reporter.info("reconcile  " + std::to_string(n) + " records, tolerance " +
                  std::to_string(static_cast<int>(setup.tolerance_m)) + " m, trust " + setup.trust);
    for (std::size_t s = 0; s < engine::record_status_count; ++s)
        reporter.info("  " + padded(engine::to_string(static_cast<RecordStatus>(s)), 17) +
                      padded(std::to_string(r.report.by_status[s]), 8) +
                      padded(engine::percent_of(static_cast<double>(r.report.by_status[s]),
                                                static_cast<double>(n)),
                             7) +
                      std::string(status_meaning[s]));
    std::string decided;
    for (std::size_t d = 0; d < engine::decision_count; ++d)
        decided += (d ? ", " : "") +
                   std::string(engine::to_string(static_cast<engine::Decision>(d))) + " " +
                   std::to_string(r.report.by_decision[d]);
    reporter.info("  final code decided by: " + decided);
    if (r.report.normalised > 0)
        reporter.info("  normalised " + std::to_string(r.report.normalised) +
                      " recorded codes (case, spaces, punctuation)");
    for (std::size_t k = 0; k < r.report.confusions.size() && k < 5; ++k)
        reporter.info("  " +
                      (k == 0 ? std::string("most frequent: ") : std::string("               ")) +
                      r.report.confusions[k].recorded + " -> " + r.report.confusions[k].final_code +
                      "  " + std::to_string(r.report.confusions[k].count));
    if (!r.report.suspect_points.empty() || r.report.zero_points || r.report.swapped_axes)
        reporter.info("  suspect geocodes: " + std::to_string(r.report.suspect_points.size()) +
                      " default points, " + std::to_string(r.report.zero_points) + " at (0, 0), " +
                      std::to_string(r.report.swapped_axes) + " with swapped axes");
    return r;
}

CLI::App* add_reconcile_command(CLI::App& app, ReconcileRequest& r)
{
    CLI::App* cmd =
        app.add_subcommand("reconcile", "Check each record's beat/area code against where it lies; "
                                        "correct or flag it, accounting for every record");
    add_reconcile_setup_options(*cmd, r.setup, true);
    cmd->add_option(
           "--assign", r.assign,
           "Also assign another layer (repeatable): [LABEL=]FILE:CODE_FIELD[:NAME_FIELD], e.g. "
           "wards=data/boundaries/kent_wards_2013.geojson:WD13CD:WD13NM")
        ->group("Reconciliation");
    cmd->add_option("--out", r.out_path,
                    "Reconciled records: .gpkg, .geojson, or .fgb (FlatGeobuf holds no record "
                    "without a location: refused when there is one), or a PostGIS database "
                    "PG:\"dbname=... host=...\" with --table")
        ->check(output_file("gpkg|geojson|fgb"))
        ->required()
        ->group("Output");
    cmd->add_option("--table", r.table,
                    "With --out PG:..., the table to write (in one transaction; --overwrite "
                    "replaces an existing one)")
        ->group("Output");
    cmd->add_option("--report", r.report_path,
                    "Report CSV: counts per status, accuracy per area, confusions")
        ->check(output_file("csv"))
        ->group("Output");
    add_sld_option(*cmd, r.style);
    add_run_options(*cmd, r.run);
    cmd->footer("Statuses: match, alias_match, corrected, filled, unknown_code, near_boundary, "
                "outside, no_location,\n"
                "suspect_location; each record gets exactly one. Example:\n"
                "  hotspot reconcile --offences data/police_uk/2019-09-kent-street.csv "
                "--code-field \"LSOA code\" \\\n"
                "      --areas data/boundaries/kent_lsoa_2011.geojson --area-code-field LSOA11CD "
                "--area-name-field LSOA11NM \\\n"
                "      --out reconciled.gpkg --report report.csv");
    return cmd;
}

nlohmann::json run_reconcile(const ReconcileRequest& r, Reporter& reporter)
{
    // Refuse bad requests before any work.
    parse_trust(r.setup.trust);
    io::check_vector_output(r.out_path, r.table, r.run.overwrite);
    if (!io::is_postgis(r.out_path))
        io::check_sld_output(r.out_path, r.style.sld, r.run.overwrite);
    check_outputs(r.run, {&r.report_path, &r.run.summary_json_path, &r.setup.input.rejects_path});
    std::vector<AreaLayerSpec> extra;
    for (const auto& text : r.assign)
        extra.push_back(parse_layer_spec(text));

    Reconciled rec = reconcile_offences(r.setup, r.run, reporter);
    if (rec.table.mixed_fields)
        throw Error(Errc::Usage,
                    rec.table.source_path +
                        ": the files have different fields, and reconcile writes every original "
                        "field; reconcile files of one layout together");
    std::vector<CodedLayer> layers;
    std::vector<engine::LayerAssignment> assigned;
    for (const auto& spec : extra)
    {
        layers.push_back(load_coded_layer(spec, rec.table.target_crs, r.run, reporter));
        assigned.push_back(engine::assign_layer(rec.records, rec.report, *rec.areas.index,
                                                *layers.back().index, r.setup.tolerance_m));
    }

    // The reconciled records: every original field, then what reconciliation says.
    std::vector<io::VectorField> fields;
    for (const auto& name : rec.table.field_names)
        fields.push_back({name, io::FieldType::Text});
    const bool has_names = !r.setup.areas.name_field.empty();
    const bool many_files = rec.table.files.size() > 1;
    if (many_files)
        fields.push_back({"source_file", io::FieldType::Text});
    fields.push_back({"source_row", io::FieldType::Integer});
    for (const char* name : {"code_recorded", "code_spatial", "code_final"})
        fields.push_back({name, io::FieldType::Text});
    if (has_names)
        fields.push_back({"name_final", io::FieldType::Text});
    fields.push_back({"status", io::FieldType::Text});
    fields.push_back({"decided_by", io::FieldType::Text});
    fields.push_back({"distance_m", io::FieldType::Real});
    fields.push_back({"location_note", io::FieldType::Text});
    for (const auto& layer : layers)
    {
        fields.push_back({layer.spec.label + "_code", io::FieldType::Text});
        if (!layer.spec.name_field.empty())
            fields.push_back({layer.spec.label + "_name", io::FieldType::Text});
        fields.push_back({layer.spec.label + "_by", io::FieldType::Text});
    }
    io::VectorWriter writer(r.out_path, r.table.empty() ? "reconciled" : r.table,
                            rec.table.target_crs, io::GeometryKind::Point, fields, r.run.overwrite);
    io::apply_style(writer, status_style(), io::GeometryKind::Point, r.out_path,
                    r.table.empty() ? "reconciled" : r.table,
                    r.style.sld && !io::is_postgis(r.out_path), r.run.overwrite);
    const auto progress = reporter.progress("writing");
    const std::size_t n = rec.records.size();
    // Each record's values, made from its text and its outcome.
    const auto values_of =
        [&](std::size_t i, std::string_view text, std::vector<io::FieldValue>& values)
    {
        std::vector<std::string_view> original;
        io::CsvReader reader(text, rec.table.source_path);
        if (const auto& seps = rec.table.separators; !seps.empty())
            reader.set_separator(seps[io::record_file(rec.source_row[i])]);
        if (!reader.next(original))
            original.clear();
        values.clear();
        values.reserve(fields.size());
        for (std::size_t f = 0; f < rec.table.field_names.size(); ++f)
            values.emplace_back(f < original.size() ? std::string(original[f]) : std::string());
        const auto& o = rec.report.outcomes[i];
        if (many_files)
            values.emplace_back(rec.table.files[io::record_file(rec.source_row[i])]);
        values.emplace_back(io::record_line(rec.source_row[i]));
        values.emplace_back(std::string(rec.records.recorded[i]));
        values.emplace_back(code_or_empty(rec.areas, o.spatial_area));
        values.emplace_back(code_or_empty(rec.areas, o.final_area));
        if (has_names)
            values.emplace_back(o.final_area >= 0
                                    ? rec.areas.names[static_cast<std::size_t>(o.final_area)]
                                    : std::string());
        values.emplace_back(std::string(engine::to_string(o.status)));
        values.emplace_back(std::string(engine::to_string(o.decided_by)));
        values.emplace_back(o.distance_m);
        values.emplace_back(rec.location_note[i]);
        for (std::size_t l = 0; l < layers.size(); ++l)
        {
            const std::int32_t area = assigned[l].area[i];
            values.emplace_back(code_or_empty(layers[l], area));
            if (!layers[l].spec.name_field.empty())
                values.emplace_back(area >= 0 ? layers[l].names[static_cast<std::size_t>(area)]
                                              : std::string());
            values.emplace_back(area < 0                  ? std::string()
                                : assigned[l].via_code[i] ? std::string("code")
                                                          : std::string("location"));
        }
    };
    // Features are prepared a block at a time in parallel and written in input order.
    constexpr std::size_t block = 16384;
    // CSV records' text is read again from the files, in order, rather than held.
    std::vector<std::vector<io::FieldValue>> prepared(block);
    std::vector<std::string> texts(block);
    io::RecordTexts source_texts(rec.table.files);
    for (std::size_t start = 0; start < n; start += block)
    {
        if (progress)
            progress(static_cast<double>(start) / static_cast<double>(n));
        const std::size_t count = std::min(block, n - start);
        for (std::size_t k = 0; k < count; ++k)
            texts[k] = rec.raw[start + k].empty() ? source_texts.text(rec.source_row[start + k])
                                                  : rec.raw[start + k];
        tbb::parallel_for(std::size_t{0}, count,
                          [&](std::size_t k) { values_of(start + k, texts[k], prepared[k]); });
        for (std::size_t k = 0; k < count; ++k)
        {
            const std::size_t i = start + k;
            const bool located = rec.records.location[i] == engine::LocationState::Good;
            writer.add_point(
                located ? std::optional<engine::Point2>({rec.records.x[i], rec.records.y[i]})
                        : std::nullopt,
                prepared[k]);
        }
    }
    reporter.done();
    writer.commit();
    reporter.info("wrote      " + r.out_path);
    const auto total = static_cast<std::int64_t>(n);
    if (!r.report_path.empty())
    {
        io::write_text_file(r.report_path, report_csv(rec, total), r.run.overwrite);
        reporter.info("report     " + r.report_path);
    }

    nlohmann::json statuses = nlohmann::json::object(), decisions = nlohmann::json::object();
    for (std::size_t s = 0; s < engine::record_status_count; ++s)
        statuses[std::string(engine::to_string(static_cast<RecordStatus>(s)))] =
            rec.report.by_status[s];
    for (std::size_t d = 0; d < engine::decision_count; ++d)
        decisions[std::string(engine::to_string(static_cast<engine::Decision>(d)))] =
            rec.report.by_decision[d];
    nlohmann::json confusions = nlohmann::json::array();
    for (std::size_t k = 0; k < rec.report.confusions.size() && k < 20; ++k)
        confusions.push_back({{"recorded", rec.report.confusions[k].recorded},
                              {"final", rec.report.confusions[k].final_code},
                              {"count", rec.report.confusions[k].count}});
    nlohmann::json summary =
        summary_json("reconcile", {{"offences", offences_json(rec.table)},
                                   {"areas",
                                    {{"path", r.setup.areas.path},
                                     {"count", rec.areas.codes.size()},
                                     {"repaired", rec.areas.layer->warnings}}},
                                   {"target_crs", rec.table.target_crs.label()},
                                   {"tolerance_m", r.setup.tolerance_m},
                                   {"trust", r.setup.trust},
                                   {"records", total},
                                   {"status", statuses},
                                   {"decided_by", decisions},
                                   {"normalised", rec.report.normalised},
                                   {"confusions", confusions},
                                   {"suspect_points", rec.report.suspect_points.size()},
                                   {"output", r.out_path}});
    write_summary(r.run, summary);
    return summary;
}

} // namespace hotspot::app
