// End-to-end tests of the `hotspot` command line: exit codes, messages, and outputs read back with
// GDAL.

#include "hotspot/io/geotiff.hpp"
#include "run_command.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace hotspot;
using namespace hotspot::testsupport;
namespace fs = std::filesystem;


TEST_CASE("Version and help", "[cli]")
{
    const auto version = run_hotspot("--version");
    CHECK(version.exit_code == 0);
    CHECK_THAT(version.out, Catch::StartsWith("hotspot 0."));

    const auto help = run_hotspot("help");
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("Bandwidth") && Catch::Contains("per-km2") &&
                             Catch::Contains("Exit codes") && Catch::Contains("Example"));
    // Every command is listed with what it does.
    for (const char* command : {"kde ", "reconcile ", "tables ", "hotspots ", "map ", "evaluate ",
                                "displacement ", "batch ", "compare "})
        CHECK_THAT(help.out, Catch::Contains(std::string("  ") + command));
    CHECK_THAT(help.out, !Catch::Contains("The command to explain"));
    const auto kde_help = run_hotspot("help kde");
    CHECK(kde_help.exit_code == 0);
    CHECK_THAT(kde_help.out, Catch::Contains("--bandwidth") && Catch::Contains("--crime-type"));
    CHECK(run_hotspot("kde --help").exit_code == 0);
    CHECK(run_hotspot("").exit_code == 0);
}

TEST_CASE("help --json describes every command and option, with each option's kind", "[cli]")
{
    const auto described = run_hotspot("help --json");
    REQUIRE(described.exit_code == 0);
    const auto registry = nlohmann::json::parse(described.out);
    CHECK(registry["program"] == "hotspot");
    std::set<std::string> commands;
    const std::set<std::string> kinds = {"points",      "layer",        "raster", "file", "field",
                                         "extent",      "crs",          "length", "area", "date",
                                         "choice",      "integer",      "number", "flag", "text",
                                         "output-file", "output-folder"};
    for (const auto& command : registry["commands"])
    {
        const std::string name = command["name"];
        commands.insert(name);
        // The same options as the command's --help, and each of a known kind.
        const std::string help = run_hotspot("help " + name).out;
        std::map<std::string, std::string> kind_of;
        for (const auto& option : command["options"])
            kind_of[option["name"]] = option["kind"];
        for (const auto& option : command["options"])
        {
            const std::string option_name = option["name"];
            INFO(name << " " << option_name);
            CHECK(kinds.count(option["kind"]));
            if (option_name.rfind("--", 0) == 0)
                CHECK_THAT(help, Catch::Contains(option_name));
            // A field names the option of its layer, in the same command.
            if (option["kind"] == "field")
                CHECK(
                    (kind_of[option["layer"]] == "points" || kind_of[option["layer"]] == "layer"));
        }
        // And every option --help lists is described.
        std::istringstream lines(help);
        for (std::string line; std::getline(lines, line);)
            if (line.rfind("  -", 0) == 0)
            {
                std::string names = line.substr(2, line.find(' ', 2) - 2);
                const auto long_at = names.find("--");
                names = names.substr(long_at, names.find(',', long_at) - long_at);
                if (names != "--help")
                    CHECK(kind_of.count(names));
            }
    }
    CHECK(commands == std::set<std::string>{"kde", "hotspots", "map", "evaluate", "displacement",
                                            "reconcile", "tables", "compare", "snap-points",
                                            "trends", "near-repeat", "predict", "when",
                                            "patrol-plan", "batch"});

    const auto kde = nlohmann::json::parse(run_hotspot("help kde --json").out)["commands"];
    REQUIRE(kde.size() == 1);
    std::map<std::string, nlohmann::json> option;
    for (const auto& o : kde[0]["options"])
        option[o["name"]] = o;
    CHECK(option["--offences"]["kind"] == "points");
    CHECK(option["--offences"]["required"] == true);
    CHECK(option["--cell"]["kind"] == "length");
    CHECK(option["--cell"]["unit"] == "m");
    CHECK(option["--extent"]["kind"] == "extent");
    CHECK(option["--boundaries"]["geometry"] == "polygon");
    CHECK(option["--out"]["kind"] == "output-file");
    CHECK(option["--out"]["extensions"] == "tif");
    CHECK(option["--out"]["excludes"] == nlohmann::json::array({"--tiles-dir"}));
    CHECK(option["--date-field"]["layer"] == "--offences");
    CHECK(option["--untimed"]["choices"] == nlohmann::json::array({"day", "drop"}));
    CHECK(option["--untimed"]["default"] == "day");
    CHECK(option["--crime-type"]["repeatable"] == true);
    CHECK(option["--crime-type"]["parameter"] == "CRIME_TYPE");
    CHECK(option["--target-crs"]["kind"] == "crs");
    CHECK(option["--adaptive"]["kind"] == "flag");
    // --help names what a value is.
    CHECK_THAT(run_hotspot("help kde").out,
               Catch::Contains("--date-field FIELD") && Catch::Contains("--target-crs CRS"));
    CHECK(run_hotspot("help frobnicate --json").exit_code == 2);
}

