// `hotspot batch` end to end: the shipped weekly batch, identical results, checking before running,
// failures that do not stop the others, and folders that stay inside the output.

#include "run_command.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace hotspot::testsupport;
namespace fs = std::filesystem;

namespace
{
// A batch file in `dir` whose named data point at the demo data.
std::string batch_file(const std::string& dir, const std::string& queries)
{
    const std::string path = dir + "/batch.toml";
    std::ofstream(path)
        << "[sources]\nseptember = \"" << demo << "police_uk/2019-09-kent-street.csv\"\n"
        << "[layers]\ndistricts = \"" << demo << "boundaries/kent_districts_2013.geojson\"\n"
        << "wards = \"" << demo << "boundaries/maidstone_wards_2013.geojson\"\n"
        << "[places]\nmaidstone = \"" << demo << "places/maidstone_places.csv\"\n"
        << "[defaults]\noffences = \"september\"\nboundaries = [\"districts\", \"wards\"]\n"
        << "area = \"Maidstone\"\nbandwidth = 300\ncell = 50\n"
        << queries;
    return path;
}
} // namespace

TEST_CASE("The shipped weekly batch runs every query into its own folder, with a manifest",
          "[cli][batch]")
{
    const std::string dir = fresh_temp_dir("batch_weekly");
    const auto r = run_hotspot("batch " + quoted(demo + "batch_weekly.toml") + " --out " +
                               quoted(dir + "/weekly"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto manifest = nlohmann::json::parse(slurp(dir + "/weekly/manifest.json"));
    CHECK(manifest["failed"] == 0);
    REQUIRE(manifest["queries"].size() == 12);
    for (const auto& q : manifest["queries"])
    {
        INFO(q["name"]);
        CHECK(q["status"] == "ok");
        CHECK(fs::exists(dir + "/weekly/" + q["folder"].get<std::string>() + "/summary.json"));
        CHECK_FALSE(q["outputs"].empty());
    }
    const auto& top = manifest["queries"][0]["figures"]["hotspots"][0];
    CHECK(top["name"] == "Brenchley Gardens");
    CHECK(fs::exists(dir + "/weekly/all-crime-hotspots/map.png"));
    CHECK_THAT(r.err, Catch::Contains("[12/12]"));
    fs::remove_all(dir);
}

TEST_CASE("A batch query's results are byte-identical to the same command run alone",
          "[cli][batch]")
{
    const std::string dir = fresh_temp_dir("batch_identical");
    const std::string file = batch_file(
        dir, "[[query]]\nname = \"High Street\"\noperation = \"kde\"\narea = \"High Street\"\n"
             "[[query]]\nname = \"Violence\"\noperation = \"hotspots\"\n"
             "crime_type = [\"Violence and sexual offences\"]\nplaces = \"maidstone\"\n");
    REQUIRE(run_hotspot("batch " + quoted(file) + " --out " + quoted(dir + "/out") + " --quiet")
                .exit_code == 0);
    const std::string layers =
        " --boundaries " + quoted(demo + "boundaries/kent_districts_2013.geojson") +
        " --boundaries " + quoted(demo + "boundaries/maidstone_wards_2013.geojson");
    const std::string offences =
        " --offences " + quoted(demo + "police_uk/2019-09-kent-street.csv");
    REQUIRE(run_hotspot("kde" + offences + layers +
                        " --area 'High Street' --bandwidth 300 --cell 50 --out " +
                        quoted(dir + "/alone.tif") + " --quiet")
                .exit_code == 0);
    CHECK(slurp(dir + "/alone.tif") == slurp(dir + "/out/high-street/density.tif"));
    REQUIRE(run_hotspot("hotspots" + offences + layers +
                        " --area Maidstone --bandwidth 300 --cell 50 --crime-type "
                        "'Violence and sexual offences' --places " +
                        quoted(demo + "places/maidstone_places.csv") + " --out-dir " +
                        quoted(dir + "/alone") + " --quiet")
                .exit_code == 0);
    CHECK(slurp(dir + "/alone/patrol_list.csv") == slurp(dir + "/out/violence/patrol_list.csv"));
    CHECK(slurp(dir + "/alone/density.tif") == slurp(dir + "/out/violence/density.tif"));
    fs::remove_all(dir);
}

TEST_CASE("A batch source of several months gives what the command gives with them all",
          "[cli][batch]")
{
    const std::string dir = fresh_temp_dir("batch_months");
    const std::string sep = demo + "police_uk/2019-09-kent-street.csv";
    const std::string nov = demo + "police_uk/2019-11-kent-street.csv";
    const std::string file = batch_file(
        dir, "[[query]]\nname = \"autumn\"\noperation = \"kde\"\noffences = \"autumn\"\n"
             "crime_type = [\"Burglary\"]\n"
             "[[query]]\nname = \"november\"\noperation = \"kde\"\noffences = \"autumn\"\n"
             "from = \"2019-11\"\n");
    std::ofstream(file, std::ios::app)
        << "[sources.autumn]\noffences = [\"" << sep << "\", \"" << nov << "\"]\n";
    const auto r =
        run_hotspot("batch " + quoted(file) + " --out " + quoted(dir + "/out") + " --quiet");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string job =
        " --offences " + quoted(sep) + " --offences " + quoted(nov) + " --boundaries " +
        quoted(demo + "boundaries/kent_districts_2013.geojson") + " --boundaries " +
        quoted(demo + "boundaries/maidstone_wards_2013.geojson") +
        " --area Maidstone --bandwidth 300 --cell 50 --quiet";
    REQUIRE(run_hotspot("kde" + job + " --crime-type Burglary --out " + quoted(dir + "/autumn.tif"))
                .exit_code == 0);
    CHECK(slurp(dir + "/autumn.tif") == slurp(dir + "/out/autumn/density.tif"));
    REQUIRE(run_hotspot("kde" + job + " --from 2019-11 --out " + quoted(dir + "/november.tif"))
                .exit_code == 0);
    CHECK(slurp(dir + "/november.tif") == slurp(dir + "/out/november/density.tif"));
    fs::remove_all(dir);
}

TEST_CASE("A batch takes lengths with their units, as the command line does, and counts as numbers",
          "[cli][batch]")
{
    const std::string dir = fresh_temp_dir("batch_units");
    const std::string file = batch_file(
        dir, "[[query]]\nname = \"metres\"\noperation = \"kde\"\narea = \"High Street\"\n"
             "[[query]]\nname = \"kilometres\"\noperation = \"kde\"\narea = \"High Street\"\n"
             "bandwidth = \"0.3km\"\ncell = \"50m\"\n");
    const auto r =
        run_hotspot("batch " + quoted(file) + " --out " + quoted(dir + "/out") + " --quiet");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(slurp(dir + "/out/metres/density.tif") == slurp(dir + "/out/kilometres/density.tif"));

    const std::string bad = batch_file(
        dir, "[[query]]\nname = \"furlongs\"\noperation = \"kde\"\ncell = \"2furlongs\"\n"
             "[[query]]\nname = \"words\"\noperation = \"kde\"\nmin_count = \"5\"\n"
             "[[query]]\nname = \"wide\"\noperation = \"hotspots\"\nbandwidth = \"2furlongs\"\n");
    const auto refused = run_hotspot("batch " + quoted(bad) + " --out " + quoted(dir + "/bad"));
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("query 'furlongs'") &&
                                Catch::Contains("--cell: '2furlongs' is not a number"));
    CHECK_THAT(refused.err, Catch::Contains("query 'words': 'min-count' takes a number"));
    CHECK_THAT(refused.err, Catch::Contains("query 'wide': --bandwidth '2furlongs' is neither a "
                                            "length"));
    CHECK_FALSE(fs::exists(dir + "/bad"));
    fs::remove_all(dir);
}

TEST_CASE("Every command runs in a batch, checked against the data before anything runs",
          "[cli][batch]")
{
    const std::string dir = fresh_temp_dir("batch_every_command");
    const std::string file = batch_file(
        dir, "[[query]]\nname = \"stacks\"\noperation = \"snap-points\"\nmin_records = 20\n");
    const auto r =
        run_hotspot("batch " + quoted(file) + " --out " + quoted(dir + "/out") + " --quiet");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(run_hotspot("snap-points --offences " +
                        quoted(demo + "police_uk/2019-09-kent-street.csv") +
                        " --min-records 20 --quiet --out " + quoted(dir + "/alone.csv"))
                .exit_code == 0);
    CHECK(slurp(dir + "/alone.csv") == slurp(dir + "/out/stacks/snap_points.csv"));

    // Commands the batch once left unchecked until their turn came.
    const std::string bad =
        batch_file(dir, "[[query]]\nname = \"stacks\"\noperation = \"snap-points\"\n"
                        "crime_type = [\"Burglery\"]\n"
                        "[[query]]\nname = \"rising\"\noperation = \"trends\"\n"
                        "crime_type = [\"Shoplfting\"]\n"
                        "[[query]]\nname = \"magic\"\noperation = \"teleport\"\n");
    const auto refused = run_hotspot("batch " + quoted(bad) + " --out " + quoted(dir + "/bad"));
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("query 'stacks': crime type 'Burglery' is not in"));
    CHECK_THAT(refused.err, Catch::Contains("query 'rising': crime type 'Shoplfting' is not in"));
    CHECK_THAT(refused.err, Catch::Contains("near-repeat, patrol-plan, predict, reconcile, "
                                            "snap-points, tables, trends, when"));
    CHECK_FALSE(fs::exists(dir + "/bad"));
    fs::remove_all(dir);
}

