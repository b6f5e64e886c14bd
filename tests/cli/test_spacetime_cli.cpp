// `hotspot trends` end to end, on the synthetic 24-month series (data/tools/make_demo_series.cpp).

#include "run_command.hpp"

#include "hotspot/io/geotiff.hpp"

#include <catch2/catch.hpp>
#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace hotspot::testsupport;
namespace fs = std::filesystem;

namespace
{
const std::string maidstone = "--boundaries " + demo + "boundaries/kent_districts_2013.geojson " +
                              "--area Maidstone --boundaries " + demo +
                              "boundaries/maidstone_wards_2013.geojson";

// The synthetic series, made once for all the tests of this run.
const std::string& series()
{
    static const std::string path = []
    {
        const std::string dir = fresh_temp_dir("series");
        const std::string csv = dir + "/synthetic_maidstone_24_months.csv";
        const std::string command = std::string(HOTSPOT_SERIES_MAKER) + " " + quoted(csv) +
                                    " 1 Maidstone " + demo + "police_uk/2019-09-kent-street.csv " +
                                    demo + "police_uk/2019-11-kent-street.csv > /dev/null";
        REQUIRE(std::system(command.c_str()) == 0);
        return csv;
    }();
    return path;
}

struct Location
{
    std::string area, category;
    double gi_z = NAN;
    std::int64_t total = 0;
    int null_counts = 0;
    double x = 0, y = 0; ///< the cell's centre
};

std::vector<Location> read_trends(const std::string& path)
{
    GDALAllRegister();
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds);
    OGRLayer* layer = ds->GetLayer(0);
    std::vector<Location> out;
    for (auto& f : *layer)
    {
        Location l;
        l.area = f->GetFieldAsString("area");
        l.category = f->GetFieldAsString("category");
        l.gi_z = f->IsFieldNull(f->GetFieldIndex("gi_z")) ? NAN : f->GetFieldAsDouble("gi_z");
        l.total = f->IsFieldNull(f->GetFieldIndex("total")) ? -1 : f->GetFieldAsInteger64("total");
        for (int i = 0; i < f->GetFieldCount(); ++i)
            if (std::string(f->GetFieldDefnRef(i)->GetNameRef()).rfind("n_", 0) == 0 &&
                f->IsFieldNull(i))
                ++l.null_counts;
        OGREnvelope e;
        f->GetGeometryRef()->getEnvelope(&e);
        l.x = 0.5 * (e.MinX + e.MaxX);
        l.y = 0.5 * (e.MinY + e.MaxY);
        out.push_back(l);
    }
    return out;
}
} // namespace

