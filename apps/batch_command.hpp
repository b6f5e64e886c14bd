#pragma once

#include "cli.hpp"

#include <string>

namespace hotspot::app
{

/// The exit code of a batch in which some queries failed (the others ran).
constexpr int exit_code_some_queries_failed = 5;

/// `hotspot batch FILE.toml --out DIR`: many queries over data read once.
struct BatchRequest
{
    std::string path;
    std::string out_dir;
    bool dry_run = false;
    bool commands = false; ///< print each query as the command that runs it alone, and stop
    RunOptions run;
};

CLI::App* add_batch_command(CLI::App& app, BatchRequest& request);

/// Runs every query; the summary (also DIR/manifest.json) has "failed", the number that failed.
nlohmann::json run_batch(const BatchRequest& request, Reporter& reporter);

} // namespace hotspot::app
