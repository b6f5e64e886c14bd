// The statistician's choices around a surface, end to end: bandwidth selectors, edge correction,
// adaptive kernels and harm weights.

#include "hotspot/io/geotiff.hpp"
#include "run_command.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace hotspot;
using namespace hotspot::testsupport;
namespace fs = std::filesystem;

namespace
{
const std::string maidstone = " --boundaries " + districts + " --area Maidstone";

// Sum of a count surface over the cells with data.
double mass_of(const io::GeoTiffContents& tif)
{
    double mass = 0;
    for (const double v : tif.raster.values)
        if (v != -9999.0)
            mass += v;
    return mass;
}
} // namespace

TEST_CASE("A selector chooses the bandwidth, and says which and how", "[cli][bandwidth]")
{
    const std::string dir = fresh_temp_dir("selector");
    const auto r =
        run_hotspot("kde --offences " + september + maidstone + " --bandwidth ppl --out " +
                    quoted(dir + "/ppl.tif") + " --summary-json " + quoted(dir + "/ppl.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("likelihood cross-validation") &&
                          Catch::Contains("quartic radius of the same standard deviation"));
    const auto tif = io::read_geotiff(dir + "/ppl.tif");
    CHECK(tif.metadata.at("HOTSPOT_BANDWIDTH_SELECTOR") == "ppl");
    const double sigma = std::stod(tif.metadata.at("HOTSPOT_BANDWIDTH_SIGMA_M"));
    const double radius = std::stod(tif.metadata.at("HOTSPOT_BANDWIDTH_M"));
    CHECK(radius == Approx(std::sqrt(8.0) * sigma).epsilon(1e-6)); // quartic: the same SD
    CHECK(sigma > 100);
    CHECK(sigma < 1000);
    const auto summary = read_json(dir + "/ppl.json");
    CHECK(summary["bandwidth_selector"] == "ppl");
    CHECK(summary["bandwidth_sigma_m"].get<double>() == Approx(sigma).epsilon(1e-6));
    CHECK(summary["edge_correction"] == "none");
    fs::remove_all(dir);
}

TEST_CASE("Diggle's edge correction keeps every offence's mass inside the area", "[cli][edge]")
{
    const std::string dir = fresh_temp_dir("edge");
    const std::string common = "kde --offences " + september + maidstone +
                               " --bandwidth 800 --cell 50 --units count --summary-json ";
    REQUIRE(run_hotspot(common + quoted(dir + "/none.json") + " --out " + quoted(dir + "/none.tif"))
                .exit_code == 0);
    // Choices are read case aside, as every name is, and recorded as listed.
    const auto r = run_hotspot(common + quoted(dir + "/diggle.json") +
                               " --edge-correction Diggle --out " + quoted(dir + "/diggle.tif"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("outside the study area are left out"));
    const auto none = io::read_geotiff(dir + "/none.tif");
    const auto diggle = io::read_geotiff(dir + "/diggle.tif");
    CHECK(diggle.metadata.at("HOTSPOT_EDGE_CORRECTION") == "diggle");
    // Corrected, the surface holds every offence inside Maidstone, to the raster's resolution of
    // the border.
    const auto summary = read_json(dir + "/diggle.json");
    const double inside = summary["offences"]["used"].get<double>() -
                          summary["offences_outside_study_area"].get<double>();
    CHECK(inside > 1500);
    CHECK(mass_of(diggle) == Approx(inside).epsilon(0.01));
    // Uncorrected, the loss over the border and the offences spilling in from beyond it
    // happen to cancel here; cell by cell near the border the two differ.
    REQUIRE(none.raster.values.size() == diggle.raster.values.size());
    double largest_change = 0;
    for (std::size_t k = 0; k < none.raster.values.size(); ++k)
        largest_change =
            std::max(largest_change, std::abs(none.raster.values[k] - diggle.raster.values[k]));
    CHECK(largest_change > 0.01);
    fs::remove_all(dir);
}

TEST_CASE("Adaptive bandwidths centre on the bandwidth given", "[cli][adaptive]")
{
    const std::string dir = fresh_temp_dir("adaptive");
    const auto r = run_hotspot("kde --offences " + september + maidstone +
                               " --bandwidth 500 --adaptive --out " + quoted(dir + "/a.tif") +
                               " --summary-json " + quoted(dir + "/a.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto a = read_json(dir + "/a.json")["adaptive"];
    CHECK(a["global_bandwidth_m"].get<double>() == 500.0);
    CHECK(a["pilot_bandwidth_m"].get<double>() == 500.0);
    CHECK(a["smallest_bandwidth_m"].get<double>() < 500.0);
    CHECK(a["largest_bandwidth_m"].get<double>() > 500.0);
    CHECK(a["largest_bandwidth_m"].get<double>() <= 2500.0); // trim 5
    const auto tif = io::read_geotiff(dir + "/a.tif");
    CHECK_THAT(tif.metadata.at("HOTSPOT_ADAPTIVE"), Catch::Contains("Abramson"));
    CHECK(tif.metadata.at("HOTSPOT_BANDWIDTH_M") == "500.000000");
    fs::remove_all(dir);
}

TEST_CASE("Harm weights: the shipped ONS index and a force's own table", "[cli][harm]")
{
    const std::string dir = fresh_temp_dir("harm");
    const auto r =
        run_hotspot("kde --offences " + september + maidstone +
                    " --crime-type Burglary --harm ons-css --bandwidth 400 --out " +
                    quoted(dir + "/b.tif") + " --summary-json " + quoted(dir + "/b.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto tif = io::read_geotiff(dir + "/b.tif");
    const double used = read_json(dir + "/b.json")["offences"]["used"].get<double>();
    // Burglary's ONS weight in data/harm/ons_css_police_uk.csv.
    CHECK(std::stod(tif.metadata.at("HOTSPOT_WEIGHT_AFTER_FILTERS")) ==
          Approx(used * 465.381473).epsilon(1e-9));
    // The unit says what was summed: sentence days, not offences.
    CHECK(tif.unit == "ONS Crime Severity Score (sentence days) per km²");
    CHECK_THAT(r.out, Catch::Contains("ONS Crime Severity Score (sentence days) per km²"));
    CHECK_THAT(tif.metadata.at("HOTSPOT_HARM"), Catch::Contains("ons-css"));

    {
        std::ofstream own(dir + "/own.csv");
        own << "# Source: a force's own index, for the test\nkey,weight\nBurglary,2\n";
    }
    const auto o =
        run_hotspot("kde --offences " + september + maidstone + " --harm " +
                    quoted(dir + "/own.csv") + " --bandwidth 400 --out " + quoted(dir + "/o.tif"));
    INFO(o.err);
    REQUIRE(o.exit_code == 0);
    CHECK_THAT(o.err,
               Catch::Contains("offences weigh 0") && Catch::Contains("Anti-social behaviour"));
}

TEST_CASE("Density methods refuse what cannot work, and say why", "[cli]")
{
    const std::string dir = fresh_temp_dir("methods_refused");
    const std::string out = " --out " + quoted(dir + "/x.tif");
    check_refusals(
        {
            {"kde --offences " + september + " --bandwidth silverman" + out, 2,
             "neither a length (300, 300m, 1.5km, 1000ft) nor a selector"},
            {"kde --offences " + september + " --edge-correction uniform" + out, 2,
             "needs a study area"},
            {"kde --offences " + september + " --edge-correction mirror" + maidstone + out, 2,
             "--edge-correction: 'mirror' is not one of none, uniform, diggle"},
            {"kde --offences " + september + " --kernel biweight" + out, 2,
             "--kernel: 'biweight' is not one of quartic, epanechnikov, triweight, triangular, "
             "uniform, gaussian"},
            {"hotspots --offences " + september + " --method hottest --out-dir " + quoted(dir), 2,
             "--method: 'hottest' is not one of mean-multiple, mean-sd, top-area, gi-star"},
            {"kde --offences " + september + maidstone + " --adaptive --edge-correction uniform" +
                 out,
             2, "use diggle"},
            {"kde --offences " + september + " --pilot-bandwidth 300" + out, 2, "needs --adaptive"},
            {"kde --offences " + september + " --weight-field x --harm ons-css" + out, 2,
             "not both"},
            {"kde --offences " + september + " --harm " + quoted(dir + "/missing.csv") + out, 4,
             "missing.csv"},
            {"kde --offences " + september + " --min-count -1" + out, 2, "--min-count"},
            {"kde --offences " + september + " --spread-stacked -5" + out, 2, "--spread-stacked"},
            {"tables --offences " + september + " --areas " + districts +
                 " --area-code-field LAD13CD --min-count -2" + out,
             2, "--min-count"},
            {"snap-points --offences " + september + " --min-records 1" + out, 2, "--min-records"},
            {"snap-points --offences " + september + " --out " + quoted(dir + "/x.txt"), 2, ".csv"},
            // Six offences in a square kilometre of Maidstone: too few to cross-validate.
            {"kde --offences " + september +
                 " --extent 575000,155000,576000,156000 --crime-type Burglary --bandwidth ppl" +
                 out,
             3, "needs at least 10 offences"},
        },
        [&] { CHECK_FALSE(fs::exists(dir + "/x.tif")); });
    fs::remove_all(dir);
}

TEST_CASE("compare: relative risk of burglary against all offences in Maidstone", "[cli][compare]")
{
    const std::string dir = fresh_temp_dir("compare_risk");
    const auto r = run_hotspot("compare --offences " + september + maidstone +
                               " --cases Burglary --bandwidth 400 --out-dir " + quoted(dir) +
                               " --summary-json " + quoted(dir + "/summary.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const char* name : {"relative_risk.tif", "risk_p.tif", "risk_areas.gpkg", "risk_map.png"})
        CHECK(fs::exists(dir + "/" + name));
    const auto lr = io::read_geotiff(dir + "/relative_risk.tif");
    const auto p = io::read_geotiff(dir + "/risk_p.tif");
    CHECK(lr.crs.authority == "EPSG:27700");
    CHECK(lr.metadata.at("HOTSPOT_COMPARE") == "Burglary against all offences");
    // Where p is small the log risk is positive: the test is of raised risk.
    std::size_t significant = 0, lowered = 0;
    for (std::size_t k = 0; k < p.raster.values.size(); ++k)
        if (p.raster.values[k] != -9999.0 && p.raster.values[k] < 0.05)
        {
            ++significant;
            lowered += lr.raster.values[k] <= 0;
        }
    CHECK(significant > 0);
    CHECK(lowered == 0);
    const auto summary = read_json(dir + "/summary.json");
    CHECK(summary["mode"] == "relative risk");
    // The burglaries inside Maidstone, as tests/data/bandwidth/burglary_maidstone.csv (by LSOA).
    CHECK(summary["first"]["offences"].get<int>() == 67);
    CHECK(summary["areas"]["up"].get<int>() >= 1);
    fs::remove_all(dir);
}

TEST_CASE("compare: November against September, with areas of increase and decrease",
          "[cli][compare]")
{
    const std::string dir = fresh_temp_dir("compare_change");
    const std::string november = quoted(demo + "police_uk/2019-11-kent-street.csv");
    const auto r =
        run_hotspot("compare --offences " + september + " --offences " + november + maidstone +
                    " --this 2019-11 --last 2019-09 --bandwidth 300" + " --out-dir " + quoted(dir) +
                    " --summary-json " + quoted(dir + "/summary.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto change = io::read_geotiff(dir + "/change.tif");
    const auto p = io::read_geotiff(dir + "/change_p.tif");
    // Every p-value is a probability.
    std::size_t improper = 0, cells = 0;
    for (const double v : p.raster.values)
        if (v != -9999.0)
        {
            ++cells;
            improper += !(v >= 0.0 && v <= 1.0);
        }
    CHECK(cells > 10000);
    CHECK(improper == 0);
    const auto summary = read_json(dir + "/summary.json");
    CHECK(summary["mode"] == "change");
    CHECK(summary["areas"]["up"].get<int>() + summary["areas"]["down"].get<int>() > 0);
    CHECK(change.metadata.count("HOTSPOT_CHANGE_COUNT_RADIUS_M") == 0); // only on the p-values
    CHECK(p.metadata.at("HOTSPOT_CHANGE_COUNT_RADIUS_M") == "600.000");
    fs::remove_all(dir);
}

TEST_CASE("compare refuses what it cannot compare", "[cli][compare]")
{
    const std::string dir = fresh_temp_dir("compare_refused");
    const std::string out = " --out-dir " + quoted(dir + "/out");
    check_refusals(
        {
            {"compare --offences " + september + out, 2, "give --cases"},
            {"compare --offences " + september + " --cases Burglary --this 2019-09" + out, 2,
             "give --cases"},
            {"compare --offences " + september + " --this 2019-09 --last 2019-09" + out, 2,
             "overlap"},
            {"compare --offences " + september + " --this 2019-10 --last 2019-09" + out, 3,
             "--this 2019-10..2019-10: none of these months is covered by"},
            {"compare --offences " + september + " --cases Arson" + out, 3, "no case"},
            {"compare --offences " + september + " --cases Burglary --kernel quartic" + out, 2,
             "Gaussian"},
            {"compare --offences " + september + " --cases Burglary --alpha 2" + out, 2, "--alpha"},
        },
        [&] { CHECK_FALSE(fs::exists(dir + "/out/relative_risk.tif")); });
    fs::remove_all(dir);
}

TEST_CASE("Disclosure control publishes only cells within reach of at least K offences",
          "[cli][disclosure]")
{
    const std::string dir = fresh_temp_dir("min_count");
    const std::string points = HOTSPOT_TEST_DATA "/bandwidth/violence_maidstone.csv";
    const auto r =
        run_hotspot("kde --offences " + quoted(points) +
                    " --crs EPSG:27700 --extent 570000,150000,582000,162000 --cell 100 "
                    "--bandwidth 400 --min-count 5 --out " +
                    quoted(dir + "/k.tif") + " --summary-json " + quoted(dir + "/k.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto tif = io::read_geotiff(dir + "/k.tif");
    CHECK_THAT(tif.metadata.at("HOTSPOT_MIN_COUNT"), Catch::StartsWith("5:"));
    // Brute force: the offences within 400 m (quartic support) of each cell centre.
    std::vector<std::pair<double, double>> xy;
    {
        std::ifstream in(points);
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line))
        {
            const auto comma = line.find(',');
            xy.emplace_back(std::stod(line.substr(0, comma)), std::stod(line.substr(comma + 1)));
        }
    }
    const auto& g = tif.raster.grid;
    std::size_t wrong = 0, published = 0, withheld = 0;
    for (std::int64_t row = 0; row < g.rows; row += 3)
        for (std::int64_t col = 0; col < g.cols; col += 3)
        {
            int near = 0;
            for (const auto& [x, y] : xy)
                near += std::hypot(x - g.center_x(col), y - g.center_y(row)) < 400.0;
            const bool shown = tif.raster.at(col, row) != -9999.0;
            (shown ? published : withheld) += 1;
            wrong += shown != (near >= 5);
        }
    CHECK(published > 100);
    CHECK(withheld > 100);
    CHECK(wrong == 0);
    CHECK(read_json(dir + "/k.json")["suppressed_cells"].get<int>() > 0);
    fs::remove_all(dir);
}

TEST_CASE(
    "Publish presets: suppression and a floor under the bandwidth, with no kernel in the file",
    "[cli][disclosure]")
{
    const std::string dir = fresh_temp_dir("publish");
    const auto kde = [&](const std::string& options, const std::string& name)
    {
        const auto r = run_hotspot("kde --offences " + september + maidstone + " --cell 100 " +
                                   options + " --out " + quoted(dir + "/" + name + ".tif") +
                                   " --summary-json " + quoted(dir + "/" + name + ".json"));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        return io::read_geotiff(dir + "/" + name + ".tif");
    };
    const auto same_cells = [](const io::GeoTiffContents& a, const io::GeoTiffContents& b)
    { return a.raster.values == b.raster.values; };

    // The public preset on real Kent data: what --min-count 10 gives with the same bandwidth, cell
    // for cell, with neither the kernel nor the bandwidth in the tags.
    const auto published = kde("--bandwidth 600 --publish public", "public");
    CHECK(same_cells(published, kde("--bandwidth 600 --min-count 10", "min10")));
    CHECK_FALSE(same_cells(published, kde("--bandwidth 600", "all")));
    CHECK(published.metadata.at("HOTSPOT_PUBLISH") == "public");
    CHECK_THAT(published.metadata.at("HOTSPOT_MIN_COUNT"), Catch::StartsWith("10:"));
    for (const auto& [key, value] : published.metadata)
    {
        INFO(key << "=" << value);
        CHECK_FALSE(key.find("BANDWIDTH") != std::string::npos);
        CHECK(key != "HOTSPOT_KERNEL");
    }
    const auto summary = read_json(dir + "/public.json");
    CHECK(summary["disclosure"]["min_count"] == 10);
    CHECK(summary["disclosure"]["suppressed_cells"].get<int>() > 0);
    CHECK(summary["bandwidth_m"] == 600.0); // the analyst's own record keeps it

    // A selected bandwidth under the floor is raised to it, and says so: Diggle's criterion picks
    // about 16 m for Maidstone's shoplifting, drawn to the police.uk snap points of the shops
    // where records stack.
    const auto r = run_hotspot("kde --offences " + september + maidstone +
                               " --crime-type Shoplifting --cell 100 --bandwidth diggle "
                               "--publish partners --out " +
                               quoted(dir + "/diggle.tif") + " --summary-json " +
                               quoted(dir + "/diggle.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("raised to the least the preset allows, 200 m"));
    CHECK(same_cells(io::read_geotiff(dir + "/diggle.tif"),
                     kde("--crime-type Shoplifting --bandwidth 200 --min-count 5", "min5")));

    // Tables: the preset's --min-count.
    const std::string wards = quoted(demo + "boundaries/maidstone_wards_2013.geojson");
    const auto table = [&](const std::string& options, const std::string& name)
    {
        const auto t = run_hotspot("tables --offences " + september + " --areas " + wards +
                                   " --area-code-field WD13CD --area-name-field WD13NM " + options +
                                   " --out " + quoted(dir + "/" + name + ".csv"));
        INFO(t.err);
        REQUIRE(t.exit_code == 0);
        std::ifstream in(dir + "/" + name + ".csv");
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const std::string partners = table("--publish partners", "partners");
    CHECK(partners == table("--min-count 5", "tables5"));
    CHECK(partners.find("<5") != std::string::npos);

    check_refusals(
        {{"kde --offences " + september + " --bandwidth 100 --publish public --out " +
              quoted(dir + "/x.tif"),
          2, "needs a bandwidth of at least 400 m"},
         {"kde --offences " + september + " --bandwidth 500 --min-count 3 --publish partners " +
              "--out " + quoted(dir + "/x.tif"),
          2, "withholds counts under 5"},
         {"kde --offences " + september + " --bandwidth 500 --adaptive --publish partners --out " +
              quoted(dir + "/x.tif"),
          2, "refused with --adaptive"},
         {"kde --offences " + september + " --publish everyone --out " + quoted(dir + "/x.tif"), 2,
          "not a preset: use public or partners"}},
        [&] { CHECK_FALSE(fs::exists(dir + "/x.tif")); });
    fs::remove_all(dir);
}

TEST_CASE("snap-points finds the coordinates carrying many records", "[cli][disclosure]")
{
    const std::string dir = fresh_temp_dir("snap_points");
    const auto r =
        run_hotspot("snap-points --offences " + september + " --min-records 20 --out " +
                    quoted(dir + "/stacks.csv") + " --summary-json " + quoted(dir + "/s.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::ifstream in(dir + "/stacks.csv");
    std::string header, first;
    std::getline(in, header);
    std::getline(in, first);
    CHECK(header == "rank,x,y,lon,lat,records,share,crime_types,first_month,last_month");
    // The largest stack, counted independently in the police.uk file by its longitude/latitude.
    std::vector<std::string> f;
    std::stringstream ss(first);
    for (std::string field; std::getline(ss, field, ',');)
        f.push_back(field);
    const double lon = std::stod(f[3]), lat = std::stod(f[4]);
    const int records = std::stoi(f[5]);
    std::ifstream raw(demo + "police_uk/2019-09-kent-street.csv");
    std::string line;
    int found = 0;
    while (std::getline(raw, line))
    {
        // Crime ID,Month,Reported by,Falls within,Longitude,Latitude,...: no commas before them.
        std::vector<std::string> cols;
        std::stringstream ls(line);
        for (std::string c; cols.size() < 6 && std::getline(ls, c, ',');)
            cols.push_back(c);
        if (cols.size() == 6 && !cols[4].empty() && cols[4] != "Longitude" &&
            std::abs(std::stod(cols[4]) - lon) < 2e-6 && std::abs(std::stod(cols[5]) - lat) < 2e-6)
            ++found;
    }
    CHECK(records == 58);
    CHECK(found == records);
    const auto summary = read_json(dir + "/s.json");
    CHECK(summary["points"].get<int>() == 21);
    CHECK(summary["largest"].get<int>() == 58);
    fs::remove_all(dir);
}

TEST_CASE("Disclosure control in tables: counts from 1 to K-1 read <K, nothing else changes",
          "[cli][disclosure]")
{
    const std::string dir = fresh_temp_dir("tables_min_count");
    const std::string wards = quoted(demo + "boundaries/maidstone_wards_2013.geojson");
    const std::string common = "tables --offences " + september + " --areas " + wards +
                               " --area-code-field WD13CD --area-name-field WD13NM --out ";
    REQUIRE(run_hotspot(common + quoted(dir + "/all.csv")).exit_code == 0);
    REQUIRE(run_hotspot(common + quoted(dir + "/safe.csv") + " --min-count 5").exit_code == 0);
    std::ifstream all(dir + "/all.csv"), safe(dir + "/safe.csv");
    std::string a, s;
    std::size_t withheld = 0, wrong = 0, rows = 0;
    while (std::getline(all, a) && std::getline(safe, s))
    {
        ++rows;
        const std::string count = a.substr(a.rfind(',') + 1);
        const bool small = rows > 1 && count != "0" && std::stoi(count) < 5;
        withheld += small;
        const std::string expected = small ? a.substr(0, a.rfind(',') + 1) + "<5" : a;
        wrong += s != expected;
    }
    CHECK(rows > 100);
    CHECK(withheld > 0);
    CHECK(wrong == 0);
    // This Year against Last Year: a change computed from a withheld count is left blank, as the
    // help says.
    const auto help = run_hotspot("help tables");
    CHECK_THAT(help.out, Catch::Contains("computed from them are left blank"));
    REQUIRE(run_hotspot("tables --offences " + september + " --offences " +
                        quoted(demo + "police_uk/2019-11-kent-street.csv") + " --areas " + wards +
                        " --area-code-field WD13CD --area-name-field WD13NM --this 2019-11 --last "
                        "2019-09 --min-count 5 --out " +
                        quoted(dir + "/compare.csv"))
                .exit_code == 0);
    std::ifstream compare(dir + "/compare.csv");
    std::string line;
    std::size_t blank_changes = 0;
    while (std::getline(compare, line))
        if (line.find("<5") != std::string::npos)
        {
            CHECK(line.substr(line.size() - 2) == ",,"); // % change and Change both empty
            ++blank_changes;
        }
    CHECK(blank_changes > 0);
    fs::remove_all(dir);
}