TEST_CASE("trends finds the planted Shepway rise, and its files agree with each other", "[trends]")
{
    const std::string dir = fresh_temp_dir("trends");
    const auto r =
        run_hotspot("trends --offences " + series() + " " + maidstone + " --cell 250 --out-dir " +
                    dir + "/out --summary-json " + dir + "/summary.json");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const char* name : {"trends.gpkg", "cube.nc", "trends_map.png", "trends_summary.csv"})
        CHECK(fs::exists(dir + "/out/" + name));
    const auto summary = read_json(dir + "/summary.json");
    const auto& cube = summary["cube"];
    CHECK(cube["steps"] == 24);
    CHECK(cube["first_step"] == "2018-01");
    CHECK(cube["last_step"] == "2019-12");
    // Nothing lost: every record used is in a bin or counted out.
    CHECK(cube["counted"].get<std::int64_t>() + cube["undated"].get<std::int64_t>() +
              cube["outside_area"].get<std::int64_t>() ==
          summary["offences"]["used"].get<std::int64_t>());
    std::int64_t in_categories = 0;
    for (const auto& [name, n] : summary["categories"].items())
        in_categories += n.get<std::int64_t>();
    CHECK(in_categories == cube["locations"].get<std::int64_t>());
    // ArcGIS Pro's default reference, and the scope of the false discovery rate, said everywhere.
    CHECK(summary["global_window"] == "cube");
    CHECK(summary["fdr_scope"] == "Benjamini-Hochberg within each time step");
    {
        GDALAllRegister();
        std::unique_ptr<GDALDataset> gpkg(
            GDALDataset::Open((dir + "/out/trends.gpkg").c_str(), GDAL_OF_VECTOR));
        REQUIRE(gpkg);
        const char* window = gpkg->GetLayer(0)->GetMetadataItem("hotspot_global_window");
        REQUIRE(window);
        CHECK(std::string(window) == "cube");
        std::unique_ptr<GDALDataset> nc(
            GDALDataset::Open((dir + "/out/cube.nc").c_str(), GDAL_OF_MULTIDIM_RASTER));
        REQUIRE(nc);
        const auto attribute = nc->GetRootGroup()->GetAttribute("hotspot_global_window");
        REQUIRE(attribute);
        CHECK(std::string(attribute->ReadAsString()) == "cube");
    }

    const auto locations = read_trends(dir + "/out/trends.gpkg");
    REQUIRE(static_cast<std::int64_t>(locations.size()) == cube["locations"].get<std::int64_t>());
    // Shepway's planted rise (0.546110, 51.254320 is 577106, 153420 in EPSG:27700): an
    // intensifying hot spot within 500 m of it, in Shepway North or South.
    const Location* shepway = nullptr;
    std::int64_t total = 0;
    for (const auto& l : locations)
    {
        total += l.total;
        if (l.category == "Intensifying Hot Spot" &&
            std::hypot(l.x - 577106, l.y - 153420) <= 500 &&
            (!shepway || std::hypot(l.x - 577106, l.y - 153420) <
                             std::hypot(shepway->x - 577106, shepway->y - 153420)))
            shepway = &l;
    }
    CHECK(total == cube["counted"].get<std::int64_t>());
    REQUIRE(shepway);
    CHECK(shepway->area.rfind("Shepway", 0) == 0);

    // The cube: the same counts and the same final z-scores as the GeoPackage, in EPSG:27700.
    std::unique_ptr<GDALDataset> counts(
        GDALDataset::Open(("NETCDF:\"" + dir + "/out/cube.nc\":count").c_str(), GDAL_OF_RASTER));
    REQUIRE(counts);
    CHECK(counts->GetRasterCount() == 24);
    CHECK(std::string(counts->GetSpatialRef()->GetAuthorityCode(nullptr)) == "27700");
    const int cols = counts->GetRasterXSize(), rows = counts->GetRasterYSize();
    std::vector<double> values(static_cast<std::size_t>(cols * rows));
    double cube_total = 0;
    for (int b = 1; b <= 24; ++b)
    {
        REQUIRE(counts->GetRasterBand(b)->RasterIO(GF_Read, 0, 0, cols, rows, values.data(), cols,
                                                   rows, GDT_Float64, 0, 0) == CE_None);
        for (const double v : values)
            if (!std::isnan(v))
                cube_total += v;
    }
    CHECK(cube_total == static_cast<double>(total));
    std::unique_ptr<GDALDataset> z(
        GDALDataset::Open(("NETCDF:\"" + dir + "/out/cube.nc\":gi_z").c_str(), GDAL_OF_RASTER));
    REQUIRE(z);
    double transform[6];
    z->GetGeoTransform(transform);
    const int col = static_cast<int>((shepway->x - transform[0]) / transform[1]);
    const int row = static_cast<int>((shepway->y - transform[3]) / transform[5]);
    // GDAL shows a netCDF with y ascending bottom-up; with y descending it keeps row 0 north.
    double final_z = 0;
    REQUIRE(z->GetRasterBand(24)->RasterIO(GF_Read, col, row, 1, 1, &final_z, 1, 1, GDT_Float64, 0,
                                           0) == CE_None);
    CHECK(final_z == Approx(shepway->gi_z).epsilon(1e-12));

    // The summary table names where each category lies.
    std::ifstream csv(dir + "/out/trends_summary.csv");
    std::stringstream text;
    text << csv.rdbuf();
    CHECK_THAT(text.str(),
               Catch::Contains("Intensifying Hot Spot,") && Catch::Contains("Shepway North"));
}

TEST_CASE("trends withholds small counts when asked, and refuses what it cannot do", "[trends]")
{
    const std::string dir = fresh_temp_dir("trends_refusals");
    const auto r = run_hotspot("trends --offences " + series() + " " + maidstone +
                               " --cell 250 --publish partners --out-dir " + dir +
                               "/out --summary-json " + dir + "/summary.json --quiet");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto summary = read_json(dir + "/summary.json");
    CHECK(summary["disclosure"]["min_count"] == 5);
    CHECK(summary["disclosure"]["withheld"].get<std::int64_t>() > 0);
    int nulls = 0;
    for (const auto& l : read_trends(dir + "/out/trends.gpkg"))
        nulls += l.null_counts;
    CHECK(nulls > 0);

    const std::string out = " --out-dir " + dir + "/refused";
    check_refusals(
        {
            {"trends --offences " + demo + "police_uk/2019-09-kent-street.csv --time-step 1W" + out,
             3, "months only"},
            {"trends --offences " + demo + "police_uk/2019-09-kent-street.csv" + out, 3,
             "trends need 3"},
            {"trends --offences " + series() + " --time-step 1Y" + out, 2, "not a time step"},
            {"trends --offences " + series() + " --alpha 2" + out, 2, "--alpha"},
            {"trends --offences " + series() + " --global-window month" + out, 2,
             "--global-window takes cube, neighbourhood or step"},
            {"trends --offences " + series() + " --area Maidstone" + out, 2, "--boundaries"},
        },
        [&] { CHECK_FALSE(fs::exists(dir + "/refused/trends.gpkg")); });
}

