#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/map.hpp"

#include <catch2/catch.hpp>
#include <gdal_priv.h>

#include <filesystem>
#include <fstream>
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
