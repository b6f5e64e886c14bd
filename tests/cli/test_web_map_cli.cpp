// The web map (`--html`) and base maps (`--basemap`) end to end on the Maidstone demo data, and the
// web map in a real browser: headless Chromium loads it, and its screenshot is read back.

#include "run_command.hpp"

#include <catch2/catch.hpp>
#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

using namespace hotspot::testsupport;
namespace fs = std::filesystem;

namespace
{
const std::string maidstone_run =
    "--offences " + quoted(demo + "police_uk/2019-09-kent-street.csv") + " --boundaries " +
    quoted(demo + "boundaries/kent_districts_2013.geojson") + " --area Maidstone --boundaries " +
    quoted(demo + "boundaries/maidstone_wards_2013.geojson") + " --places " +
    quoted(demo + "places/maidstone_places.csv") + " --bandwidth 300 --cell 25";

// The data object the page is built from: `const d = {...};` in its script.
nlohmann::json page_data(const std::string& html)
{
    const auto start = html.find("const d = ");
    REQUIRE(start != std::string::npos);
    const auto end = html.find(";\n\n(function", start);
    REQUIRE(end != std::string::npos);
    return nlohmann::json::parse(html.substr(start + 10, end - start - 10));
}

struct Dataset
{
    std::unique_ptr<GDALDataset> ds;
    explicit Dataset(const std::string& path)
        : ds(GDALDataset::FromHandle(GDALOpen(path.c_str(), GA_ReadOnly)))
    {
        REQUIRE(ds);
    }
};

double raster_peak(const std::string& path)
{
    GDALAllRegister();
    Dataset tif(path);
    auto* band = tif.ds->GetRasterBand(1);
    int has_nodata = 0;
    const double nodata = band->GetNoDataValue(&has_nodata);
    std::vector<double> v(static_cast<std::size_t>(tif.ds->GetRasterXSize()) *
                          tif.ds->GetRasterYSize());
    REQUIRE(band->RasterIO(GF_Read, 0, 0, tif.ds->GetRasterXSize(), tif.ds->GetRasterYSize(),
                           v.data(), tif.ds->GetRasterXSize(), tif.ds->GetRasterYSize(),
                           GDT_Float64, 0, 0) == CE_None);
    double peak = 0;
    for (const double x : v)
        if (!(has_nodata && x == nodata))
            peak = std::max(peak, x);
    return peak;
}

std::size_t feature_count(const std::string& path)
{
    GDALAllRegister();
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds);
    return static_cast<std::size_t>(ds->GetLayer(0)->GetFeatureCount());
}

using Rgb = std::array<int, 3>;

struct Image
{
    int width = 0, height = 0;
    std::vector<std::uint8_t> r, g, b;
    Rgb at(int x, int y) const
    {
        const auto k = static_cast<std::size_t>(y) * width + x;
        return {r[k], g[k], b[k]};
    }
};

Image read_png(const std::string& path)
{
    GDALAllRegister();
    Dataset png(path);
    Image image{png.ds->GetRasterXSize(), png.ds->GetRasterYSize(), {}, {}, {}};
    for (int band = 1; band <= 3; ++band)
    {
        auto& plane = band == 1 ? image.r : band == 2 ? image.g : image.b;
        plane.resize(static_cast<std::size_t>(image.width) * image.height);
        REQUIRE(png.ds->GetRasterBand(band)->RasterIO(GF_Read, 0, 0, image.width, image.height,
                                                      plane.data(), image.width, image.height,
                                                      GDT_Byte, 0, 0) == CE_None);
    }
    return image;
}

bool near(const Rgb& a, const Rgb& b, int tolerance)
{
    for (int i = 0; i < 3; ++i)
        if (std::abs(a[i] - b[i]) > tolerance)
            return false;
    return true;
}

// Pixels of the map (right of the side panel, left of the legend) within `tolerance` of a colour.
std::size_t pixels_near(const Image& image, const Rgb& colour, int tolerance, int left)
{
    std::size_t n = 0;
    for (int y = 0; y < image.height; ++y)
        for (int x = left; x < image.width - 170; ++x)
            n += near(image.at(x, y), colour, tolerance);
    return n;
}

std::string chromium()
{
    for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
        if (fs::exists(path))
            return path;
    return "";
}

