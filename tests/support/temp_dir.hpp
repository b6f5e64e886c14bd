#pragma once
// A fresh, empty folder under the system's temporary folder, named for the test and this process.

#include <filesystem>
#include <string>

#include <unistd.h>

namespace hotspot::testsupport
{

inline std::filesystem::path temp_dir(const std::string& name)
{
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("hotspot_test_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

} // namespace hotspot::testsupport
