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