// Headless Chromium, as root needs it, on a page of the test's own: nothing reaches the network.
CommandResult browse(const std::string& browser, const std::string& what, const std::string& url)
{
    // A profile of its own: nothing read from or left in the home folder, which CI may not have.
    const std::string profile = fresh_temp_dir("chromium_profile");
    return run_command("timeout 120 " + quoted(browser) +
                       " --headless --no-sandbox --disable-gpu --no-first-run"
                       " --user-data-dir=" +
                       quoted(profile) +
                       " --enable-logging=stderr --v=0 --virtual-time-budget=10000"
                       " --window-size=1400,900 " +
                       what + " " + quoted(url));
}

// A raster of one colour over a box in a CRS, for a base map the tests make themselves.
void write_solid_raster(const std::string& path, int epsg, double xmin, double ymin, double xmax,
                        double ymax, int width, int height, const Rgb& colour)
{
    GDALAllRegister();
    auto* driver =
        GetGDALDriverManager()->GetDriverByName(path.ends_with(".png") ? "MEM" : "GTiff");
    std::unique_ptr<GDALDataset> ds(driver->Create(path.ends_with(".png") ? "" : path.c_str(),
                                                   width, height, 3, GDT_Byte, nullptr));
    REQUIRE(ds);
    double transform[6] = {xmin, (xmax - xmin) / width, 0, ymax, 0, -(ymax - ymin) / height};
    ds->SetGeoTransform(transform);
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    ds->SetSpatialRef(&srs);
    std::vector<std::uint8_t> plane(static_cast<std::size_t>(width) * height);
    for (int band = 1; band <= 3; ++band)
    {
        std::fill(plane.begin(), plane.end(), static_cast<std::uint8_t>(colour[band - 1]));
        REQUIRE(ds->GetRasterBand(band)->RasterIO(GF_Write, 0, 0, width, height, plane.data(),
                                                  width, height, GDT_Byte, 0, 0) == CE_None);
    }
    if (path.ends_with(".png"))
    {
        auto* png = GetGDALDriverManager()->GetDriverByName("PNG");
        std::unique_ptr<GDALDataset> out(
            png->CreateCopy(path.c_str(), ds.get(), FALSE, nullptr, nullptr, nullptr));
        REQUIRE(out);
    }
}

// The muting the base map gets (io/src/basemap.cpp): a third of its colour, washed towards white.
Rgb muted(const Rgb& c)
{
    const double grey = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
    Rgb out;
    for (int i = 0; i < 3; ++i)
    {
        const double m = 0.35 * c[i] + 0.65 * grey;
        out[i] = static_cast<int>(std::lround(m + 0.45 * (255 - m)));
    }
    return out;
}

constexpr Rgb densest{0xfd, 0xe7, 0x25}; // the top of the viridis ramp
} // namespace

