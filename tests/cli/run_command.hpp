#pragma once
// Runs the hotspot binary as an analyst would, capturing what it prints and its exit code.

#include <functional>
#include <string>
#include <vector>

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

/// Runs any command line through the shell.
CommandResult run_command(const std::string& command_line);

/// A fresh, empty temporary folder for one test.
std::string fresh_temp_dir(const std::string& name);

/// A file's bytes (empty when it cannot be read).
std::string slurp(const std::string& path);

/// Quotes a path for the shell.
std::string quoted(const std::string& text);

/// A command that must be refused: its exit code and a part of its message on stderr.
struct Refusal
{
    std::string arguments;
    int exit_code;
    std::string message;
};

/// Runs each refusal and checks its exit code and message; `after_each` checks what must not have
/// been written.
void check_refusals(const std::vector<Refusal>& refusals, const std::function<void()>& after_each);

} // namespace hotspot::testsupport