TEST_CASE("trends steps by week where records carry days", "[trends]")
{
    const std::string dir = fresh_temp_dir("trends_weeks");
    const auto r = run_hotspot("trends --offences " + series() +
                               " --date-field Date --time-step 2W --cell 500 --out-dir " + dir +
                               " --summary-json " + dir + "/summary.json --quiet");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto cube = read_json(dir + "/summary.json")["cube"];
    CHECK(cube["time_step"] == "2 weeks");
    CHECK(cube["last_step"] == "2019-12-18..2019-12-31");
    CHECK(cube["steps"] == 53); // 730 days from 2018-01-01: 52 whole fortnights and 2 days
}

TEST_CASE("near-repeat finds the planted burglary repeats, the same at every run", "[near-repeat]")
{
    const std::string dir = fresh_temp_dir("near_repeat");
    const std::string args = "near-repeat --offences " + series() +
                             " --date-field Date --crime-type Burglary --permutations 199 ";
    const auto r =
        run_hotspot(args + "--out " + dir + "/knox.csv --summary-json " + dir + "/summary.json");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // The bands are named by their real ranges.
    CHECK_THAT(r.out, Catch::Contains("Near repeats: a burglary 1 to ") &&
                          Catch::Contains(" from another and 0 to "));
    const auto summary = read_json(dir + "/summary.json");
    // The series is resampled from police.uk's snapped points: "same location" is a shared point.
    CHECK(summary["shared_points"]["snapped"] == true);
    CHECK_THAT(r.err, Catch::Contains("look snapped to shared points"));
    CHECK_THAT(r.out, Catch::Contains("same snapped point"));
    CHECK(summary["tested"] == summary["offences"]["used"]);
    CHECK(summary["without_day"] == 0);
    bool planted = false;
    for (const auto& cell : summary["cells"])
        if (cell["space_band"] == "1 to 100 m" && cell["time_band"] == "0 to 7 days")
            planted =
                cell["p_value"].get<double>() <= 0.01 && cell["knox_ratio"].get<double>() > 1.5;
    CHECK(planted);
    std::ifstream csv(dir + "/knox.csv");
    std::stringstream first;
    first << csv.rdbuf();
    const std::string table = first.str();
    CHECK(std::count(table.begin(), table.end(), '\n') == 1 + 6 * 5);

    // The seed fixes the permutations, whatever the threads.
    REQUIRE(run_hotspot(args + "--threads 1 --out " + dir + "/again.csv --quiet").exit_code == 0);
    std::ifstream again(dir + "/again.csv");
    std::stringstream second;
    second << again.rdbuf();
    CHECK(table == second.str());

    check_refusals(
        {
            {"near-repeat --offences " + demo + "police_uk/2019-09-kent-street.csv --out " + dir +
                 "/refused.csv",
             3, "months only"},
            {args + "--space-bands 100,200 --out " + dir + "/refused.csv", 2, "ascend from 0"},
            {args + "--time-bands 0,7.5 --out " + dir + "/refused.csv", 2, "whole days"},
            {args + "--metric chebyshev --out " + dir + "/refused.csv", 2, "manhattan"},
        },
        [&] { CHECK_FALSE(fs::exists(dir + "/refused.csv")); });
}

