#pragma once

// Shared by the fuzz harnesses: libFuzzer's entry point, a private file for the input bytes, and
// the rule every harness checks: outside input may be refused with hotspot::Error, never anything
// else.

#include "hotspot/engine/core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace hotspot::fuzz
{

/// The input as text.
inline std::string_view text_of(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

/// A folder of this process's own, in memory where the machine has /dev/shm: the parsers under test
/// read files, and a file per input is much cheaper there than on disk. Removed at exit by the
/// destructor of the static that holds it (an atexit handler would run after that static is gone).
class ScratchFolder
{
  public:
    ScratchFolder()
    {
        std::error_code ec;
        const std::filesystem::path base =
            std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp";
        m_path = base / ("hotspot-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(m_path);
    }
    ~ScratchFolder()
    {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;
    const std::filesystem::path& path() const { return m_path; }

  private:
    std::filesystem::path m_path;
};

inline const std::filesystem::path& scratch_folder()
{
    static const ScratchFolder folder;
    return folder.path();
}

/// Writes the input to `name` in the scratch folder and returns its path.
inline std::string write_input(std::string_view text, const std::string& name)
{
    const auto path = (scratch_folder() / name).string();
    std::ofstream(path, std::ios::binary)
        .write(text.data(), static_cast<std::streamsize>(text.size()));
    return path;
}

/// Runs `parse`; an Error is the parser refusing bad input as it should. Any other exception is a
/// defect: it is reported and the process aborts, which libFuzzer records as a crash.
template <typename Parse> void expect_clean_refusal(Parse&& parse)
{
    try
    {
        parse();
    }
    catch (const hotspot::Error&)
    {
    }
    catch (const std::exception& e)
    {
        std::fprintf(stderr, "not a hotspot::Error: %s\n", e.what());
        std::abort();
    }
}

} // namespace hotspot::fuzz
