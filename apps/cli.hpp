#pragma once
// The command line: every command's shared pieces, and the entry point. Each piece has its own
// header (offence input, run options, disclosure, units, summary); this one gathers them for the
// commands.

#include "disclosure.hpp"
#include "offence_input.hpp"
#include "run_cli.hpp"
#include "run_options.hpp"
#include "summary.hpp"
#include "units.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace hotspot::app
{

/// A parse error of `argv` against `app` (the root, whose commands are `command_names`) in the
/// analyst's words: an unknown option or command with the nearest one, an option given twice, a
/// value that is not a number.
std::string usage_message(const CLI::ParseError& error, CLI::App& app,
                          const std::vector<std::string>& command_names, int argc, char** argv);

} // namespace hotspot::app