TEST_CASE("predict lists the cells of highest ProMap risk, as its GeoTIFF holds them", "[predict]")
{
    const std::string dir = fresh_temp_dir("predict");
    const auto r = run_hotspot("predict --offences " + series() + " " + maidstone +
                               " --cell 100 --top 15 --out-dir " + dir + "/out --summary-json " +
                               dir + "/summary.json");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto summary = read_json(dir + "/summary.json");
    CHECK(summary["forecast_day"] == "2020-01-01"); // the month after the last, December 2019
    const auto& cells = summary["patrol_cells"];
    REQUIRE(cells.size() == 15);
    GDALAllRegister();
    std::unique_ptr<GDALDataset> tif(
        GDALDataset::Open((dir + "/out/predict.tif").c_str(), GDAL_OF_RASTER));
    REQUIRE(tif);
    CHECK(std::string(tif->GetMetadataItem("HOTSPOT_METHOD")) == "promap");
    CHECK(std::string(tif->GetMetadataItem("HOTSPOT_FORECAST_DAY")) == "2020-01-01");
    double transform[6];
    tif->GetGeoTransform(transform);
    const int cols = tif->GetRasterXSize(), rows = tif->GetRasterYSize();
    std::vector<double> risk(static_cast<std::size_t>(cols * rows));
    REQUIRE(tif->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, cols, rows, risk.data(), cols, rows,
                                            GDT_Float64, 0, 0) == CE_None);
    const double peak = *std::max_element(risk.begin(), risk.end());
    CHECK(cells[0]["risk"].get<double>() == peak);
    // The riskiest cell holds offences, and its streets say where to walk ("On or near" dropped).
    const std::string streets = cells[0]["streets"].get<std::string>();
    CHECK_FALSE(streets.empty());
    CHECK(streets.find("On or near") == std::string::npos);
    for (std::size_t i = 0; i < cells.size(); ++i)
    {
        const int col =
            static_cast<int>((cells[i]["x"].get<double>() - transform[0]) / transform[1]);
        const int row =
            static_cast<int>((cells[i]["y"].get<double>() - transform[3]) / transform[5]);
        CHECK(risk[static_cast<std::size_t>(row * cols + col)] == cells[i]["risk"].get<double>());
        if (i > 0)
            CHECK(cells[i]["risk"].get<double>() <= cells[i - 1]["risk"].get<double>());
        CHECK_FALSE(cells[i]["area"].get<std::string>().empty()); // a ward
    }

    // Time-decayed density, and a forecast day inside the data. Its unit is --units' (it was
    // "per km²" whatever the units), and it records the half-life it used.
    const auto decay = run_hotspot("predict --offences " + series() +
                                   " --method decay --bandwidth 300 --at 2019-06-10 --cell 100 "
                                   "--units count --out-dir " +
                                   dir + "/decay --summary-json " + dir + "/decay.json --quiet");
    INFO(decay.err);
    REQUIRE(decay.exit_code == 0);
    CHECK(read_json(dir + "/decay.json")["forecast_day"] == "2019-06-10");
    const auto decayed = hotspot::io::read_geotiff(dir + "/decay/predict.tif");
    CHECK(decayed.unit == "weighted expected offences per cell");
    CHECK(decayed.metadata.at("HOTSPOT_HALF_LIFE_DAYS") == "14.000");
    CHECK(decayed.metadata.count("HOTSPOT_PROMAP_WEEKS") == 0);

    check_refusals(
        {
            {"predict --offences " + series() + " --method oracle --out-dir " + dir + "/refused", 2,
             "is not one of promap, decay, sepp, auto"},
            {"predict --offences " + series() + " --at 2019-13-01 --out-dir " + dir + "/refused", 2,
             "YYYY-MM-DD"},
            {"predict --offences " + series() + " --publish public --out-dir " + dir + "/refused",
             2, "--method decay"},
            {"predict --offences " + series() + " --at 2017-01-01 --out-dir " + dir + "/refused", 3,
             "the history of a forecast for 2017-01-01 (2016-11-06 on): none of these months is "
             "covered"},
        },
        [&] { CHECK_FALSE(fs::exists(dir + "/refused/predict.tif")); });
}

TEST_CASE("evaluate --rolling scores kde, ProMap and decay month by month", "[predict]")
{
    const std::string dir = fresh_temp_dir("rolling");
    const auto r = run_hotspot("evaluate --offences " + series() +
                               " --cell 200 --bandwidth 300 --rolling 3 --out-dir " + dir +
                               " --summary-json " + dir + "/summary.json");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto summary = read_json(dir + "/summary.json");
    // The series is read by its police.uk Month: SEPP, which times offences to the day, is left
    // out, and says so (Chicago's assaults, timed, are scored by it in README's table).
    CHECK_THAT(r.out, Catch::Contains("sepp       left out"));
    CHECK_FALSE(summary["methods"].contains("sepp"));
    for (const char* method : {"kde", "promap", "decay"})
    {
        const auto hits = summary["methods"][method]["mean_hit_rate"].get<std::vector<double>>();
        REQUIRE(hits.size() == 20);
        for (std::size_t i = 1; i < hits.size(); ++i)
            CHECK(hits[i] >= hits[i - 1]); // more area, more offences caught
        CHECK(hits.back() <= 1.0);
        CHECK(hits.front() > 0.01); // better than 1% of the area by chance
    }
    std::ifstream csv(dir + "/rolling.csv");
    std::stringstream text;
    text << csv.rdbuf();
    const std::string rows = text.str();
    CHECK(std::count(rows.begin(), rows.end(), '\n') == 1 + 3 * 3 * 20);
    CHECK_THAT(rows, Catch::Contains("2019-10,promap,5,"));

    const auto refused = run_hotspot("evaluate --offences " + series() + " --rolling 30 --cell " +
                                     "200 --out-dir " + dir + "/refused");
    CHECK(refused.exit_code == 3);
    CHECK_THAT(refused.err, Catch::Contains("needs 31"));
}
