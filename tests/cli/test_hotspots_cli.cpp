// `hotspot hotspots`, `evaluate` and `displacement` end to end on the Maidstone demo data.

#include "hotspot/io/geotiff.hpp"
#include "run_command.hpp"

#include <catch2/catch.hpp>
#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace hotspot::testsupport;
namespace fs = std::filesystem;

namespace
{
const std::string maidstone = " --boundaries " +
                              quoted(demo + "boundaries/kent_districts_2013.geojson") +
                              " --area Maidstone";
const std::string wards =
    " --boundaries " + quoted(demo + "boundaries/maidstone_wards_2013.geojson");
const std::string places = " --places " + quoted(demo + "places/maidstone_places.csv");

std::vector<std::string> lines(const std::string& path)
{
    std::ifstream in(path);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line))
        out.push_back(line);
    return out;
}

} // namespace

TEST_CASE("Maidstone hotspots: the town centre comes out on top, named after Brenchley Gardens",
          "[cli][hotspots]")
{
    const std::string dir = fresh_temp_dir("hotspots");
    const auto r = run_hotspot("hotspots --offences " + september + maidstone + wards + places +
                               " --bandwidth 300 --cell 25 --out-dir " + quoted(dir + "/out") +
                               " --summary-json " + quoted(dir + "/s.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto summary = read_json(dir + "/s.json");
    const auto& top = summary["hotspots"][0];
    CHECK(top["name"] == "Brenchley Gardens");
    CHECK(top["areas"][1].get<std::string>().rfind("High Street", 0) ==
          0); // mostly in High Street ward
    CHECK(top["offences"].get<int>() > 300);
    // Ranked by offences. A small hotspot can hold no record at all (the density comes from
    // offences just beyond it, over the borough edge), but the top ones are far denser than the
    // borough.
    int previous = 1 << 30;
    for (const auto& h : summary["hotspots"])
    {
        CHECK(h["offences"].get<int>() <= previous);
        previous = h["offences"].get<int>();
        CHECK(h["pai"].get<double>() >= 0.0);
    }
    CHECK(top["pai"].get<double>() > 10.0);
    // Every hotspot has a name of its own (Maidstone has several Shepway hotspots), and the two
    // Ringlestones of the gazetteer keep their qualifiers.
    std::set<std::string> names;
    for (const auto& h : summary["hotspots"])
        CHECK(names.insert(h["name"].get<std::string>()).second);
    CHECK(std::count_if(names.begin(), names.end(),
                        [](const std::string& n) { return n.rfind("Shepway (", 0) == 0; }) >= 2);
    const std::string patrol_list = slurp(dir + "/out/patrol_list.csv");
    CHECK_THAT(patrol_list, !Catch::Contains(",Ringlestone,") &&
                           Catch::Contains("Ringlestone (hamlet near Wormshill"));
    // Each hotspot's top streets, from police.uk's Location with "On or near" dropped: at most 3,
    // most offences first, no more offences than the hotspot holds, each a street of the file.
    std::ifstream source(demo + "police_uk/2019-09-kent-street.csv");
    const std::string text((std::istreambuf_iterator<char>(source)), {});
    CHECK_FALSE(top["top_streets"].get<std::string>().empty());
    for (const auto& h : summary["hotspots"])
    {
        std::stringstream streets(h["top_streets"].get<std::string>());
        std::string part;
        long total = 0, last = 1L << 30;
        int count = 0;
        while (std::getline(streets, part, ';'))
        {
            const auto space = part.find_last_of(' ');
            const long n = std::stol(part.substr(space + 1));
            const std::string street =
                part.substr(part.find_first_not_of(' '), space - part.find_first_not_of(' '));
            CHECK(text.find("On or near " + street) != std::string::npos);
            CHECK(n <= last);
            last = n;
            total += n;
            ++count;
        }
        CHECK(count <= 3);
        CHECK(total <= h["offences"].get<long>());
    }
    CHECK(lines(dir + "/out/patrol_list.csv")[0].find("top_streets") != std::string::npos);
    // The density columns say what they measure.
    CHECK_THAT(lines(dir + "/out/patrol_list.csv")[0],
               Catch::Contains("peak_density (offences per km²),mean_density (offences per "
                               "km²),harm (offences)"));
    const auto bad = run_hotspot("hotspots --offences " + september + maidstone +
                                 " --street-field Road --bandwidth 300 --cell 100 --out-dir " +
                                 quoted(dir + "/bad"));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains("--street-field") && Catch::Contains("Location"));
    // The layers open with their CRS; the GeoJSON is WGS 84 as RFC 7946 requires.
    GDALAllRegister();
    std::unique_ptr<GDALDataset> gpkg(
        GDALDataset::Open((dir + "/out/hotspots.gpkg").c_str(), GDAL_OF_VECTOR));
    REQUIRE(gpkg);
    OGRLayer* layer = gpkg->GetLayer(0);
    CHECK(layer->GetFeatureCount() == static_cast<GIntBig>(summary["hotspots"].size()));
    CHECK(std::string(layer->GetSpatialRef()->GetAuthorityCode(nullptr)) == "27700");
    std::unique_ptr<GDALDataset> geojson(
        GDALDataset::Open((dir + "/out/hotspots.geojson").c_str(), GDAL_OF_VECTOR));
    REQUIRE(geojson);
    OGREnvelope extent;
    REQUIRE(geojson->GetLayer(0)->GetExtent(&extent) == OGRERR_NONE);
    CHECK(extent.MinX > 0.3);
    CHECK(extent.MaxX < 0.9);
    CHECK(extent.MinY > 51.1);
    // The patrol list: a header and one row per hotspot, rank 1 first.
    const auto patrol = lines(dir + "/out/patrol_list.csv");
    REQUIRE(patrol.size() == summary["hotspots"].size() + 1);
    CHECK(patrol[0].rfind("rank,hotspot_id,name,nearest_place", 0) == 0);
    CHECK(patrol[1].rfind("1,", 0) == 0);
    CHECK(patrol[1].find("Brenchley Gardens") != std::string::npos);
    CHECK(hotspot::io::read_geotiff(dir + "/out/density.tif").crs.authority == "EPSG:27700");
    fs::remove_all(dir);
}

TEST_CASE("Gi* hotspots and the other thresholds run on the same data", "[cli][hotspots]")
{
    const std::string dir = fresh_temp_dir("hotspots_methods");
    for (const std::string method : {"gi-star", "mean-sd --k 2", "top-area --percent 2"})
    {
        const auto r = run_hotspot("hotspots --offences " + september + maidstone + wards + places +
                                   " --bandwidth 300 --cell 50 --out-dir " + quoted(dir + "/out") +
                                   " --overwrite --method " + method + " --summary-json " +
                                   quoted(dir + "/s.json"));
        INFO(method << "\n" << r.err);
        REQUIRE(r.exit_code == 0);
        const auto summary = read_json(dir + "/s.json");
        REQUIRE_FALSE(summary["hotspots"].empty());
        CHECK(summary["hotspots"][0]["name"] == "Brenchley Gardens");
    }
    fs::remove_all(dir);
}

TEST_CASE("Thresholds that leave no hotspot say so and write valid empty layers", "[cli][hotspots]")
{
    const std::string dir = fresh_temp_dir("hotspots_none");
    const auto r = run_hotspot("hotspots --offences " + september + maidstone +
                               " --bandwidth 300 --cell 50 --k 99 --out-dir " + quoted(dir));
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("no hotspot"));
    GDALAllRegister();
    std::unique_ptr<GDALDataset> gpkg(
        GDALDataset::Open((dir + "/hotspots.gpkg").c_str(), GDAL_OF_VECTOR));
    REQUIRE(gpkg);
    CHECK(gpkg->GetLayer(0)->GetFeatureCount() == 0);
    CHECK(lines(dir + "/patrol_list.csv").size() == 1);
    fs::remove_all(dir);
}

