// Runs killed with SIGKILL at many moments, while they compute and while they write: the output is
// then the previous one intact or the new one complete, never a partial file; the partial files a
// killed run leaves are recognisable and the next run that writes there removes them.

#include "run_command.hpp"

#include <catch2/catch.hpp>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

namespace
{
namespace fs = std::filesystem;
using namespace hotspot::testsupport;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Unquoted: these runs are started without a shell.
const std::string september_csv = demo + "police_uk/2019-09-kent-street.csv";

std::string bytes_of(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The partial files and folders a run leaves in `folder`.
std::vector<std::string> partials(const fs::path& folder)
{
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.path().filename().string().find(".hotspot-partial-") != std::string::npos)
            found.push_back(entry.path().filename().string());
    return found;
}

pid_t start_hotspot(const std::vector<std::string>& args)
{
    const pid_t pid = ::fork();
    if (pid == 0)
    {
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, STDOUT_FILENO);
        ::dup2(null, STDERR_FILENO);
        std::vector<char*> argv{const_cast<char*>(HOTSPOT_BINARY)};
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(HOTSPOT_BINARY, argv.data());
        ::_exit(127);
    }
    return pid;
}

// When to kill a run: `delay` after it starts, or `delay` after its first partial file appears
// (so that the kill lands while it writes).
struct KillPoint
{
    bool after_partial = false;
    milliseconds delay{0};
};

struct Killed
{
    bool killed = false;          // false: the run ended before the kill
    bool partial_at_kill = false; // a partial file existed when it was killed
};