TEST_CASE("The web map: one file with Leaflet inlined, every hotspot, the legend topped by the "
          "raster's peak",
          "[cli][web]")
{
    const std::string dir = fresh_temp_dir("web_map");
    const auto r = run_hotspot("hotspots " + maidstone_run + " --out-dir " + quoted(dir) +
                               " --html " + quoted(dir + "/map.html"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string html = slurp(dir + "/map.html");
    // Self-contained: Debian's Leaflet byte for byte, its icons inlined, no file or script fetched.
    const std::string leaflet = slurp("/usr/share/javascript/leaflet/leaflet.min.js");
    REQUIRE(!leaflet.empty());
    CHECK(html.find(leaflet) != std::string::npos);
    CHECK(html.find("images/layers.png") == std::string::npos);
    CHECK(html.find("<script src") == std::string::npos);
    CHECK(html.find("<link") == std::string::npos);

    const auto d = page_data(html);
    const auto& features = d["hotspots"]["features"];
    CHECK(features.size() == feature_count(dir + "/hotspots.geojson"));
    CHECK(static_cast<float>(d["legend"]["max"].get<double>()) ==
          static_cast<float>(raster_peak(dir + "/density.tif"))); // the GeoTIFF holds floats
    CHECK(d["legend"]["min"].get<double>() == 0);
    CHECK(d["tiles"].is_null());
    CHECK(d["basemap"].is_null());
    // police.uk offences and ONS boundaries: both credited.
    CHECK_THAT(d["attribution"].get<std::string>(),
               Catch::Contains("(police.uk)") && Catch::Contains("Ordnance Survey and ONS"));
    CHECK(d["density"]["image"].get<std::string>().rfind("data:image/png;base64,", 0) == 0);
    // Ranks in order, each hotspot's popup as in patrol_list.csv.
    std::ifstream csv(dir + "/patrol_list.csv");
    std::string line;
    std::getline(csv, line);
    for (std::size_t i = 0; i < features.size(); ++i)
    {
        const auto& values = features[i]["properties"]["values"];
        CHECK(features[i]["properties"]["rank"] == i + 1);
        REQUIRE(std::getline(csv, line));
        const std::string name = values[1];
        CHECK(line.find("," + name + ",") != std::string::npos);
        CHECK_THAT(line, Catch::Contains(values[4].get<std::string>())); // top streets
    }
    // Hotspot 1's outline lies in Maidstone: its lon/lat are those of the town.
    const auto& ring = features[0]["geometry"]["coordinates"][0][0];
    for (const auto& p : ring)
    {
        CHECK(p[0].get<double>() > 0.4);
        CHECK(p[0].get<double>() < 0.6);
        CHECK(p[1].get<double>() > 51.2);
        CHECK(p[1].get<double>() < 51.3);
    }
    // The density image's bounds hold every hotspot.
    const auto& b = d["density"]["bounds"];
    for (const auto& f : features)
        for (const auto& p : f["geometry"]["coordinates"][0][0])
        {
            CHECK(p[1].get<double>() >= b[0][0].get<double>());
            CHECK(p[1].get<double>() <= b[1][0].get<double>());
            CHECK(p[0].get<double>() >= b[0][1].get<double>());
            CHECK(p[0].get<double>() <= b[1][1].get<double>());
        }

    // `map --html` alone writes the same page (no PNG needed); neither output is a refusal.
    const auto m =
        run_hotspot("map " + maidstone_run + " --html " + quoted(dir + "/alone.html") + " --quiet");
    INFO(m.err);
    CHECK(m.exit_code == 0);
    CHECK(page_data(slurp(dir + "/alone.html"))["hotspots"] == d["hotspots"]);
    check_refusals(
        {{"map " + maidstone_run, 2, "--out FILE.png"},
         {"map " + maidstone_run + " --html " + quoted(dir + "/x.pdf"), 2, "as .html"},
         {"map " + maidstone_run + " --html " + quoted(dir + "/alone.html"), 4, "exists"},
         {"hotspots " + maidstone_run + " --out-dir " + quoted(dir + "/b") + " --basemap " +
              quoted(dir + "/none.tif"),
          2, "--basemap goes under a map"}},
        [&] { CHECK(!fs::exists(dir + "/x.pdf")); });
}

TEST_CASE("The web map in a real browser: no console errors, every hotspot drawn, the legend's "
          "top at the peak, the densest colour at hotspot 1",
          "[cli][web][browser]")
{
    const std::string browser = chromium();
    if (browser.empty())
    {
        WARN("HOTSPOT-SKIP: Chromium is not installed (Debian package chromium; make deps "
             "installs it)");
        return;
    }
    const std::string dir = fresh_temp_dir("web_browser");
    const auto r = run_hotspot("hotspots " + maidstone_run + " --out-dir " + quoted(dir) +
                               " --html " + quoted(dir + "/map.html") + " --quiet");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string url = "file://" + dir + "/map.html";

    const auto dom = browse(browser, "--dump-dom", url);
    INFO(dom.err);
    REQUIRE(dom.exit_code == 0);
    CHECK(dom.err.find(":CONSOLE") == std::string::npos); // the page logged nothing, threw nothing
    // What Leaflet drew: a path per hotspot, the legend with the raster's peak.
    std::size_t paths = 0;
    for (auto at = dom.out.find("<path class=\"hotspot-outline"); at != std::string::npos;
         at = dom.out.find("<path class=\"hotspot-outline", at + 1))
        ++paths;
    CHECK(paths == feature_count(dir + "/hotspots.geojson"));
    CHECK(paths > 10);
    const std::string key = "id=\"legend-max\" data-value=\"";
    const auto legend = dom.out.find(key);
    REQUIRE(legend != std::string::npos);
    const double legend_max = std::stod(dom.out.substr(legend + key.size()));
    // The GeoTIFF holds 32-bit floats: the legend's top, so rounded, is its peak exactly.
    CHECK(static_cast<float>(legend_max) == static_cast<float>(raster_peak(dir + "/density.tif")));
    CHECK_THAT(dom.out, Catch::Contains("<tr class=\"spot\">"));

    // Opened on hotspot 1 (the densest: its peak is the raster's), the map shows the ramp's top
    // colour; opened on the last, faint hotspot, it does not.
    // Hotspot 1 holds the raster's peak (patrol_list.csv gives it to 3 decimals).
    {
        std::ifstream csv(dir + "/patrol_list.csv");
        std::string header, row, cell;
        std::getline(csv, header);
        std::getline(csv, row);
        std::stringstream h(header), v(row);
        std::string field;
        double peak = -1;
        while (std::getline(h, field, ','))
        {
            std::getline(v, cell, ',');
            if (field.rfind("peak_density (", 0) == 0) // its unit in brackets
                peak = std::stod(cell);
        }
        CHECK(std::abs(peak - legend_max) < 1e-3);
    }
    const std::size_t spots = paths;
    const auto shot =
        browse(browser, "--screenshot=" + quoted(dir + "/first.png"), url + "#hotspot=1");
    REQUIRE(shot.exit_code == 0);
    const auto last = browse(browser, "--screenshot=" + quoted(dir + "/last.png"),
                             url + "#hotspot=" + std::to_string(spots));
    REQUIRE(last.exit_code == 0);
    const int map_left = 381; // the patrol list's panel is 380 pixels wide
    const Image first = read_png(dir + "/first.png");
    CHECK(first.width == 1400);
    CHECK(pixels_near(first, densest, 6, map_left) > 50);
    const Image faint = read_png(dir + "/last.png");
    CHECK(pixels_near(faint, densest, 6, map_left) == 0);
}

TEST_CASE("A base map under the briefing map and the web map: muted, credited, read through GDAL",
          "[cli][web][basemap]")
{
    const std::string dir = fresh_temp_dir("basemap");
    auto r = run_hotspot("map " + maidstone_run + " --out " + quoted(dir + "/plain.png") +
                         " --summary-json " + quoted(dir + "/plain.json") + " --quiet");
    REQUIRE(r.exit_code == 0);
    // The map's extent is the density grid's: Maidstone district's box.
    auto k =
        run_hotspot("hotspots " + maidstone_run + " --out-dir " + quoted(dir + "/h") + " --quiet");
    REQUIRE(k.exit_code == 0);
    GDALAllRegister();
    double t[6];
    int cols = 0, rows = 0;
    {
        Dataset tif(dir + "/h/density.tif");
        tif.ds->GetGeoTransform(t);
        cols = tif.ds->GetRasterXSize();
        rows = tif.ds->GetRasterYSize();
    }
    const double xmin = t[0], ymax = t[3], xmax = t[0] + t[1] * cols, ymin = t[3] + t[5] * rows;
    // A blue base map in Web Mercator over the western half.
    OGRSpatialReference bng, mercator;
    bng.importFromEPSG(27700);
    mercator.importFromEPSG(3857);
    bng.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    mercator.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> to_mercator(
        OGRCreateCoordinateTransformation(&bng, &mercator));
    double xs[2] = {xmin - 2000, xmin + 0.45 * (xmax - xmin)}, ys[2] = {ymin - 2000, ymax + 2000};
    REQUIRE(to_mercator->Transform(2, xs, ys));
    const Rgb blue{30, 60, 200};
    write_solid_raster(dir + "/blue.tif", 3857, xs[0], ys[0], xs[1], ys[1], 300, 400, blue);

    r = run_hotspot("map " + maidstone_run + " --out " + quoted(dir + "/over.png") + " --basemap " +
                    quoted(dir + "/blue.tif") + " --basemap-attribution 'Test base map' --quiet");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // Pixels of the map frame: 20 px margin, 70 px title, scale from the frame's 1390 px width.
    const double scale = (1600.0 - 170 - 40) / (xmax - xmin);
    const auto pixel = [&](double fx, double fy)
    {
        return std::pair{static_cast<int>(20 + fx * (xmax - xmin) * scale),
                         static_cast<int>(70 + fy * (ymax - ymin) * scale)};
    };
    const Image plain = read_png(dir + "/plain.png"), over = read_png(dir + "/over.png");
    REQUIRE(plain.width == over.width);
    const auto [wx, wy] = pixel(0.04, 0.04); // north-west corner: outside the district, no density
    const auto [ex, ey] = pixel(0.90, 0.04); // north-east: beyond the base map
    CHECK(plain.at(wx, wy) == Rgb{255, 255, 255});
    CHECK(near(over.at(wx, wy), muted(blue), 2));
    CHECK(over.at(ex, ey) == Rgb{255, 255, 255});

    // The web map: the file as an image under the density, credited; a tile URL as Leaflet tiles.
    r = run_hotspot("map " + maidstone_run + " --html " + quoted(dir + "/file.html") +
                    " --basemap " + quoted(dir + "/blue.tif") +
                    " --basemap-attribution 'Test base map' --quiet");
    REQUIRE(r.exit_code == 0);
    auto d = page_data(slurp(dir + "/file.html"));
    CHECK(d["basemap"]["image"].get<std::string>().rfind("data:image/png;base64,", 0) == 0);
    CHECK(d["basemap"]["attribution"] == "Test base map");
    CHECK(d["density"]["opacity"].get<double>() < 1);
    const std::string tiles = "https://tiles.example.org/{z}/{x}/{y}.png";
    r = run_hotspot("map " + maidstone_run + " --html " + quoted(dir + "/tiles.html") +
                    " --tiles '" + tiles + "' --basemap-attribution 'Example tiles' --quiet");
    REQUIRE(r.exit_code == 0);
    d = page_data(slurp(dir + "/tiles.html"));
    CHECK(d["tiles"]["url"] == tiles);
    CHECK(d["tiles"]["attribution"] == "Example tiles");
    CHECK(d["basemap"].is_null());

    check_refusals({{"map " + maidstone_run + " --out " + quoted(dir + "/x.png") + " --basemap " +
                         quoted(dir + "/missing.tif"),
                     4, "missing.tif: base map not found"},
                    {"map " + maidstone_run + " --out " + quoted(dir + "/x.png") + " --basemap " +
                         quoted(dir + "/plain.json"),
                     4, "cannot be opened as a base map"},
                    {"map " + maidstone_run + " --out " + quoted(dir + "/x.png") +
                         " --tiles https://tiles.example.org/{z}/{x}.png",
                     2, "needs {z}, {x} and {y}"}},
                   [&] { CHECK(!fs::exists(dir + "/x.png")); });
}

TEST_CASE("Maps credit the sources a run used, and no others", "[cli][web]")
{
    const std::string dir = fresh_temp_dir("attribution");
    const std::string manhattan =
        "hotspots --offences " + quoted(std::string(HOTSPOT_SOURCE_DIR) +
                                        "/data/nyc/manhattan_residential_burglary_2019.csv") +
        " --x-field X_COORD_CD --y-field Y_COORD_CD --crs EPSG:2263 --date-field CMPLNT_FR_DT"
        " --bandwidth 300 --cell 50 --quiet";
    REQUIRE(run_hotspot(manhattan + " --out-dir " + quoted(dir + "/a") + " --html " +
                        quoted(dir + "/a.html"))
                .exit_code == 0);
    const std::string plain = page_data(slurp(dir + "/a.html"))["attribution"];
    CHECK_THAT(plain, !Catch::Contains("police.uk") && !Catch::Contains("Ordnance Survey") &&
                          Catch::Contains("Offences: manhattan_residential_burglary_2019.csv"));
    REQUIRE(run_hotspot(manhattan + " --attribution 'NYC Open Data' --out-dir " +
                        quoted(dir + "/b") + " --html " + quoted(dir + "/b.html"))
                .exit_code == 0);
    const std::string told = page_data(slurp(dir + "/b.html"))["attribution"];
    CHECK_THAT(told, Catch::Contains("NYC Open Data") && !Catch::Contains("police.uk") &&
                         !Catch::Contains("Offences:"));
    fs::remove_all(dir);
}

TEST_CASE("Where offences carry times, each hotspot's popup gives its busiest hours and an hour by "
          "day chart",
          "[cli][web][browser]")
{
    const std::string dir = fresh_temp_dir("web_hours");
    const auto r = run_hotspot("hotspots --offences " + demo +
                               "chicago/chicago_aggravated_assaults_2010_2019.csv --cell 200 "
                               "--bandwidth 600 --out-dir " +
                               quoted(dir) + " --html " + quoted(dir + "/map.html") + " --quiet");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string page = slurp(dir + "/map.html");
    CHECK_THAT(page, Catch::Contains("\"Busiest hours\""));
    CHECK_THAT(page, Catch::Contains("\"hours\":[\"#"));
    CHECK_THAT(slurp(dir + "/patrol_list.csv"), Catch::Contains(",top_hours,"));
    const std::string browser = chromium();
    if (browser.empty())
    {
        WARN("HOTSPOT-SKIP: Chromium is not installed (Debian package chromium; make deps "
             "installs it)");
        return;
    }
    const auto dom = browse(browser, "--dump-dom", "file://" + dir + "/map.html#hotspot=1&popup");
    INFO(dom.err);
    REQUIRE(dom.exit_code == 0);
    CHECK(dom.err.find(":CONSOLE") == std::string::npos);
    CHECK_THAT(dom.out, Catch::Contains("class=\"hour-chart\""));
}