TEST_CASE("A surface from another tool: its bandwidth is said to be taken, not known",
          "[cli][hotspots]")
{
    const std::string dir = fresh_temp_dir("hotspots_foreign");
    REQUIRE(run_hotspot("kde --offences " + september + maidstone +
                        " --bandwidth 300 --cell 50 --quiet --out " + quoted(dir + "/own.tif"))
                .exit_code == 0);
    {
        // The same cells, CRS and nodata, without hotspot's tags: as another tool writes them.
        GDALAllRegister();
        std::unique_ptr<GDALDataset> own(
            GDALDataset::Open((dir + "/own.tif").c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        REQUIRE(own);
        GDALDriver* tiff = GetGDALDriverManager()->GetDriverByName("GTiff");
        const int w = own->GetRasterXSize(), h = own->GetRasterYSize();
        std::unique_ptr<GDALDataset> foreign(
            tiff->Create((dir + "/foreign.tif").c_str(), w, h, 1, GDT_Float32, nullptr));
        double transform[6];
        own->GetGeoTransform(transform);
        foreign->SetGeoTransform(transform);
        foreign->SetProjection(own->GetProjectionRef());
        std::vector<float> values(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
        REQUIRE(own->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, values.data(), w, h,
                                                GDT_Float32, 0, 0) == CE_None);
        foreign->GetRasterBand(1)->SetNoDataValue(own->GetRasterBand(1)->GetNoDataValue());
        REQUIRE(foreign->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, w, h, values.data(), w, h,
                                                    GDT_Float32, 0, 0) == CE_None);
    }
    const std::string run = "hotspots --offences " + september + maidstone + " --surface ";
    const auto foreign =
        run_hotspot(run + quoted(dir + "/foreign.tif") + " --out-dir " + quoted(dir + "/foreign"));
    INFO(foreign.err);
    REQUIRE(foreign.exit_code == 0);
    CHECK_THAT(foreign.err, Catch::Contains("does not record its bandwidth (tag "
                                            "HOTSPOT_BANDWIDTH_M): taken as 4 cells, 200 m"));
    const auto own =
        run_hotspot(run + quoted(dir + "/own.tif") + " --out-dir " + quoted(dir + "/own"));
    REQUIRE(own.exit_code == 0);
    CHECK_THAT(own.err, !Catch::Contains("does not record its bandwidth"));
    fs::remove_all(dir);
}

TEST_CASE("Hotspots refuse bad requests", "[cli][hotspots]")
{
    const std::string dir = fresh_temp_dir("hotspots_bad");
    const std::string base = "hotspots --offences " + september + maidstone +
                             " --bandwidth 300 --cell 50 --out-dir " + quoted(dir + "/o");
    {
        // A surface without a CRS cannot be placed.
        GDALAllRegister();
        GDALDriver* tiff = GetGDALDriverManager()->GetDriverByName("GTiff");
        std::unique_ptr<GDALDataset> ds(
            tiff->Create((dir + "/nocrs.tif").c_str(), 4, 4, 1, GDT_Float32, nullptr));
        double transform[6] = {576000, 25, 0, 156000, 0, -25};
        ds->SetGeoTransform(transform);
    }
    const std::vector<Refusal> cases{
        {base + " --method hottest", 2, "gi-star"},
        {base + " --k 0", 2, "--k"},
        {base + " --method top-area --percent 150", 2, "--percent"},
        {base + " --percent 5", 2, "top-area"},
        {base + " --method gi-star --alpha 2", 2, "--alpha"},
        {"hotspots --offences " + september + " --surface " + quoted(dir + "/nocrs.tif") +
             " --out-dir " + quoted(dir + "/o"),
         3, "no CRS"},
        {base + " --from 2020-01", 3, "no offences left"},
    };
    check_refusals(cases, [&] { CHECK_FALSE(fs::exists(dir + "/o/hotspots.gpkg")); });
    fs::remove_all(dir);
}

TEST_CASE("Evaluate September's hotspots on November, for several bandwidths", "[cli][evaluate]")
{
    const std::string dir = fresh_temp_dir("evaluate");
    const auto r = run_hotspot("evaluate --offences " + september + " --test-offences " + november +
                               maidstone + " --cell 50 --bandwidths 150,300,600 --out-dir " +
                               quoted(dir) + " --summary-json " + quoted(dir + "/s.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto summary = read_json(dir + "/s.json");
    REQUIRE(summary["results"].size() == 3);
    for (const auto& result : summary["results"])
    {
        CHECK(result["hit_rate"].get<double>() > 0.0);
        CHECK(result["hit_rate"].get<double>() <= 1.0);
        CHECK(result["pei"].get<double>() <= 1.0);
        // PAI is hit rate over coverage, by definition.
        CHECK(result["pai"].get<double>() ==
              Approx(result["hit_rate"].get<double>() / result["coverage"].get<double>()));
    }
    const double best = summary["best_bandwidth_m"].get<double>();
    CHECK((best == 150 || best == 300 || best == 600));
    CHECK_THAT(r.out, Catch::Contains("best       bandwidth"));
    const auto curves = lines(dir + "/curves.csv");
    CHECK(curves.size() == 1 + 3 * 20);
    CHECK(curves[0] == "bandwidth_m,coverage_percent,hit_rate,pai,pei,rri");
    CHECK(lines(dir + "/evaluation.csv").size() == 4);
    fs::remove_all(dir);
}

TEST_CASE("Displacement around Brenchley Gardens, September against November",
          "[cli][displacement]")
{
    const std::string dir = fresh_temp_dir("displacement");
    const auto r = run_hotspot(
        "displacement --offences " + september + " --offences-after " + november + places +
        " --place 'Brenchley Gardens' --radius 400 --buffer 800 --boundaries " +
        quoted(demo + "boundaries/kent_districts_2013.geojson") + " --control Maidstone --out " +
        quoted(dir + "/wdq.csv") + " --summary-json " + quoted(dir + "/s.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto s = read_json(dir + "/s.json");
    const auto& counts = s["counts"];
    const double a0 = counts["target"][0], a1 = counts["target"][1], b0 = counts["buffer"][0],
                 b1 = counts["buffer"][1], c0 = counts["control"][0], c1 = counts["control"][1];
    CHECK(a0 > 50);
    CHECK(c0 > 500);
    // The measures follow from the counts.
    CHECK(s["success_measure"].get<double>() == Approx(a1 / c1 - a0 / c0));
    CHECK(s["buffer_displacement_measure"].get<double>() == Approx(b1 / c1 - b0 / c0));
    CHECK_FALSE(s["interpretation"].get<std::string>().empty());
    CHECK(lines(dir + "/wdq.csv").front() == "measure,value");

    const auto unknown =
        run_hotspot("displacement --offences " + september + " --offences-after " + november +
                    places + " --place 'Brenchly Gardens' --radius 400");
    CHECK(unknown.exit_code == 2);
    CHECK_THAT(unknown.err, Catch::Contains("Brenchley Gardens"));
    const auto no_target =
        run_hotspot("displacement --offences " + september + " --before 2019-09 --after 2019-10");
    CHECK(no_target.exit_code == 2);
    fs::remove_all(dir);
}

TEST_CASE("A briefing map of Maidstone, and hotspots with a map beside them", "[cli][map]")
{
    const std::string dir = fresh_temp_dir("map");
    const auto r =
        run_hotspot("map --offences " + september + maidstone + wards + places +
                    " --bandwidth 300 --cell 25 --width 1200 --out " +
                    quoted(dir + "/maidstone.png") + " --summary-json " + quoted(dir + "/s.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    GDALAllRegister();
    std::unique_ptr<GDALDataset> png(
        GDALDataset::Open((dir + "/maidstone.png").c_str(), GDAL_OF_RASTER));
    REQUIRE(png);
    CHECK(png->GetRasterXSize() == 1200);
    const auto summary = read_json(dir + "/s.json");
    CHECK(summary["legend"][0].get<double>() == 0.0);
    CHECK(summary["legend"][1].get<double>() > 500.0); // the peak density, offences per km2
    // The demo map's town centre is crowded, yet no label covers another, and every hotspot's rank
    // is on it.
    const auto& labels = summary["labels"];
    std::size_t ranks = 0;
    for (const auto& a : labels)
    {
        const std::string text = a["text"];
        ranks += !text.empty() && text.size() <= 2 && std::isdigit(static_cast<unsigned char>(text[0]));
        for (const auto& b : labels)
            if (&a != &b)
            {
                INFO("'" << text << "' and '" << b["text"].get<std::string>() << "'");
                const auto& p = a["box"];
                const auto& q = b["box"];
                CHECK_FALSE((p[0] < q[2] && p[2] > q[0] && p[1] < q[3] && p[3] > q[1]));
            }
    }
    CHECK(ranks == summary["hotspots"].get<std::size_t>());

    const auto both = run_hotspot("hotspots --offences " + september + maidstone + wards + places +
                                  " --bandwidth 300 --cell 50 --out-dir " + quoted(dir + "/out") +
                                  " --map " + quoted(dir + "/out/map.pdf"));
    CHECK(both.exit_code == 0);
    CHECK(fs::file_size(dir + "/out/map.pdf") > 1000);
    const auto bad = run_hotspot("map --offences " + september + maidstone +
                                 " --bandwidth 300 --out " + quoted(dir + "/m.gif"));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains(".png"));
    fs::remove_all(dir);
}
