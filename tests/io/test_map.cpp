#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/basemap.hpp"
#include "hotspot/io/map.hpp"

#include <catch2/catch.hpp>
#include <gdal_priv.h>

#include <filesystem>
#include <fstream>
#include <cctype>
#include <set>

#include <unistd.h>

using namespace hotspot;
using namespace hotspot::io;
namespace fs = std::filesystem;

namespace
{
std::string temp_dir()
{
    const auto dir = fs::temp_directory_path() / ("hotspot_map_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}

// A 200 x 120 cell surface (10 m cells) with its peak at cell (150, 40) and a gentle hill
// elsewhere.
MapContent sample()
{
    MapContent c;
    c.surface = engine::Raster<double>(engine::GridSpec{500000, 160000, 10, 200, 120}, 0.0);
    for (std::int64_t r = 0; r < 120; ++r)
        for (std::int64_t col = 0; col < 200; ++col)
        {
            const double d2 = (col - 150.0) * (col - 150.0) + (r - 40.0) * (r - 40.0);
            c.surface.at(col, r) = 500.0 * std::exp(-d2 / 200.0) + (col < 20 ? 5.0 : 0.0);
        }
    c.surface.at(5, 5) = c.nodata;
    c.units = "offences per km²";
    c.title = "Test map";
    c.subtitle = "A peak at cell (150, 40)";
    c.attribution =
        "Contains public sector information licensed under the Open Government Licence v3.0.";
    // A ward whose label would fall off the left edge, and one in the middle.
    c.boundaries.push_back(
        {{{{{500000, 158800}, {500900, 158800}, {500900, 159900}, {500000, 159900}}, {}}},
         "A very long ward name at the edge",
         {500005, 159500}});
    c.boundaries.push_back(
        {{{{{500900, 158800}, {501900, 158800}, {501900, 159900}, {500900, 159900}}, {}}},
         "Middle",
         {501400, 159000}});
    c.hotspots.push_back(
        {{{{{501450, 159500}, {501550, 159500}, {501550, 159700}, {501450, 159700}}, {}}},
         "1",
         {501505, 159200}});
    c.places.emplace_back("Brenchley Gardens", engine::Point2{501300, 159200});
    return c;
}
} // namespace

TEST_CASE("The hottest cell lands on its pixel in the top colour of the ramp", "[map]")
{
    const std::string dir = temp_dir();
    const MapContent content = sample();
    const auto layout = render_map(content, dir + "/map.png", {.width_px = 1200});
    CHECK(layout.legend_min == 0.0);
    CHECK(layout.legend_max == Approx(500.0));
    const auto [px, py] =
        layout.pixel_of({content.surface.grid.center_x(150), content.surface.grid.center_y(40)});

    GDALAllRegister();
    std::unique_ptr<GDALDataset> png(GDALDataset::Open((dir + "/map.png").c_str(), GDAL_OF_RASTER));
    REQUIRE(png);
    CHECK(png->GetRasterXSize() == layout.width_px);
    CHECK(png->GetRasterYSize() == layout.height_px);
    std::array<unsigned char, 3> rgb{};
    for (int band = 0; band < 3; ++band)
        REQUIRE(png->GetRasterBand(band + 1)->RasterIO(GF_Read, static_cast<int>(px),
                                                       static_cast<int>(py), 1, 1,
                                                       &rgb[static_cast<std::size_t>(band)], 1, 1,
                                                       GDT_Byte, 0, 0, nullptr) == CE_None);
    double r, g, b;
    ramp_colour(1.0, r, g, b);
    CHECK(std::abs(rgb[0] - r * 255) <= 3);
    CHECK(std::abs(rgb[1] - g * 255) <= 3);
    CHECK(std::abs(rgb[2] - b * 255) <= 3);
    // A cell of zero density is left clear: white paper.
    const auto [zx, zy] =
        layout.pixel_of({content.surface.grid.center_x(100), content.surface.grid.center_y(110)});
    for (int band = 0; band < 3; ++band)
        REQUIRE(png->GetRasterBand(band + 1)->RasterIO(GF_Read, static_cast<int>(zx),
                                                       static_cast<int>(zy), 1, 1,
                                                       &rgb[static_cast<std::size_t>(band)], 1, 1,
                                                       GDT_Byte, 0, 0, nullptr) == CE_None);
    CHECK(rgb == std::array<unsigned char, 3>{255, 255, 255});
    fs::remove_all(dir);
}

TEST_CASE("Every label stays inside the image, and the furniture is drawn", "[map]")
{
    const std::string dir = temp_dir();
    const auto layout = render_map(sample(), dir + "/map.png", {.width_px = 1000});
    std::set<std::string> texts;
    for (const auto& box : layout.labels)
    {
        INFO(box.text);
        CHECK(box.x0 >= 0);
        CHECK(box.y0 >= 0);
        CHECK(box.x1 <= layout.width_px);
        CHECK(box.y1 <= layout.height_px);
        texts.insert(box.text);
    }
    for (const char* expected : {"Test map", "A very long ward name at the edge", "Middle", "1",
                                 "Brenchley Gardens", "N", "offences per km²", "500", "0.00"})
    {
        INFO(expected);
        CHECK(texts.count(expected) == 1);
    }
    CHECK(std::any_of(texts.begin(), texts.end(),
                      [](const std::string& t) {
                          return t.find(" m") != std::string::npos ||
                                 t.find(" km") != std::string::npos;
                      }));
    CHECK(std::any_of(texts.begin(), texts.end(),
                      [](const std::string& t)
                      { return t.find("Open Government Licence") != std::string::npos; }));
    fs::remove_all(dir);
}

TEST_CASE("A crowded town centre: no label over another, every hotspot's rank drawn",
          "[map][labels]")
{
    // Twenty hotspots within 600 m of one another (a town centre on a borough map 2 km wide),
    // places and ward names among them: their labels would pile up where they were anchored.
    MapContent c = sample();
    c.hotspots.clear();
    for (int i = 0; i < 20; ++i)
    {
        const double x = 501300 + 30.0 * (i % 5) * (i % 2 ? 1 : -1) + 7.0 * i;
        const double y = 159300 + 25.0 * (i / 5);
        c.hotspots.push_back(
            {{{{{x - 10, y - 10}, {x + 10, y - 10}, {x + 10, y + 10}, {x - 10, y + 10}}, {}}},
             std::to_string(i + 1),
             {x, y}});
    }
    c.places.emplace_back("Ringlestone (suburb/housing estate of Maidstone)",
                          engine::Point2{501320, 159330});
    for (int i = 0; i < 6; ++i)
        c.boundaries.push_back({{}, "Ward " + std::to_string(i), {501250.0 + 40 * i, 159350}});
    const std::string dir = temp_dir();
    const auto layout = render_map(c, dir + "/crowded.png", {.width_px = 1000});
    std::set<std::string> ranks;
    for (const auto& a : layout.labels)
    {
        if (a.text.size() <= 2 && std::isdigit(static_cast<unsigned char>(a.text[0])))
            ranks.insert(a.text);
        for (const auto& b : layout.labels)
            if (&a != &b)
            {
                INFO("'" << a.text << "' and '" << b.text << "'");
                CHECK_FALSE((a.x0 < b.x1 && a.x1 > b.x0 && a.y0 < b.y1 && a.y1 > b.y0));
            }
    }
    CHECK(ranks.size() == 20);
    fs::remove_all(dir);
}

TEST_CASE("A categorical map paints each cell its category's colour and lists them", "[map]")
{
    const std::string dir = temp_dir();
    MapContent content;
    content.surface = engine::Raster<double>(engine::GridSpec{500000, 160000, 100, 40, 30}, -1.0);
    for (std::int64_t r = 0; r < 30; ++r)
        for (std::int64_t c = 0; c < 40; ++c)
            content.surface.at(c, r) = c < 20 ? 0.0 : 1.0;
    content.surface.at(0, 0) = 7.0; // no such category: left clear
    content.categories = {{"Quiet", 0.2, 0.4, 0.8, 1.0}, {"Rising", 0.8, 0.1, 0.1, 1.0}};
    content.units = "Trend";
    const auto layout = render_map(content, dir + "/categories.png", {.width_px = 1000});
    std::set<std::string> texts;
    for (const auto& label : layout.labels)
        texts.insert(label.text);
    CHECK(texts.count("Quiet") == 1);
    CHECK(texts.count("Rising") == 1);
    GDALAllRegister();
    std::unique_ptr<GDALDataset> png(
        GDALDataset::Open((dir + "/categories.png").c_str(), GDAL_OF_RASTER));
    REQUIRE(png);
    const auto colour_at = [&](std::int64_t col, std::int64_t row)
    {
        const auto [px, py] = layout.pixel_of(
            {content.surface.grid.center_x(col), content.surface.grid.center_y(row)});
        std::array<unsigned char, 3> rgb{};
        for (int band = 0; band < 3; ++band)
            REQUIRE(png->GetRasterBand(band + 1)->RasterIO(GF_Read, static_cast<int>(px),
                                                           static_cast<int>(py), 1, 1,
                                                           &rgb[static_cast<std::size_t>(band)], 1,
                                                           1, GDT_Byte, 0, 0, nullptr) == CE_None);
        return rgb;
    };
    const auto near = [](std::array<unsigned char, 3> rgb, double r, double g, double b)
    {
        return std::abs(rgb[0] - r * 255) <= 3 && std::abs(rgb[1] - g * 255) <= 3 &&
               std::abs(rgb[2] - b * 255) <= 3;
    };
    CHECK(near(colour_at(10, 15), 0.2, 0.4, 0.8));
    CHECK(near(colour_at(30, 15), 0.8, 0.1, 0.1));
    CHECK(near(colour_at(0, 0), 1, 1, 1));
    fs::remove_all(dir);
}

TEST_CASE("Maps as PDF and SVG, and refusals", "[map]")
{
    const std::string dir = temp_dir();
    render_map(sample(), dir + "/map.pdf", {});
    render_map(sample(), dir + "/map.svg", {});
    std::ifstream pdf(dir + "/map.pdf"), svg(dir + "/map.svg");
    std::string pdf_head(4, ' '), svg_head(5, ' ');
    pdf.read(pdf_head.data(), 4);
    svg.read(svg_head.data(), 5);
    CHECK(pdf_head == "%PDF");
    CHECK(svg_head == "<?xml");
    CHECK_THROWS_WITH(render_map(sample(), dir + "/map.jpg", {}), Catch::Contains(".png"));
    CHECK_THROWS_WITH(render_map(sample(), dir + "/map.png", {.width_px = 10}),
                      Catch::Contains("width"));
    CHECK_THROWS_WITH(render_map(sample(), dir + "/map.pdf", {}), Catch::Contains("--overwrite"));
    fs::remove_all(dir);
}

TEST_CASE("A base map from an XYZ tile URL is read through GDAL, at the level of the map's scale, "
          "and muted",
          "[map][basemap]")
{
    // A tile pyramid of one colour on disk, levels 0 to 10 over Kent: a file:// URL stands in for a
    // tile server, so nothing reaches the network.
    const std::string dir = temp_dir() + "/tiles";
    GDALAllRegister();
    auto* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    auto* png = GetGDALDriverManager()->GetDriverByName("PNG");
    std::unique_ptr<GDALDataset> tile(mem->Create("", 256, 256, 3, GDT_Byte, nullptr));
    const std::uint8_t colour[3] = {200, 40, 40};
    for (int b = 0; b < 3; ++b)
        tile->GetRasterBand(b + 1)->Fill(colour[b]);
    const Crs bng = parse_crs("EPSG:27700"), mercator = parse_crs("EPSG:3857");
    const engine::Box2 kent{520000, 130000, 640000, 180000};
    const Reprojector to_mercator(bng, mercator);
    const auto sw = to_mercator.transform({kent.xmin - 5000, kent.ymin - 5000});
    const auto ne = to_mercator.transform({kent.xmax + 5000, kent.ymax + 5000});
    constexpr double world = 40075016.68557849, half = world / 2;
    std::size_t tiles = 0;
    for (int z = 0; z <= 10; ++z)
    {
        const double span = world / (1 << z);
        for (auto x = static_cast<int>((sw.x + half) / span); x <= (ne.x + half) / span; ++x)
            for (auto y = static_cast<int>((half - ne.y) / span); y <= (half - sw.y) / span; ++y)
            {
                const auto path = fs::path(dir) / std::to_string(z) / std::to_string(x) /
                                  (std::to_string(y) + ".png");
                fs::create_directories(path.parent_path());
                std::unique_ptr<GDALDataset>(
                    png->CreateCopy(path.c_str(), tile.get(), FALSE, nullptr, nullptr, nullptr));
                ++tiles;
            }
    }
    REQUIRE(tiles > 20);
    const Basemap basemap{"file://" + dir + "/{z}/{x}/{y}.png", "Test tiles"};
    REQUIRE(basemap.is_url());
    check_basemap(basemap);
    const auto image = read_basemap(basemap, bng, kent, 120, 50);
    REQUIRE(image.width == 120);
    REQUIRE(image.height == 50);
    // Every pixel is the tiles' colour muted: a third of its colour, washed towards white.
    const double grey = 0.299 * 200 + 0.587 * 40 + 0.114 * 40;
    const auto mute = [&](double c)
    {
        const double m = 0.35 * c + 0.65 * grey;
        return static_cast<int>(std::lround(m + 0.45 * (255 - m)));
    };
    std::size_t right = 0;
    for (std::size_t p = 0; p < image.rgba.size(); p += 4)
        right += std::abs(image.rgba[p] - mute(200)) <= 1 &&
                 std::abs(image.rgba[p + 1] - mute(40)) <= 1 &&
                 std::abs(image.rgba[p + 2] - mute(40)) <= 1 && image.rgba[p + 3] == 255;
    CHECK(right == image.rgba.size() / 4);
    CHECK(mute(200) > mute(40)); // still reddish, but pale
    CHECK(mute(40) > 150);

    // The URL's GDAL description, and refusals.
    CHECK_THAT(xyz_gdal_source("https://t.example.org/{z}/{x}/{y}.png?key=a&b=c"),
               Catch::Contains("https://t.example.org/${z}/${x}/${y}.png?key=a&amp;b=c"));
    CHECK_THROWS_WITH(check_basemap({"https://t.example.org/{z}/{x}.png", ""}),
                      Catch::Contains("needs {z}, {x} and {y}"));
    CHECK_THROWS_WITH(check_basemap({dir + "/none.tif", ""}),
                      Catch::Contains("base map not found"));
}

TEST_CASE("A base map from an MBTiles tile set, in Web Mercator, lands where it lies",
          "[map][basemap]")
{
    // MBTiles as a force keeps offline: written by GDAL from a raster that is blue in its western
    // half and yellow in its eastern half.
    GDALAllRegister();
    const std::string path = temp_dir() + "/streets.mbtiles";
    const Crs bng = parse_crs("EPSG:27700"), mercator = parse_crs("EPSG:3857");
    const engine::Box2 area{570000, 150000, 590000, 160000};
    const Reprojector to_mercator(bng, mercator);
    const auto sw = to_mercator.transform({area.xmin - 2000, area.ymin - 2000});
    const auto ne = to_mercator.transform({area.xmax + 2000, area.ymax + 2000});
    auto* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    std::unique_ptr<GDALDataset> source(mem->Create("", 512, 256, 3, GDT_Byte, nullptr));
    double transform[6] = {sw.x, (ne.x - sw.x) / 512, 0, ne.y, 0, -(ne.y - sw.y) / 256};
    source->SetGeoTransform(transform);
    source->SetProjection(mercator.wkt.c_str());
    const std::uint8_t west[3] = {30, 60, 200}, east[3] = {230, 200, 20};
    std::vector<std::uint8_t> plane(512 * 256);
    for (int b = 0; b < 3; ++b)
    {
        for (int row = 0; row < 256; ++row)
            for (int col = 0; col < 512; ++col)
                plane[static_cast<std::size_t>(row) * 512 + col] = col < 256 ? west[b] : east[b];
        REQUIRE(source->GetRasterBand(b + 1)->RasterIO(GF_Write, 0, 0, 512, 256, plane.data(), 512,
                                                       256, GDT_Byte, 0, 0) == CE_None);
    }
    std::unique_ptr<GDALDataset>(GetGDALDriverManager()->GetDriverByName("MBTiles")->CreateCopy(
        path.c_str(), source.get(), FALSE, nullptr, nullptr, nullptr));
    REQUIRE(fs::exists(path));
    const Basemap basemap{path, "Test MBTiles"};
    REQUIRE_FALSE(basemap.is_url());
    check_basemap(basemap);
    const auto image = read_basemap(basemap, bng, area, 200, 100);
    // The middle column is where the two halves meet (the source's centre is the area's, give or
    // take the reprojection); well inside each half the colour is that half's, muted.
    const auto pixel = [&](int col, int row)
    { return &image.rgba[4 * (static_cast<std::size_t>(row) * image.width + col)]; };
    const auto muted = [](const std::uint8_t* c, int i)
    {
        const double grey = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
        const double m = 0.35 * c[i] + 0.65 * grey;
        return static_cast<int>(std::lround(m + 0.45 * (255 - m)));
    };
    for (const auto& [col, colour] : {std::pair{20, west}, std::pair{180, east}})
        for (int i = 0; i < 3; ++i)
        {
            CHECK(std::abs(pixel(col, 50)[i] - muted(colour, i)) <= 2);
            CHECK(pixel(col, 50)[3] == 255);
        }
}
