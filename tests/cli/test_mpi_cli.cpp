// `mpirun -np 3 hotspot ...` against the same command run as one process: kde gathered and in
// tiles, hotspots and batch byte for byte, and a rank lost or failing mid-run.
// Skipped, with a message, when the build has no MPI or mpirun is missing.

#include "hotspot/io/geotiff.hpp"
#include "run_command.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace hotspot::testsupport;
namespace fs = std::filesystem;

namespace
{
const std::string wards = quoted(demo + "boundaries/maidstone_wards_2013.geojson");

// Why MPI runs cannot be tested here, or "" when they can.
std::string mpi_missing()
{
    if (run_command("command -v mpirun > /dev/null").exit_code != 0)
        return "mpirun is not installed (make deps installs openmpi-bin)";
    const auto version = run_hotspot("--version");
    if (version.out.find("with MPI") == std::string::npos)
        return "this hotspot was built without MPI (" + version.out + ")";
    return "";
}

#define REQUIRE_MPI()                                                                              \
    if (const std::string why = mpi_missing(); !why.empty())                                       \
    {                                                                                              \
        WARN("HOTSPOT-SKIP: " << why);                                                             \
        return;                                                                                    \
    }

// `hotspot <arguments>` as three ranks on this machine. Containers forbid the shared-memory
// transport's cross-process copy, so the plain copy is asked for; root needs its own flag.
CommandResult run_ranks(const std::string& arguments, const std::string& environment = "")
{
    return run_command("OMPI_MCA_btl_vader_single_copy_mechanism=none " + environment +
                       " mpirun --oversubscribe -np 3 " +
                       (::geteuid() == 0 ? "--allow-run-as-root " : "") + quoted(HOTSPOT_BINARY) +
                       " " + arguments);
}

std::set<std::string> files_in(const std::string& dir)
{
    std::set<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.is_regular_file())
            names.insert(fs::relative(entry.path(), dir).string());
    return names;
}
} // namespace

