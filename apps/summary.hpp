#pragma once
// The run summary of --summary-json: every command's header, its offences' account, and how a
// run under mpirun was shared out.

#include "hotspot/io/offences.hpp"
#include "run_options.hpp"

#include <nlohmann/json.hpp>

#include <string_view>

namespace hotspot::app
{

/// A run summary: the command, hotspot's version, and the command's own `fields`.
nlohmann::json summary_json(std::string_view command, nlohmann::json fields);

/// Writes the run summary to --summary-json, when it was asked for.
void write_summary(const RunOptions& run, const nlohmann::json& summary);

/// The account of records, for --summary-json.
nlohmann::json offences_json(const io::OffenceTable& table);

} // namespace hotspot::app