TEST_CASE("A fixed legend top (--legend-max) styles weekly surfaces alike, and --sld writes SLD",
          "[cli][style]")
{
    const std::string dir = fresh_temp_dir("legend_max");
    const std::string base = "kde --offences " + september +
                             " --cell 100 --bandwidth 400 --extent 570000,150000,580000,160000";
    const auto refused = run_hotspot(base + " --legend-max -3 --out " + quoted(dir + "/x.tif"));
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("--legend-max must be a positive number"));
    CHECK(!fs::exists(dir + "/x.tif"));
    REQUIRE(run_hotspot(base + " --legend-max 800 --sld --out " + quoted(dir + "/week.tif"))
                .exit_code == 0);
    CHECK_THAT(slurp(dir + "/week.qml"), Catch::Contains("classificationMax=\"800\""));
    CHECK_THAT(slurp(dir + "/week.sld"), Catch::Contains("quantity=\"800\""));
    // A published surface's style carries the legend only: no kernel, no bandwidth.
    REQUIRE(
        run_hotspot(base + " --publish public --out " + quoted(dir + "/public.tif")).exit_code ==
        0);
    for (const char* word : {"bandwidth", "quartic", "kernel"})
        CHECK_THAT(slurp(dir + "/public.qml"), !Catch::Contains(word));
}

TEST_CASE("Usage errors exit 2 and name the problem", "[cli]")
{
    const auto unknown = run_hotspot("kde --fly-me-to-the-moon");
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.out.empty());
    CHECK_THAT(unknown.err, Catch::Contains("fly-me-to-the-moon"));

    const auto missing = run_hotspot("kde --offences x.csv");
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.err, Catch::Contains("--out"));

    CHECK(run_hotspot("frobnicate").exit_code == 2);
    CHECK(run_hotspot("help frobnicate").exit_code == 2);

    // Slips are met with the nearest name, in plain words rather than the parser's.
    const std::string sept = " --offences " + september + " --out x.tif";
    const auto slip = run_hotspot("kde" + sept + " --bandwith 300");
    CHECK(slip.exit_code == 2);
    CHECK_THAT(slip.err, Catch::Contains("unknown option --bandwith for kde. Did you mean "
                                         "--bandwidth?") &&
                             !Catch::Contains("300"));
    const auto command = run_hotspot("hotspts" + sept);
    CHECK(command.exit_code == 2);
    CHECK_THAT(command.err, Catch::Contains("unknown command 'hotspts'. Did you mean hotspots?"));
    const auto twice = run_hotspot("kde" + sept + " --cell 25 --cell 50");
    CHECK(twice.exit_code == 2);
    CHECK_THAT(twice.err,
               Catch::Contains("--cell given twice") && !Catch::Contains("At Most 1 required"));
    const auto not_number = run_hotspot("kde" + sept + " --cell 25x");
    CHECK(not_number.exit_code == 2);
    CHECK_THAT(not_number.err, Catch::Contains("--cell: '25x' is not a number"));
    const auto help = run_hotspot("help kde");
    CHECK_THAT(help.out, Catch::Contains("--threads N") && Catch::Contains("(0 = all cores") &&
                             !Catch::Contains("INT:INT"));
}