Killed run_and_kill(const std::vector<std::string>& args, const fs::path& folder, KillPoint point)
{
    const pid_t pid = start_hotspot(args);
    REQUIRE(pid > 0);
    int status = 0;
    const auto ended = [&] { return ::waitpid(pid, &status, WNOHANG) == pid; };
    if (point.after_partial)
    {
        const auto give_up = Clock::now() + std::chrono::seconds(120);
        while (partials(folder).empty())
        {
            if (ended())
                return {};
            REQUIRE(Clock::now() < give_up);
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
    }
    const auto until = Clock::now() + point.delay;
    while (Clock::now() < until)
    {
        if (ended())
            return {};
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    Killed result;
    result.partial_at_kill = !partials(folder).empty();
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    result.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    return result;
}

std::vector<std::string> split_args(const std::string& text)
{
    // Words split at spaces, except inside '...', as the shell does.
    std::vector<std::string> args;
    std::string word;
    bool quoted_word = false, in_quotes = false;
    for (const char c : text + " ")
        if (c == '\'')
            in_quotes = !in_quotes, quoted_word = true;
        else if (c == ' ' && !in_quotes)
        {
            if (!word.empty() || quoted_word)
                args.push_back(word);
            word.clear();
            quoted_word = false;
        }
        else
            word += c;
    return args;
}

// Kills `command --out OUT --overwrite` at moments spread over a full run (timed by one) and just
// after its partial file appears; after each kill, `is_previous` or `is_new` must hold of OUT.
// Each kill starts from the previous output (`restore_previous` puts it back after a run that
// completed). Then a run to the end leaves the new output and no partial file.
void check_kills(const std::string& name, const std::string& command, const fs::path& out,
                 const std::function<bool()>& is_previous, const std::function<bool()>& is_new_only,
                 const std::function<void()>& restore_previous)
{
    const auto is_new = [&]
    {
        const bool ok = is_new_only();
        if (ok)
            restore_previous();
        return ok;
    };
    const fs::path folder = out.parent_path();
    std::vector<std::string> args = split_args(command);
    args.insert(args.end(), {"--out", out.string(), "--overwrite", "--quiet"});

    const auto t0 = Clock::now();
    {
        const pid_t pid = start_hotspot(args);
        int status = 0;
        ::waitpid(pid, &status, 0);
        REQUIRE(WIFEXITED(status));
        REQUIRE(WEXITSTATUS(status) <= 5);
    }
    const auto full = std::chrono::duration_cast<milliseconds>(Clock::now() - t0);
    REQUIRE(is_new());
    std::vector<KillPoint> points;
    for (const double f : {0.2, 0.5, 0.8, 0.95})
        points.push_back({false, milliseconds(static_cast<long>(f * full.count()))});
    for (const long d : {0L, 5L, 30L, 150L})
        points.push_back({true, milliseconds(d)});

    int killed_while_writing = 0, previous = 0, fresh = 0;
    for (const auto& point : points)
    {
        INFO(name << ": killed " << point.delay.count() << " ms after "
                  << (point.after_partial ? "its partial file appeared" : "it started"));
        const Killed k = run_and_kill(args, folder, point);
        killed_while_writing += k.killed && k.partial_at_kill;
        const bool was_previous = is_previous();
        const bool was_new = !was_previous && is_new();
        REQUIRE((was_previous || was_new));
        previous += was_previous;
        fresh += was_new;
    }
    // The kills must have landed while it wrote, or the test shows nothing.
    INFO(name << ": " << killed_while_writing << " kills while writing; " << previous
              << " left the previous output, " << fresh << " the new one");
    CHECK(killed_while_writing >= 3);
    WARN(name << ": " << killed_while_writing << " of " << points.size() << " kills while writing; "
              << previous << " left the previous output, " << fresh << " the new one");

    // The next run to the end writes the new output and removes what the killed runs left.
    REQUIRE(run_hotspot(command + " --out " + quoted(out.string()) + " --overwrite --quiet")
                .exit_code <= 5);
    CHECK(is_new_only());
    CHECK(partials(folder).empty());
}

std::int64_t feature_count(const fs::path& path)
{
    GDALAllRegister();
    std::unique_ptr<GDALDataset> ds(
        GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    // The records, and beside them only QGIS's table of their style.
    if (!ds || ds->GetLayerCount() != 2 ||
        std::string(ds->GetLayer(1)->GetName()) != "layer_styles" ||
        ds->GetLayer(1)->GetFeatureCount(TRUE) != 1)
        return -1;
    return ds->GetLayer(0)->GetFeatureCount(TRUE);
}
} // namespace

TEST_CASE("A GeoTIFF killed at any moment is the previous one or the new one, whole",
          "[cli][crash]")
{
    const fs::path dir = fresh_temp_dir("kill_geotiff");
    const fs::path out = dir / "density.tif";
    // Cells of 120 m: a write of about a second, long enough for kills to land while it writes.
    const std::string kde = "kde --offences " + september_csv + " --cell 120 --float64 --bandwidth ";
    REQUIRE(run_hotspot(kde + "300 --out " + quoted((dir / "new.tif").string()) + " --quiet")
                .exit_code == 0);
    REQUIRE(run_hotspot(kde + "900 --out " + quoted(out.string()) + " --quiet").exit_code == 0);
    const std::string previous = bytes_of(out), fresh = bytes_of(dir / "new.tif");
    REQUIRE(previous != fresh);
    const auto is_previous = [&] { return bytes_of(out) == previous; };
    const auto is_new = [&] { return bytes_of(out) == fresh; };

    check_kills("GeoTIFF", kde + "300", out, is_previous, is_new,
                [&] { std::ofstream(out, std::ios::binary) << previous; });
}

TEST_CASE("A GeoPackage killed at any moment is the previous one or the new one, whole",
          "[cli][crash]")
{
    const fs::path dir = fresh_temp_dir("kill_geopackage");
    const fs::path out = dir / "records.gpkg";
    const std::string reconcile = "reconcile --offences " + september_csv + " --areas " + demo +
                                  "boundaries/kent_lsoa_2011.geojson --code-field 'LSOA code' "
                                  "--area-code-field LSOA11CD";
    REQUIRE(
        run_hotspot(reconcile + " --crime-type Burglary --out " + quoted(out.string()) + " --quiet")
            .exit_code == 0);
    const std::string previous = bytes_of(out);
    const std::int64_t previous_count = feature_count(out);
    REQUIRE(run_hotspot(reconcile + " --out " + quoted((dir / "new.gpkg").string()) + " --quiet")
                .exit_code == 0);
    const std::int64_t new_count = feature_count(dir / "new.gpkg");
    REQUIRE(new_count == 18408); // every record of the month
    REQUIRE(previous_count < new_count);

    const auto is_previous = [&] { return bytes_of(out) == previous; };
    check_kills(
        "GeoPackage", reconcile, out, is_previous, [&] { return feature_count(out) == new_count; },
        [&] { std::ofstream(out, std::ios::binary) << previous; });
}

TEST_CASE("A batch killed at any moment leaves the previous folder or the new one, whole",
          "[cli][crash][batch]")
{
    const fs::path dir = fresh_temp_dir("kill_batch");
    const fs::path out = dir / "weekly";
    fs::create_directories(out);
    std::ofstream(out / "previous.txt") << "the previous results\n";
    const auto is_previous = [&]
    {
        return fs::exists(out / "previous.txt") &&
               bytes_of(out / "previous.txt") == "the previous results\n" &&
               std::distance(fs::directory_iterator(out), fs::directory_iterator()) == 1;
    };
    // Complete: the manifest, and every output it lists.
    const auto is_complete = [&]
    {
        if (fs::exists(out / "previous.txt") || !fs::exists(out / "manifest.json"))
            return false;
        const std::string manifest = bytes_of(out / "manifest.json");
        if (manifest.find("\"succeeded\": 12") == std::string::npos)
            return false;
        for (const auto& query : fs::directory_iterator(out))
            if (query.is_directory() && !fs::exists(query.path() / "log.txt"))
                return false;
        return true;
    };
    check_kills("batch", "batch " + demo + "batch_weekly.toml", out, is_previous, is_complete,
                [&]
                {
                    fs::remove_all(out);
                    fs::create_directories(out);
                    std::ofstream(out / "previous.txt") << "the previous results\n";
                });
}
