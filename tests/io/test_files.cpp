#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/files.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <sys/wait.h>
#include <unistd.h>

using namespace hotspot;
using namespace hotspot::io;
using hotspot::testsupport::temp_dir;
namespace fs = std::filesystem;

namespace
{
// The pid of a process that has ended.
long ended_pid()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}
} // namespace

TEST_CASE("Partial files of ended runs are removed; those of live runs and other files are kept",
          "[files]")
{
    const fs::path dir = temp_dir("partials");
    const std::string out = (dir / "density.tif").string();
    const auto touch = [&](const std::string& name) { std::ofstream(dir / name) << "x"; };
    const std::string dead = std::to_string(ended_pid());
    touch(".density.hotspot-partial-" + dead + ".tif");
    touch(".density.hotspot-partial-" + dead + "-staging.tif");
    fs::create_directories(dir / (".density.hotspot-partial-" + dead + "-previous"));
    touch(".density.hotspot-partial-" + std::to_string(::getppid()) + ".tif"); // alive
    touch(".other.hotspot-partial-" + dead + ".tif");                          // another output
    touch(".density.hotspot-partial-.tif");                                    // no pid
    touch("density.tif");

    const std::string partial = temp_path_beside(out, "staging");
    CHECK(partial ==
          (dir / (".density.hotspot-partial-" + std::to_string(::getpid()) + "-staging.tif"))
              .string());
    std::vector<std::string> left;
    for (const auto& entry : fs::directory_iterator(dir))
        left.push_back(entry.path().filename().string());
    std::sort(left.begin(), left.end());
    std::vector<std::string> kept{".density.hotspot-partial-" + std::to_string(::getppid()) +
                                      ".tif",                                // a live run's
                                  ".density.hotspot-partial-.tif",           // no pid
                                  ".other.hotspot-partial-" + dead + ".tif", // another output
                                  "density.tif"};
    std::sort(kept.begin(), kept.end());
    CHECK(left == kept);
    fs::remove_all(dir);
}

TEST_CASE("A folder replaced whole, and a failed write's message when the disk is full", "[files]")
{
    const fs::path dir = temp_dir("replace");
    fs::create_directories(dir / "out");
    std::ofstream(dir / "out" / "old.txt") << "old";
    fs::create_directories(dir / "staged");
    std::ofstream(dir / "staged" / "new.txt") << "new";
    replace_folder((dir / "staged").string(), (dir / "out").string());
    CHECK(fs::exists(dir / "out" / "new.txt"));
    CHECK_FALSE(fs::exists(dir / "out" / "old.txt"));
    CHECK_FALSE(fs::exists(dir / "staged"));

    // Into a folder that does not exist yet.
    fs::create_directories(dir / "staged2");
    replace_folder((dir / "staged2").string(), (dir / "fresh").string());
    CHECK(fs::is_directory(dir / "fresh"));

    CHECK(disk_full_message("a.tif", "a.tif: cannot be written (TIFF error)") ==
          "a.tif: cannot be written: no space left on the disk (TIFF error)");
    CHECK(disk_full_message("a.gpkg", "a.gpkg: cannot write feature 3 (disk is full)") ==
          "a.gpkg: cannot be written: no space left on the disk (cannot write feature 3 (disk is "
          "full))");
    CHECK(disk_full_message("w", "") == "w: cannot be written: no space left on the disk");
    // Not full here: the error stands as it was.
    const Error e(Errc::Io, "a.tif: cannot be written (x)");
    CHECK(std::string(reworded_if_disk_full(e, "a.tif", (dir / "a.tif").string()).what()) ==
          e.what());
    fs::remove_all(dir);
}