TEST_CASE("hotspot --version says whether MPI is in, and runs without mpirun", "[cli][mpi]")
{
    const auto r = run_hotspot("--version");
    REQUIRE(r.exit_code == 0);
    const bool with = r.out.find("with MPI (Open MPI") != std::string::npos;
    const bool without = r.out.find("without MPI") != std::string::npos;
    CHECK(with != without);
    REQUIRE_MPI();
    // Started by mpirun, a world of one rank computes alone and says nothing of ranks.
    const std::string dir = fresh_temp_dir("mpi_one");
    const auto one = run_command("OMPI_MCA_btl_vader_single_copy_mechanism=none mpirun -np 1 " +
                                 std::string(::geteuid() == 0 ? "--allow-run-as-root " : "") +
                                 quoted(HOTSPOT_BINARY) + " kde --offences " + september +
                                 " --bandwidth 2000 --cell 1000 --out " + quoted(dir + "/a.tif"));
    INFO(one.err);
    CHECK(one.exit_code == 0);
    CHECK(one.out.find("ranks ") == std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("kde on three ranks is byte for byte the single process's COG", "[cli][mpi]")
{
    REQUIRE_MPI();
    const std::string dir = fresh_temp_dir("mpi_kde");
    // A fixed quartic surface in Maidstone, an adaptive, weighted, edge-corrected Gaussian one
    // (every value an offence carries to another rank: place, weight, own bandwidth), and a
    // uniformly corrected one.
    const std::vector<std::string> jobs{
        "kde --offences " + september + " --boundaries " + districts +
            " --area Maidstone --bandwidth 300 --cell 25",
        "kde --offences " + september + " --boundaries " + districts +
            " --area Maidstone --kernel gaussian --bandwidth 120 --adaptive --harm ons-css "
            "--edge-correction diggle --cell 50",
        "kde --offences " + september + " --boundaries " + districts +
            " --area Maidstone --kernel epanechnikov --bandwidth 400 --edge-correction uniform "
            "--cell 50"};
    for (std::size_t j = 0; j < jobs.size(); ++j)
    {
        INFO(jobs[j]);
        const std::string one = dir + "/one" + std::to_string(j) + ".tif";
        const std::string three = dir + "/three" + std::to_string(j) + ".tif";
        const std::string summary = dir + "/three" + std::to_string(j) + ".json";
        const std::string one_summary = dir + "/one" + std::to_string(j) + ".json";
        REQUIRE(run_hotspot(jobs[j] + " --quiet --out " + quoted(one) + " --summary-json " +
                            quoted(one_summary))
                    .exit_code == 0);
        // Pieces of 100 kB: every rank reads a part of the file.
        const auto r =
            run_ranks(jobs[j] + " --out " + quoted(three) + " --summary-json " + quoted(summary),
                      "HOTSPOT_MIN_PIECE_BYTES=100000");
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(slurp(one) == slurp(three));
        CHECK_THAT(r.out, Catch::Contains("ranks      3: "));
        // Printed once: rank 0 speaks for the job.
        CHECK(r.out.find("wrote") == r.out.rfind("wrote"));
        const auto s = nlohmann::json::parse(slurp(summary));
        // The account of the records (read, used, rejected by reason, files, CRS) is the single
        // run's.
        auto offences = s["offences"],
             one_offences = nlohmann::json::parse(slurp(one_summary))["offences"];
        offences.erase("seconds");
        one_offences.erase("seconds");
        CHECK(offences == one_offences);
        CHECK(s["offences"]["rejected"].get<std::int64_t>() > 0);
        CHECK(s["distributed"]["ranks"] == 3);
        REQUIRE(s["distributed"]["jobs"].size() == 2);
        // Every rank read a share of the file, and the shares add up to the whole.
        const auto& reading = s["distributed"]["jobs"][0];
        CHECK(reading["work"] == "reading");
        std::int64_t records = 0, bytes = 0;
        for (const auto& rank : reading["per_rank"])
        {
            CHECK(rank["records"].get<std::int64_t>() > 0);
            records += rank["records"].get<std::int64_t>();
            bytes += rank["bytes_read"].get<std::int64_t>();
        }
        CHECK(records == s["offences"]["records_read"].get<std::int64_t>());
        CHECK(bytes ==
              static_cast<std::int64_t>(fs::file_size(demo + "police_uk/2019-09-kent-street.csv")));
        // Every rank computed tiles, and held fewer offences than there are.
        const auto& spread = s["distributed"]["jobs"][1];
        CHECK(spread["work"] == "density tiles");
        std::int64_t tiles = 0;
        for (const auto& rank : spread["per_rank"])
        {
            CHECK(rank["parts"].get<std::int64_t>() > 0);
            CHECK(rank["records"].get<std::int64_t>() > 0);
            CHECK(rank["records"].get<std::int64_t>() < s["offences"]["used"].get<std::int64_t>());
            tiles += rank["parts"].get<std::int64_t>();
        }
        CHECK(tiles == spread["parts"].get<std::int64_t>());
        CHECK(spread["bytes_exchanged"].get<std::int64_t>() > 0);
    }
    fs::remove_all(dir);
}

TEST_CASE("kde --tiles-dir on three ranks writes the single process's tiles, whose VRT is the COG",
          "[cli][mpi]")
{
    REQUIRE_MPI();
    const std::string dir = fresh_temp_dir("mpi_tiles");
    // Masked to the area and edge-corrected: each rank finishes and writes its own tiles.
    const std::string job = "kde --offences " + september + " --boundaries " + districts +
                            " --area Maidstone --bandwidth 300 --cell 10 --edge-correction "
                            "uniform --quiet";
    REQUIRE(run_hotspot(job + " --out " + quoted(dir + "/whole.tif")).exit_code == 0);
    REQUIRE(run_hotspot(job + " --tiles-dir " + quoted(dir + "/one")).exit_code == 0);
    const auto r = run_ranks(job + " --tiles-dir " + quoted(dir + "/three") + " --summary-json " +
                             quoted(dir + "/three.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // The other ranks sent rank 0 a few bytes a tile, not their rows (512 x 2,915 doubles each).
    const auto s = nlohmann::json::parse(slurp(dir + "/three.json"));
    const auto& tiles = s["distributed"]["jobs"].back();
    CHECK(tiles["work"] == "density tiles");
    const auto& root = tiles["per_rank"][0];
    CHECK(root["bytes_received"].get<std::int64_t>() < 10000);
    for (const auto& rank : tiles["per_rank"])
        CHECK(rank["parts"].get<std::int64_t>() >= 1);
    const auto names = files_in(dir + "/one");
    // 2,284 rows: five tiles of 512 rows (the last 240) and the VRT.
    CHECK(names == std::set<std::string>{"density.vrt", "rows_0000000.tif", "rows_0000512.tif",
                                         "rows_0001024.tif", "rows_0001536.tif",
                                         "rows_0002048.tif"});
    CHECK(files_in(dir + "/three") == names);
    for (const auto& name : names)
    {
        INFO(name);
        CHECK(slurp(dir + "/one/" + name) == slurp(dir + "/three/" + name));
    }
    // The mosaic is the single COG's raster: values, grid, CRS, nodata and tags.
    const auto whole = hotspot::io::read_geotiff(dir + "/whole.tif");
    const auto mosaic = hotspot::io::read_geotiff(dir + "/three/density.vrt");
    CHECK(mosaic.raster.grid.cols == whole.raster.grid.cols);
    CHECK(mosaic.raster.grid.rows == whole.raster.grid.rows);
    for (int k = 0; k < 6; ++k)
        CHECK(mosaic.geotransform[k] == whole.geotransform[k]);
    CHECK(mosaic.raster.values == whole.raster.values);
    CHECK(mosaic.nodata == whole.nodata);
    CHECK(mosaic.crs.authority == "EPSG:27700");
    CHECK(mosaic.metadata.at("HOTSPOT_BANDWIDTH_M") == whole.metadata.at("HOTSPOT_BANDWIDTH_M"));
    const auto tile = hotspot::io::read_geotiff(dir + "/three/rows_0000512.tif");
    CHECK(tile.layout == "COG");
    CHECK(tile.geotransform[3] == whole.geotransform[3] - 512 * 10.0);
    CHECK(tile.metadata.at("HOTSPOT_AREA") == "Maidstone");
    // An existing folder is kept without --overwrite, and replaced whole with it.
    const auto again = run_ranks(job + " --tiles-dir " + quoted(dir + "/three"));
    CHECK(again.exit_code == 4);
    CHECK_THAT(again.err, Catch::Contains("already exists"));
    fs::remove_all(dir);
}

TEST_CASE("hotspots on three ranks gives the single process's patrol list and surface",
          "[cli][mpi]")
{
    REQUIRE_MPI();
    const std::string dir = fresh_temp_dir("mpi_hotspots");
    const std::string job = "hotspots --offences " + september + " --boundaries " + districts +
                            " --boundaries " + wards +
                            " --area Maidstone --bandwidth 300 --cell 25 --quiet --out-dir ";
    REQUIRE(run_hotspot(job + quoted(dir + "/one")).exit_code == 0);
    const auto r = run_ranks(job + quoted(dir + "/three"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const char* name : {"patrol_list.csv", "density.tif", "hotspots.geojson"})
    {
        INFO(name);
        CHECK(slurp(dir + "/one/" + name) == slurp(dir + "/three/" + name));
    }
    fs::remove_all(dir);
}

TEST_CASE("reconcile and tables on three ranks give the single process's outputs in input order",
          "[cli][mpi]")
{
    REQUIRE_MPI();
    const std::string dir = fresh_temp_dir("mpi_records");
    const std::string lsoa = " --code-field 'LSOA code' --areas " +
                             quoted(demo + "boundaries/kent_lsoa_2011.geojson") +
                             " --area-code-field LSOA11CD --area-name-field LSOA11NM";
    // Every record reconciled (GeoJSON keeps no timestamp, so files compare byte for byte), with
    // the ward of each and the report, trusting the location and then the code.
    for (const char* trust : {"location", "code"})
    {
        INFO(trust);
        const std::string job = "reconcile --offences " + september + lsoa + " --assign wards=" +
                                quoted(demo + "boundaries/kent_wards_2013.geojson") +
                                ":WD13CD:WD13NM --trust " + trust + " --quiet";
        const std::string one = dir + "/one_" + trust, three = dir + "/three_" + trust;
        REQUIRE(run_hotspot(job + " --out " + quoted(one + ".geojson") + " --report " +
                            quoted(one + ".csv"))
                    .exit_code == 0);
        const auto r =
            run_ranks(job + " --out " + quoted(three + ".geojson") + " --report " +
                      quoted(three + ".csv") + " --summary-json " + quoted(three + ".json"));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(slurp(one + ".geojson") == slurp(three + ".geojson"));
        CHECK(slurp(one + ".csv") == slurp(three + ".csv"));
        // Each rank tested a third of the 18,408 records.
        const auto s = nlohmann::json::parse(slurp(three + ".json"));
        const auto& job_spread = s["distributed"]["jobs"].back();
        CHECK(job_spread["work"] == "slices of records");
        std::int64_t records = 0;
        for (const auto& rank : job_spread["per_rank"])
        {
            CHECK(rank["records"].get<std::int64_t>() > 6000);
            records += rank["records"].get<std::int64_t>();
        }
        CHECK(records == 18408);
    }
    // Tables: by location, and by reconciled code, with This Year against Last Year.
    const std::vector<std::string> tables{"tables --offences " + september + " --areas " + wards +
                                              " --area-code-field WD13CD --area-name-field WD13NM",
                                          "tables --offences " + september + " --offences " +
                                              quoted(demo + "police_uk/2019-11-kent-street.csv") +
                                              lsoa +
                                              " --this 2019-11..2019-11 --last 2019-09..2019-09"};
    for (std::size_t t = 0; t < tables.size(); ++t)
    {
        INFO(tables[t]);
        const std::string one = dir + "/table_one" + std::to_string(t) + ".csv";
        const std::string three = dir + "/table_three" + std::to_string(t) + ".csv";
        REQUIRE(run_hotspot(tables[t] + " --quiet --out " + quoted(one)).exit_code == 0);
        const auto r = run_ranks(tables[t] + " --out " + quoted(three));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        CHECK_THAT(r.out, Catch::Contains("records in 3 slices"));
        CHECK(slurp(one) == slurp(three));
    }
    // A rank that fails leaves no table and is named.
    const auto failed =
        run_ranks(tables[0] + " --out " + quoted(dir + "/failed.csv"), "HOTSPOT_FAULT=fail:1");
    CHECK(failed.exit_code == 1);
    CHECK_THAT(failed.err, Catch::Contains("rank 1 failed: out of memory"));
    CHECK_FALSE(fs::exists(dir + "/failed.csv"));
    fs::remove_all(dir);
}

TEST_CASE("batch on three ranks writes the single process's results and one manifest", "[cli][mpi]")
{
    REQUIRE_MPI();
    const std::string dir = fresh_temp_dir("mpi_batch");
    const std::string file = dir + "/batch.toml";
    std::ofstream(file) << "[sources]\nseptember = \"" << demo
                        << "police_uk/2019-09-kent-street.csv\"\n"
                        << "[layers]\ndistricts = \"" << demo
                        << "boundaries/kent_districts_2013.geojson\"\nwards = \"" << demo
                        << "boundaries/maidstone_wards_2013.geojson\"\n"
                        << "[defaults]\noffences = \"september\"\nboundaries = [\"districts\", "
                           "\"wards\"]\narea = \"Maidstone\"\nbandwidth = 300\ncell = 50\n"
                        << "[[query]]\nname = \"All crime\"\noperation = \"hotspots\"\n"
                        << "[[query]]\nname = \"High Street\"\noperation = \"kde\"\n"
                           "area = \"High Street\"\n"
                        << "[[query]]\nname = \"Burglary\"\noperation = \"kde\"\n"
                           "crime_type = [\"Burglary\"]\n"
                        << "[[query]]\nname = \"Ward table\"\noperation = \"tables\"\n"
                           "areas = \"wards\"\narea_code_field = \"WD13CD\"\n"
                           "area_name_field = \"WD13NM\"\n"
                        << "[[query]]\nname = \"Too fine\"\noperation = \"kde\"\ncell = 0.01\n";
    const auto one = run_hotspot("batch " + quoted(file) + " --out " + quoted(dir + "/one"));
    const auto three = run_ranks("batch " + quoted(file) + " --out " + quoted(dir + "/three"));
    INFO(three.err);
    // One query fails in both, alone: exit code 5, the others' results written.
    CHECK(one.exit_code == 5);
    REQUIRE(three.exit_code == 5);
    const auto names = files_in(dir + "/one");
    CHECK(files_in(dir + "/three") == names);
    CHECK(names.count("all-crime/patrol_list.csv") == 1);
    for (const auto& name : names)
    {
        // Logs and summaries carry times; GeoPackages carry the time they were written.
        const std::string leaf = fs::path(name).filename().string();
        if (leaf == "log.txt" || leaf == "summary.json" || leaf == "manifest.json" ||
            fs::path(name).extension() == ".gpkg")
            continue;
        INFO(name);
        CHECK(slurp(dir + "/one/" + name) == slurp(dir + "/three/" + name));
    }
    // One manifest, by rank 0, with every query's outcome as the single process has it.
    const auto m1 = nlohmann::json::parse(slurp(dir + "/one/manifest.json"));
    const auto m3 = nlohmann::json::parse(slurp(dir + "/three/manifest.json"));
    REQUIRE(m3["queries"].size() == 5);
    CHECK(m3["failed"] == 1);
    for (std::size_t q = 0; q < 5; ++q)
    {
        INFO(m1["queries"][q]["name"]);
        for (const char* key : {"name", "folder", "status", "exit_code", "error", "outputs"})
            CHECK(m3["queries"][q][key] == m1["queries"][q][key]);
        if (m1["queries"][q]["status"] == "ok")
            for (const char* count : {"records_read", "used", "rejected"})
                CHECK(m3["queries"][q]["figures"]["offences"][count] ==
                      m1["queries"][q]["figures"]["offences"][count]);
    }
    // Each rank reported its own queries.
    for (const char* rank : {"rank 0 [", "rank 1 [", "rank 2 ["})
        CHECK_THAT(three.err, Catch::Contains(rank));
    // Nothing staged is left beside the results.
    std::set<std::string> beside;
    for (const auto& entry : fs::directory_iterator(dir))
        beside.insert(entry.path().filename().string());
    CHECK(beside == std::set<std::string>{"batch.toml", "one", "three"});
    // A rank that cannot read the sources stops every rank before anything runs, and is named.
    const auto unreadable = run_ranks("batch " + quoted(file) + " --out " + quoted(dir + "/none"),
                                      "HOTSPOT_FAULT=unreadable:2");
    INFO(unreadable.err);
    CHECK(unreadable.exit_code == 2);
    CHECK_THAT(unreadable.err, Catch::Contains("hotspot: rank 2: 1 problem in"));
    CHECK_THAT(unreadable.err,
               Catch::Contains("2019-09-kent-street.csv: cannot be read on this node"));
    CHECK_FALSE(fs::exists(dir + "/none"));
    std::set<std::string> after;
    for (const auto& entry : fs::directory_iterator(dir))
        after.insert(entry.path().filename().string());
    CHECK(after == beside);
    fs::remove_all(dir);
}

TEST_CASE("A rank lost or failing mid-run fails the whole run and writes nothing", "[cli][mpi]")
{
    REQUIRE_MPI();
    const std::string dir = fresh_temp_dir("mpi_fault");
    const std::string job = "kde --offences " + september + " --boundaries " + districts +
                            " --area Maidstone --bandwidth 300 --cell 25 ";
    // Killed: mpirun names the rank and ends the others.
    const auto killed =
        run_ranks(job + "--out " + quoted(dir + "/killed.tif"), "HOTSPOT_FAULT=kill:1");
    INFO(killed.err);
    CHECK(killed.exit_code != 0);
    CHECK_THAT(killed.err, Catch::Contains("rank 1"));
    // Failing: rank 0 says which rank and why, after the others are done, and exits cleanly.
    const auto failed =
        run_ranks(job + "--out " + quoted(dir + "/failed.tif"), "HOTSPOT_FAULT=fail:2");
    INFO(failed.err);
    CHECK(failed.exit_code == 1);
    CHECK_THAT(failed.err, Catch::Contains("hotspot: rank 2 failed: out of memory holding"));
    // A rank that cannot read its share of the offences: named with the file, exit code 4.
    const auto unreadable = run_ranks(job + "--out " + quoted(dir + "/unreadable.tif"),
                                      "HOTSPOT_MIN_PIECE_BYTES=100000 HOTSPOT_FAULT=unreadable:1");
    INFO(unreadable.err);
    CHECK(unreadable.exit_code == 4);
    CHECK_THAT(unreadable.err, Catch::Contains("hotspot: rank 1 failed: ") &&
                                   Catch::Contains("2019-09-kent-street.csv: cannot be read"));
    CHECK_FALSE(fs::exists(dir + "/unreadable.tif"));
    // The same in tiles: the folder does not appear.
    const auto tiles =
        run_ranks(job + "--tiles-dir " + quoted(dir + "/tiles"), "HOTSPOT_FAULT=fail:1");
    CHECK(tiles.exit_code == 1);
    CHECK_THAT(tiles.err, Catch::Contains("rank 1 failed"));
    // No output, and nothing staged left behind by the clean failures.
    CHECK_FALSE(fs::exists(dir + "/killed.tif"));
    CHECK_FALSE(fs::exists(dir + "/failed.tif"));
    CHECK_FALSE(fs::exists(dir + "/tiles"));
    for (const auto& entry : fs::directory_iterator(dir))
        CHECK(entry.path().filename().string().find("failed") == std::string::npos);
    fs::remove_all(dir);
}
