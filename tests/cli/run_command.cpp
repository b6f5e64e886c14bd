#include "run_command.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hotspot::testsupport
{

std::string quoted(const std::string& text)
{
    std::string out = "'";
    for (const char c : text)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

nlohmann::json read_json(const std::string& path)
{
    return nlohmann::json::parse(std::ifstream(path));
}

std::string fresh_temp_dir(const std::string& name)
{
    const auto dir = std::filesystem::temp_directory_path() /
                     ("hotspot_cli_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
}

std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

CommandResult run_hotspot(const std::string& arguments)
{
    return run_command(quoted(HOTSPOT_BINARY) + " " + arguments);
}

CommandResult run_command(const std::string& command_line)
{
    const std::string err_file = fresh_temp_dir("stderr") + "/stderr.txt";
    const std::string command = command_line + " 2>" + quoted(err_file);
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        return result;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
        result.out.append(buffer, n);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err(err_file);
    std::stringstream ss;
    ss << err.rdbuf();
    result.err = ss.str();
    return result;
}

void check_refusals(const std::vector<Refusal>& refusals, const std::function<void()>& after_each)
{
    for (const auto& c : refusals)
    {
        const auto r = run_hotspot(c.arguments);
        INFO(c.arguments);
        INFO(r.err);
        CHECK(r.exit_code == c.exit_code);
        CHECK_THAT(r.err, Catch::Contains(c.message));
        after_each();
    }
}

} // namespace hotspot::testsupport
