#pragma once

#include "cli.hpp"
#include "hotspot/engine/areas/reconcile.hpp"
#include "hotspot/io/areas.hpp"
#include "style_options.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hotspot::app
{

/// A boundary layer and the fields that give each area its code and name.
struct AreaLayerSpec
{
    std::string label; ///< column prefix for the layer's outputs
    std::string path;
    std::string layer;
    std::string code_field;
    std::string name_field;
};

/// "[LABEL=]FILE:CODE_FIELD[:NAME_FIELD]". Throws Error(Usage).
AreaLayerSpec parse_layer_spec(const std::string& text);

/// Options shared by `reconcile` and `tables`: the offences with their code field, the primary
/// area layer, aliases, tolerance and trust.
struct ReconcileSetup
{
    OffenceInput input;
    AreaLayerSpec areas;
    std::string aliases_path;
    double tolerance_m = 25.0;
    std::string trust = "location";
};

void add_reconcile_setup_options(CLI::App& command, ReconcileSetup& setup,
                                 bool code_field_required);

/// An area layer read, indexed and coded.
struct CodedLayer
{
    AreaLayerSpec spec;
    std::shared_ptr<const io::AreaLayer> layer;
    std::vector<std::string> codes;
    std::vector<std::string> names; ///< empty strings without a name field
    std::shared_ptr<const engine::AreaIndex> index;
};
CodedLayer load_coded_layer(const AreaLayerSpec& spec, const io::Crs& target, const RunOptions& run,
                            Reporter& reporter);

/// Every record of the offence file that is not rejected at reading, in file order, with its
/// outcome.
struct Reconciled
{
    io::OffenceTable table;
    CodedLayer areas;
    std::optional<engine::CodeBook> codes;
    engine::CodeRecords records;
    std::vector<std::int64_t> source_row;   ///< per record
    std::vector<std::string_view> raw;      ///< per record
    std::vector<engine::MonthIndex> month;  ///< per record
    std::vector<std::int32_t> crime_type;   ///< per record
    std::vector<std::string> location_note; ///< per record: why the location is unusable, if it is
    engine::ReconcileReport report;
};

/// Reads, assigns and reconciles; prints the summary. Shared by `reconcile` and `tables`.
Reconciled reconcile_offences(const ReconcileSetup& setup, const RunOptions& run,
                              Reporter& reporter);

struct ReconcileRequest
{
    ReconcileSetup setup;
    std::vector<std::string> assign; ///< further layers, "[LABEL=]FILE:CODE_FIELD[:NAME_FIELD]"
    std::string out_path;            ///< reconciled records (.gpkg, .geojson, .fgb, PG:...)
    std::string table;               ///< with a PG: output, the table written
    std::string report_path;         ///< report CSV
    StyleOptions style;
    RunOptions run;
};

CLI::App* add_reconcile_command(CLI::App& app, ReconcileRequest& request);
nlohmann::json run_reconcile(const ReconcileRequest& request, Reporter& reporter);

} // namespace hotspot::app
