#pragma once
// The entry point of the command line, apart from the commands' shared pieces (cli.hpp), so that
// main() compiles without them.

namespace hotspot::app
{

/// Runs the command line; returns the process exit code. Never throws.
int run_cli(int argc, char** argv);

} // namespace hotspot::app