TEST_CASE("kde end to end: a GeoTIFF that reads back with its CRS, nodata, metadata and mass",
          "[cli]")
{
    const std::string dir = fresh_temp_dir("kde");
    const std::string tif = dir + "/maidstone.tif";
    const std::string json = dir + "/summary.json";
    const std::string rejects = dir + "/rejects.csv";
    const auto r = run_hotspot("kde --offences " + september + " --boundaries " + districts +
                               " --area Maidstone --bandwidth 300 --cell 50 --out " + quoted(tif) +
                               " --summary-json " + quoted(json) + " --rejects " + quoted(rejects));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("read     18408") && Catch::Contains("no_location") &&
                          Catch::Contains("EPSG:27700"));

    const auto back = io::read_geotiff(tif);
    CHECK(back.data_type == "Float32");
    CHECK(back.crs.authority == "EPSG:27700");
    REQUIRE(back.nodata.has_value());
    CHECK(*back.nodata == -9999.0);
    CHECK(back.metadata.at("HOTSPOT_KERNEL") == "quartic");
    CHECK(back.metadata.at("HOTSPOT_BANDWIDTH_M") == "300.000000");
    CHECK(back.metadata.at("HOTSPOT_UNITS") == "per-km2");
    CHECK(back.metadata.at("HOTSPOT_AREA") == "Maidstone");
    CHECK(back.metadata.at("HOTSPOT_PERIOD") == "2019-09..2019-09");
    CHECK(std::fmod(back.geotransform[0], 50.0) == 0.0); // snapped to whole cells
    CHECK(std::fmod(back.geotransform[3], 50.0) == 0.0);

    // Outside the borough is nodata; inside, density per km2 times cell area sums to the offences
    // that lie well inside the borough, give or take those near its edge.
    std::size_t nodata = 0;
    double mass = 0, peak = 0;
    for (const double v : back.raster.values)
    {
        if (v == -9999.0)
            ++nodata;
        else
        {
            mass += v * 0.0025; // 50 m cells: 0.0025 km2
            peak = std::max(peak, v);
        }
    }
    CHECK(nodata > back.raster.values.size() / 10);
    CHECK(mass > 1400);
    CHECK(mass < 2000); // Maidstone has about 1,650 located offences in September 2019
    CHECK(peak > 300);  // offences per km2 in the town centre

    const auto summary = nlohmann::json::parse(slurp(json));
    CHECK(summary["offences"]["records_read"].get<int>() == 18408);
    CHECK(summary["offences"]["used"].get<int>() + summary["offences"]["rejected"].get<int>() ==
          18408);
    CHECK(summary["grid"]["cols"].get<int>() == back.raster.grid.cols);
    // The counts name their population: Kent's offences after the filters, Maidstone's inside the
    // borough, and those the surface counts (inside, or within 300 m of it).
    const auto& population = summary["population"];
    const auto after_filters = population["after_filters"].get<std::int64_t>();
    const auto inside = population["inside_area"].get<std::int64_t>();
    const auto counted = population["counted"].get<std::int64_t>();
    CHECK(after_filters == summary["offences"]["used"].get<std::int64_t>());
    CHECK(inside > 1600);
    CHECK(inside < 1700);
    CHECK(counted > inside);
    CHECK(counted < inside + 200);
    CHECK(back.metadata.at("HOTSPOT_OFFENCES_AFTER_FILTERS") == std::to_string(after_filters));
    CHECK(back.metadata.at("HOTSPOT_OFFENCES_INSIDE_AREA") == std::to_string(inside));
    CHECK_THAT(back.metadata.at("HOTSPOT_OFFENCES_COUNTED"),
               Catch::StartsWith(std::to_string(counted) + " (inside Maidstone"));
    CHECK_THAT(r.out, Catch::Contains(std::to_string(inside) + " offences inside Maidstone"));
    CHECK(back.unit == "offences per km²");
    const std::string rejected = slurp(rejects);
    CHECK(std::count(rejected.begin(), rejected.end(), '\n') == 1 + 277);
    fs::remove_all(dir);
}