TEST_CASE("A batch is checked whole before anything runs: every problem, with its line",
          "[cli][batch]")
{
    const std::string dir = fresh_temp_dir("batch_checks");
    const std::string file = batch_file(
        dir, "[[query]]\nname = \"typo\"\noperation = \"kde\"\nbandwidht = 250\n"     // lines 14-17
             "[[query]]\nname = \"words\"\noperation = \"hotspots\"\nk = \"three\"\n" // lines 18-21
             "[[query]]\nname = \"typo\"\noperation = \"kde\"\n"
             "[[query]]\nname = \"place\"\noperation = \"map\"\narea = \"Maidstne\"\n"
             "[[query]]\nname = \"crime\"\noperation = \"kde\"\ncrime_type = [\"Burglery\"]\n"
             "[[query]]\nname = \"outputs\"\noperation = \"kde\"\nout = \"x.tif\"\n"
             "[[query]]\nname = \"magic\"\noperation = \"teleport\"\n");
    const auto r = run_hotspot("batch " + quoted(file) + " --out " + quoted(dir + "/out"));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("7 problems") && Catch::Contains("nothing was run"));
    CHECK_THAT(r.err, Catch::Contains("batch.toml:17: query 'typo': unknown option 'bandwidht'") &&
                          Catch::Contains("bandwidth"));
    CHECK_THAT(r.err, Catch::Contains("batch.toml:21: query 'words': 'k' takes a number"));
    CHECK_THAT(r.err, Catch::Contains("query 'typo': the name is used twice"));
    CHECK_THAT(r.err, Catch::Contains("query 'place': --area") && Catch::Contains("Maidstone"));
    CHECK_THAT(r.err, Catch::Contains("query 'crime': crime type 'Burglery'") &&
                          Catch::Contains("Burglary"));
    CHECK_THAT(r.err, Catch::Contains("query 'outputs': 'out' is set by the batch"));
    CHECK_THAT(r.err, Catch::Contains("query 'magic': operation 'teleport'"));
    CHECK_FALSE(fs::exists(dir + "/out"));

    std::ofstream(dir + "/broken.toml") << "[[query]]\nname = \"a\"\nbandwidth = [1,\n";
    const auto broken =
        run_hotspot("batch " + quoted(dir + "/broken.toml") + " --out " + quoted(dir + "/out"));
    CHECK(broken.exit_code == 2);
    CHECK_THAT(broken.err, Catch::Contains("broken.toml:3:"));
    fs::remove_all(dir);
}

