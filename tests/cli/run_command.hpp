#pragma once
// Runs the hotspot binary as an analyst would, capturing what it prints and its exit code.

#include <string>

namespace hotspot::testsupport
{

struct CommandResult
{
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs `hotspot <arguments>` through the shell (arguments are a shell fragment, quote as needed).
CommandResult run_hotspot(const std::string& arguments);

/// A fresh, empty temporary folder for one test.
std::string fresh_temp_dir(const std::string& name);

/// Quotes a path for the shell.
std::string quoted(const std::string& text);

} // namespace hotspot::testsupport