TEST_CASE("Lengths take their units: 250m, 0.25km and 820.2099737532808ft are one bandwidth",
          "[cli][units]")
{
    const std::string dir = fresh_temp_dir("units");
    const std::string base =
        "kde --offences " + september + " --extent 566000,145800,586000,165800 --quiet --out ";
    REQUIRE(
        run_hotspot(base + quoted(dir + "/bare.tif") + " --cell 50 --bandwidth 250").exit_code ==
        0);
    REQUIRE(run_hotspot(base + quoted(dir + "/m.tif") + " --cell 50m --bandwidth 250m").exit_code ==
            0);
    REQUIRE(run_hotspot(base + quoted(dir + "/km.tif") + " --cell 0.05km --bandwidth 0.25km")
                .exit_code == 0);
    CHECK(slurp(dir + "/bare.tif") == slurp(dir + "/m.tif"));
    CHECK(slurp(dir + "/bare.tif") == slurp(dir + "/km.tif"));
    // Feet are international feet: 250 m is 820.2099737532808 ft.
    REQUIRE(
        run_hotspot(base + quoted(dir + "/ft.tif") + " --cell 50 --bandwidth 820.2099737532808ft")
            .exit_code == 0);
    const auto ft = io::read_geotiff(dir + "/ft.tif");
    CHECK(std::stod(ft.metadata.at("HOTSPOT_BANDWIDTH_M")) == Approx(250).epsilon(1e-12));
    const auto bad = run_hotspot(base + quoted(dir + "/x.tif") + " --bandwidth 300 parsecs");
    CHECK(bad.exit_code == 2);
    const auto worse = run_hotspot(base + quoted(dir + "/x.tif") + " --bandwidth 3furlongs");
    CHECK(worse.exit_code == 2);
    CHECK_THAT(worse.err, Catch::Contains("neither a length"));
    fs::remove_all(dir);
}

TEST_CASE("kde output is byte-identical for 1 and 2 threads", "[cli][threads]")
{
    const std::string dir = fresh_temp_dir("threads");
    const std::string base =
        "kde --offences " + september +
        " --extent 566000,145800,586000,165800 --cell 25 --bandwidth 250 --quiet";
    REQUIRE(run_hotspot(base + " --threads 1 --out " + quoted(dir + "/t1.tif")).exit_code == 0);
    REQUIRE(run_hotspot(base + " --threads 2 --out " + quoted(dir + "/t2.tif")).exit_code == 0);
    const std::string a = slurp(dir + "/t1.tif"), b = slurp(dir + "/t2.tif");
    CHECK(a.size() > 1000);
    CHECK(a == b);
    fs::remove_all(dir);
}