TEST_CASE("A failing query does not stop the others, and the exit code says so", "[cli][batch]")
{
    const std::string dir = fresh_temp_dir("batch_failure");
    const std::string file = batch_file(
        dir, "[[query]]\nname = \"fine\"\noperation = \"kde\"\n"
             "[[query]]\nname = \"empty period\"\noperation = \"kde\"\nfrom = \"2020-01\"\n"
             "[[query]]\nname = \"../../escape\"\noperation = \"tables\"\nareas = \"wards\"\n"
             "area_code_field = \"WD13CD\"\n");
    const auto r = run_hotspot("batch " + quoted(file) + " --out " + quoted(dir + "/out") +
                               " --summary-json " + quoted(dir + "/summary.json"));
    CHECK(r.exit_code == 5);
    const auto manifest = nlohmann::json::parse(slurp(dir + "/out/manifest.json"));
    // --summary-json writes what the manifest holds, failures included.
    CHECK(nlohmann::json::parse(slurp(dir + "/summary.json")) == manifest);
    CHECK(manifest["failed"] == 1);
    CHECK(manifest["queries"][0]["status"] == "ok");
    CHECK(manifest["queries"][1]["status"] == "failed");
    CHECK(manifest["queries"][1]["exit_code"] == 3);
    CHECK_THAT(manifest["queries"][1]["error"].get<std::string>(),
               Catch::Contains("no offences left"));
    CHECK_THAT(slurp(dir + "/out/empty-period/log.txt"), Catch::Contains("no offences left"));
    // The name cannot lead out of the folder.
    CHECK(manifest["queries"][2]["folder"] == "escape");
    CHECK(fs::exists(dir + "/out/escape/table.csv"));
    CHECK_FALSE(fs::exists(dir + "/escape"));

    // The folder exists now: refused without --overwrite; a dry run checks and writes nothing.
    const auto again = run_hotspot("batch " + quoted(file) + " --out " + quoted(dir + "/out"));
    CHECK(again.exit_code == 4);
    CHECK_THAT(again.err, Catch::Contains("--overwrite"));
    const auto dry =
        run_hotspot("batch " + quoted(file) + " --out " + quoted(dir + "/dry") + " --dry-run");
    CHECK(dry.exit_code == 0);
    CHECK_THAT(dry.out, Catch::Contains("3 queries checked"));
    CHECK_FALSE(fs::exists(dir + "/dry"));
    fs::remove_all(dir);
}
