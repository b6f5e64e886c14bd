#pragma once
// Runs the hotspot binary as an analyst would, capturing what it prints and its exit code.

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace hotspot::testsupport
{

/// The shipped data (data/) and the test fixtures (tests/data/), each with a trailing slash.
inline const std::string demo = HOTSPOT_SOURCE_DIR "/data/";
inline const std::string fixtures = HOTSPOT_TEST_DATA "/";

/// Quotes a path for the shell.
std::string quoted(const std::string& text);

/// Kent's September and November 2019 police.uk files and its districts, quoted for the shell.
inline const std::string september = quoted(demo + "police_uk/2019-09-kent-street.csv");
inline const std::string november = quoted(demo + "police_uk/2019-11-kent-street.csv");
inline const std::string districts = quoted(demo + "boundaries/kent_districts_2013.geojson");

/// A JSON file, parsed (a summary, a manifest).
nlohmann::json read_json(const std::string& path);

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