TEST_CASE("kde defaults: the ArcGIS bandwidth rule and a readable cell near a 250th of the extent",
          "[cli]")
{
    const std::string dir = fresh_temp_dir("defaults");
    const auto r = run_hotspot("kde --offences " + quoted(fixtures + "offences_xy_27700.csv") +
                               " --crs EPSG:27700 --out " + quoted(dir + "/d.tif"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("ArcGIS rule") && Catch::Contains("cells of"));
    const auto back = io::read_geotiff(dir + "/d.tif");
    // A 250th of the shorter side, rounded to 1, 2, 2.5 or 5 times a power of ten (at most a
    // factor of sqrt(2) either way), plus at most one cell from snapping outwards.
    const double cell = back.raster.grid.cell_m;
    CHECK(cell == hotspot::engine::readable_size(cell));
    CHECK(std::min(back.raster.grid.cols, back.raster.grid.rows) >= 250 / std::sqrt(2.0));
    CHECK(std::min(back.raster.grid.cols, back.raster.grid.rows) <= 250 * std::sqrt(2.0) + 1);
    fs::remove_all(dir);
}

TEST_CASE("With --area, the default bandwidth follows the offences in the area", "[cli]")
{
    // Shepway holds 1,065 of Kent's September records (hotspot tables: 887 crimes and 178
    // anti-social behaviour); the rule on all of Kent would give about 3.9 km.
    const std::string dir = fresh_temp_dir("area_bandwidth");
    const auto r = run_hotspot("kde --offences " + september + " --boundaries " + districts +
                               " --area Shepway --out " + quoted(dir + "/s.tif") +
                               " --summary-json " + quoted(dir + "/s.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto summary = nlohmann::json::parse(slurp(dir + "/s.json"));
    CHECK_THAT(summary["bandwidth_source"].get<std::string>(),
               Catch::Contains("n 1065") && Catch::Contains("offences in Shepway"));
    CHECK(summary["bandwidth_m"].get<double>() < 1500.0);
    CHECK(summary["cell_m"].get<double>() == 100.0);
    fs::remove_all(dir);
}

TEST_CASE("A default grid stretched by far-off offences is called out", "[cli]")
{
    const std::string dir = fresh_temp_dir("stretched");
    const auto r = run_hotspot("kde --offences " + september + " --out " + quoted(dir + "/k.tif"));
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("far from the rest") && Catch::Contains("--extent"));
    fs::remove_all(dir);
}

TEST_CASE("Bad input: clear messages and documented exit codes", "[cli]")
{
    const std::string dir = fresh_temp_dir("bad");
    {
        std::ofstream png(dir + "/map.png", std::ios::binary);
        png << "\x89PNG\r\n\x1a\n" << std::string(64, '\0');
    }
    const std::string out = " --out " + quoted(dir + "/x.tif");
    const std::vector<Refusal> cases{
        {"kde --offences /no/such.csv" + out, 4, "no such file"},
        {"kde --offences " + september + " --x-field Easting" + out, 2, "Longitude"},
        {"kde --offences " + september + " --from 2020-01" + out, 3,
         "no offences left to use out of 18408 records (rejected: outside_period 18408); the data "
         "cover 2019-09 (by the police.uk files' names)"},
        {"kde --offences " + quoted(std::string(HOTSPOT_SOURCE_DIR) + "/data/places/../README.md") +
             out,
         3, "seems to be text, but not a table"},
        {"kde --offences " + quoted(dir + "/map.png") + out, 3, "seems to be a PNG image"},
        {"kde --offences " + september + " --from 2019-9" + out, 2, "YYYY-MM"},
        {"kde --offences " + september + " --from 2019-09-15" + out, 3,
         "(rejected: bad_date 18408); records dated to the month only (as police.uk's) count only "
         "where the period takes their whole month: give whole months, such as --from 2019-09"},
        {"kde --offences " + september + " --crime-type Burglery" + out, 2, "Burglary"},
        {"kde --offences " + september + " --bandwidth -5" + out, 2, "--bandwidth"},
        {"kde --offences " + september + " --bandwidth 5000000" + out, 2, "absurd"},
        {"kde --offences " + september + " --cell 0" + out, 2, "--cell"},
        {"kde --offences " + september + " --bandwidth 1 --cell 0.01" + out, 2, "over the limit"},
        {"kde --offences " + september + " --bandwidth 300 --cell 25 --memory-limit 100M" + out, 2,
         "--memory-limit"},
        {"kde --offences " + september + " --memory-limit lots" + out, 2, "amount of memory"},
        {"kde --offences " + quoted(fixtures) + " --force essex" + out, 3, "--force essex"},
        {"kde --offences " + september + " --bandwidth 250 --cell 0.01" + out, 2, "absurd"},
        {"kde --offences " + september + " --kernel biweight" + out, 2, "quartic"},
        {"kde --offences " + september + " --target-crs EPSG:4326" + out, 2, "degrees"},
        {"kde --offences " + september + " --boundaries " + districts + " --area Maidstne" + out, 2,
         "Maidstone"},
        {"kde --offences " + september + " --area Maidstone" + out, 2, "--boundaries"},
        {"kde --offences " + september + " --extent 1,2,3" + out, 2, "--extent"},
        {"kde --offences " + september + " --out /no/such/folder/x.tif", 4, "does not exist"},
        {"kde --offences " + quoted(fixtures + "swapped_lonlat.csv") + out, 3, "swapped"},
    };
    check_refusals(cases, [&] { CHECK_FALSE(fs::exists(dir + "/x.tif")); });
    fs::remove_all(dir);
}

TEST_CASE("Many files in: two months, a folder by force, and the memory guard", "[cli]")
{
    const std::string dir = fresh_temp_dir("many");
    const std::string job = " --boundaries " + districts +
                            " --area Maidstone --bandwidth 300 --cell 50 --quiet --summary-json ";
    // The police.uk download layout: a folder per month.
    for (const char* month : {"2019-09", "2019-11"})
    {
        fs::create_directories(dir + "/download/" + month);
        fs::copy_file(HOTSPOT_SOURCE_DIR "/data/police_uk/" + std::string(month) +
                          "-kent-street.csv",
                      dir + "/download/" + month + "/" + month + "-kent-street.csv");
    }
    const auto two = run_hotspot("kde --offences " + september + " --offences " + november + job +
                                 quoted(dir + "/two.json") + " --out " + quoted(dir + "/two.tif"));
    REQUIRE(two.exit_code == 0);
    const auto folder =
        run_hotspot("kde --offences " + quoted(dir + "/download") + " --force Kent" + job +
                    quoted(dir + "/folder.json") + " --out " + quoted(dir + "/folder.tif"));
    REQUIRE(folder.exit_code == 0);
    // The same records give the same surface, bit for bit, and the same account.
    CHECK(io::read_geotiff(dir + "/two.tif").raster.values ==
          io::read_geotiff(dir + "/folder.tif").raster.values);
    auto a = nlohmann::json::parse(slurp(dir + "/two.json"))["offences"];
    auto b = nlohmann::json::parse(slurp(dir + "/folder.json"))["offences"];
    CHECK(a["seconds"].contains("parse"));
    a.erase("seconds");
    b.erase("seconds");
    CHECK(a == b);
    // --from/--to leave November's file unread.
    const auto sep =
        run_hotspot("kde --offences " + quoted(dir + "/download") +
                    " --to 2019-09 --bandwidth 300 --cell 100 --out " + quoted(dir + "/sep.tif"));
    REQUIRE(sep.exit_code == 0);
    CHECK_THAT(sep.out, Catch::Contains("1 monthly files outside --from/--to skipped"));
    // A memory limit that holds the run lets it through.
    CHECK(run_hotspot("kde --offences " + september +
                      " --bandwidth 300 --cell 100 --memory-limit 1G --quiet --out " +
                      quoted(dir + "/limited.tif"))
              .exit_code == 0);
    fs::remove_all(dir);
}

TEST_CASE("A grid over the memory limit is written strip by strip, byte for byte the same",
          "[cli][strips]")
{
    const std::string dir = fresh_temp_dir("strips");
    // 5,830 x 4,568 cells: about 350 MB in memory, about 180 MB a strip at a time.
    const std::string job = "kde --offences " + september + " --boundaries " + districts +
                            " --area Maidstone --bandwidth 300 --cell 5 --out ";
    const auto whole = run_hotspot(job + quoted(dir + "/whole.tif") + " --quiet");
    REQUIRE(whole.exit_code == 0);
    const auto strips =
        run_hotspot(job + quoted(dir + "/strips.tif") + " --memory-limit 250M --summary-json " +
                    quoted(dir + "/strips.json"));
    REQUIRE(strips.exit_code == 0);
    CHECK_THAT(strips.out, Catch::Contains("held whole, over the limit of 250.0 MiB "
                                           "(--memory-limit): computed and written 512 rows at a "
                                           "time"));
    // The help says what the run did.
    CHECK_THAT(run_hotspot("help kde").out, Catch::Contains("writes its grid 512 rows at a time"));
    CHECK(nlohmann::json::parse(slurp(dir + "/strips.json"))["written_in_strips"] == true);
    CHECK(slurp(dir + "/whole.tif") == slurp(dir + "/strips.tif"));
    // The QGIS style's legend reaches the same peak whether the surface was held or streamed.
    CHECK(slurp(dir + "/whole.qml") == slurp(dir + "/strips.qml"));
    // Nothing staged is left behind: each GeoTIFF, its style and the summary.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir))
        ++files;
    CHECK(files == 5);
    // A grid over 512 MiB held whole is streamed without a limit: 8,329 x 6,526 cells at 3.5 m.
    const std::string fine = "kde --offences " + september + " --boundaries " + districts +
                             " --area Maidstone --bandwidth 300 --cell 3.5 --out ";
    const auto large = run_hotspot(fine + quoted(dir + "/large.tif") + " --summary-json " +
                                   quoted(dir + "/large.json"));
    REQUIRE(large.exit_code == 0);
    CHECK_THAT(large.out, Catch::Contains("held whole, past the 512.0 MiB beyond which strips are "
                                          "faster: computed and written 512 rows at a time"));
    CHECK(nlohmann::json::parse(slurp(dir + "/large.json"))["written_in_strips"] == true);
    for (const char* name : {"/large.tif", "/large.qml", "/large.json"})
        fs::remove(dir + name);
    // A limit that not even strips fit is refused before any work, and nothing is written.
    const auto refused = run_hotspot(job + quoted(dir + "/none.tif") + " --memory-limit 100M");
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("even a strip at a time"));
    CHECK_FALSE(fs::exists(dir + "/none.tif"));
    fs::remove_all(dir);
}

TEST_CASE("kde --tiles-dir writes strips of 512 rows and a VRT that is the COG; bad requests "
          "are refused",
          "[cli][tiles]")
{
    const std::string dir = fresh_temp_dir("tiles");
    // 914 rows at 25 m: two tiles, the second of 402 rows.
    const std::string job = "kde --offences " + september + " --boundaries " + districts +
                            " --area Maidstone --bandwidth 300 --cell 25 --quiet";
    REQUIRE(run_hotspot(job + " --out " + quoted(dir + "/whole.tif")).exit_code == 0);
    const auto r = run_hotspot(job.substr(0, job.size() - std::string(" --quiet").size()) +
                               " --tiles-dir " + quoted(dir + "/tiles"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("memory     tiles are written as their rows are computed: "
                                      "computed and written 512 rows at a time"));
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir + "/tiles"))
        names.insert(entry.path().filename().string());
    CHECK(names == std::set<std::string>{"density.vrt", "rows_0000000.tif", "rows_0000512.tif"});
    const auto whole = io::read_geotiff(dir + "/whole.tif");
    const auto mosaic = io::read_geotiff(dir + "/tiles/density.vrt");
    CHECK(mosaic.raster.values == whole.raster.values);
    for (int k = 0; k < 6; ++k)
        CHECK(mosaic.geotransform[k] == whole.geotransform[k]);
    CHECK(mosaic.nodata == whole.nodata);
    CHECK(mosaic.metadata.at("HOTSPOT_BANDWIDTH_M") == whole.metadata.at("HOTSPOT_BANDWIDTH_M"));
    CHECK(io::read_geotiff(dir + "/tiles/rows_0000512.tif").raster.grid.rows == 402);
    // Nothing staged is left beside the folder.
    std::set<std::string> beside;
    for (const auto& entry : fs::directory_iterator(dir))
        beside.insert(entry.path().filename().string());
    CHECK(beside == std::set<std::string>{"tiles", "whole.tif"});

    const std::vector<Refusal> cases{
        {job, 2, "kde needs --out FILE.tif (or --tiles-dir FOLDER for tiles)"},
        {job + " --out " + quoted(dir + "/x.tif") + " --tiles-dir " + quoted(dir + "/x"), 2,
         "excludes"},
        {job + " --tiles-dir " + quoted(dir + "/tiles"), 4, "already exists; add --overwrite"},
        {job + " --tiles-dir " + quoted(dir + "/no/such/x"), 4, "does not exist"},
        {job + " --tiles-dir " + quoted(dir + "/x") + " --min-count 3", 2,
         "--min-count needs the grid in memory"}};
    check_refusals(cases, [&] { CHECK_FALSE(fs::exists(dir + "/x")); });
    fs::remove_all(dir);
}

TEST_CASE("An existing output is kept unless --overwrite", "[cli]")
{
    const std::string dir = fresh_temp_dir("exists");
    const std::string tif = dir + "/x.tif";
    std::ofstream(tif) << "precious";
    const std::string base = "kde --offences " + quoted(fixtures + "offences_xy_27700.csv") +
                             " --crs 27700 --bandwidth 100 --out " + quoted(tif);
    const auto refused = run_hotspot(base);
    CHECK(refused.exit_code == 4);
    CHECK_THAT(refused.err, Catch::Contains("--overwrite"));
    CHECK(slurp(tif) == "precious");
    CHECK(run_hotspot(base + " --overwrite --quiet").exit_code == 0);
    CHECK(io::read_geotiff(tif).raster.grid.cols > 0);
    fs::remove_all(dir);
}
