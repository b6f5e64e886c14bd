#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/crs.hpp"
#include "hotspot/io/geotiff.hpp"
#include "hotspot/io/layer_style.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <gdal.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace hotspot;
using namespace hotspot::io;
using hotspot::testsupport::temp_dir;
namespace fs = std::filesystem;

namespace
{
engine::Raster<double> sample_raster()
{
    engine::Raster<double> r(engine::GridSpec{566000, 165800, 25, 700, 600}, 0.0);
    for (std::int64_t row = 0; row < r.grid.rows; ++row)
        for (std::int64_t col = 0; col < r.grid.cols; ++col)
            r.at(col, row) = (col + 1) * 0.001 + row * 1.5;
    r.at(0, 0) = -9999.0;
    return r;
}
} // namespace

TEST_CASE("A GeoTIFF round trip keeps values, grid, CRS, nodata and metadata", "[geotiff]")
{
    const fs::path dir = temp_dir("roundtrip");
    const auto path = (dir / "surface.tif").string();
    const auto raster = sample_raster();
    GeoTiffOptions options;
    options.metadata = {{"HOTSPOT_KERNEL", "quartic"}, {"HOTSPOT_BANDWIDTH_M", "250"}};
    options.unit = "offences per km²";
    write_geotiff(path, raster, parse_crs("EPSG:27700"), options);

    const auto back = read_geotiff(path);
    CHECK(back.data_type == "Float32");
    CHECK(back.layout == "COG");
    CHECK(back.compression == "DEFLATE");
    CHECK(back.overview_count >= 1);
    REQUIRE(back.has_crs);
    CHECK(back.crs.authority == "EPSG:27700");
    REQUIRE(back.nodata.has_value());
    CHECK(*back.nodata == -9999.0);
    CHECK(back.geotransform[0] == 566000);
    CHECK(back.geotransform[3] == 165800);
    CHECK(back.geotransform[1] == 25);
    CHECK(back.geotransform[5] == -25);
    CHECK(back.raster.grid.cols == 700);
    CHECK(back.raster.grid.rows == 600);
    CHECK(back.metadata.at("HOTSPOT_KERNEL") == "quartic");
    CHECK(back.metadata.at("HOTSPOT_BANDWIDTH_M") == "250");
    CHECK(back.raster.at(0, 0) == -9999.0);
    for (const auto& [c, r] : std::vector<std::pair<int, int>>{{1, 0}, {699, 599}, {350, 20}})
        CHECK(back.raster.at(c, r) ==
              Approx(raster.at(c, r)).epsilon(1e-7)); // Float32 rounding only
    fs::remove_all(dir);
}

TEST_CASE("Float64 output keeps every bit", "[geotiff]")
{
    const fs::path dir = temp_dir("float64");
    const auto path = (dir / "surface.tif").string();
    const auto raster = sample_raster();
    GeoTiffOptions options;
    options.float64 = true;
    write_geotiff(path, raster, parse_crs("EPSG:27700"), options);
    const auto back = read_geotiff(path);
    CHECK(back.data_type == "Float64");
    CHECK(back.raster.values == raster.values);
    fs::remove_all(dir);
}

TEST_CASE("Written a strip at a time, a surface reads back as written: zeros stay zeros",
          "[geotiff][strips]")
{
    // 2 x 2 blocks of 512 cells. The first block is all zeros (no offence within reach, as over
    // the sea): written whole, it reads back 0, and so it must in strips, not as nodata (GDAL
    // leaves out a block equal to the empty value it knows of when it writes it). The second
    // holds a nodata row.
    const fs::path dir = temp_dir("strips");
    engine::Raster<double> raster(engine::GridSpec{500000, 200000, 10, 1024, 1024}, 0.0);
    for (std::int64_t row = 0; row < 1024; ++row)
        for (std::int64_t col = 0; col < 1024; ++col)
            if (row >= 512 || col >= 512)
                raster.at(col, row) = 0.25 + (row % 7) * (col % 5);
    for (std::int64_t col = 512; col < 1024; ++col)
        raster.at(col, 100) = -9999.0;
    GeoTiffOptions options;
    options.float64 = false;
    const auto crs = parse_crs("EPSG:27700");

    const auto whole = (dir / "whole.tif").string();
    write_geotiff(whole, raster, crs, options);
    const auto strips = (dir / "strips.tif").string();
    // A block cache smaller than a strip, as on a grid of hundreds of millions of cells: GDAL
    // writes each block out as the next strip comes in.
    const GIntBig cache = GDALGetCacheMax64();
    GDALSetCacheMax64(1 << 20);
    {
        GeoTiffStripWriter writer(strips, raster.grid, false, false, options.nodata);
        for (std::int64_t first = 0; first < 1024; first += 512)
            writer.write_rows(first, 512,
                              raster.values.data() + static_cast<std::size_t>(first * 1024));
        GDALSetCacheMax64(cache);
        writer.finish(crs, options);
    }
    CHECK(read_geotiff(whole).raster.values == raster.values);
    const auto back = read_geotiff(strips);
    CHECK(back.raster.at(0, 0) == 0.0);
    CHECK(back.raster.values == raster.values);
    // Finished with another nodata than it staged with: refused, and nothing written.
    const auto other = (dir / "other.tif").string();
    GeoTiffStripWriter mismatched(other, raster.grid, false, false, -1.0);
    CHECK_THROWS_WITH(mismatched.finish(crs, options), Catch::Contains("staged with nodata"));
    CHECK_FALSE(fs::exists(other));
    fs::remove_all(dir);
}

TEST_CASE("An existing output is replaced only with overwrite", "[geotiff]")
{
    const fs::path dir = temp_dir("overwrite");
    const auto path = (dir / "surface.tif").string();
    std::ofstream(path) << "keep me";
    const auto raster = sample_raster();
    CHECK_THROWS_WITH(write_geotiff(path, raster, parse_crs("EPSG:27700"), {}),
                      Catch::Contains("--overwrite"));
    std::ifstream in(path);
    std::string content;
    std::getline(in, content);
    CHECK(content == "keep me");
    GeoTiffOptions options;
    options.overwrite = true;
    write_geotiff(path, raster, parse_crs("EPSG:27700"), options);
    CHECK(read_geotiff(path).raster.grid.cols == 700);
    fs::remove_all(dir);
}

TEST_CASE("A failed write leaves nothing behind", "[geotiff]")
{
    CHECK_THROWS_AS(
        write_geotiff("/nonexistent-folder/x.tif", sample_raster(), parse_crs("EPSG:27700"), {}),
        Error);
    const fs::path dir = temp_dir("failed");
    fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
    if (::geteuid() != 0) // root may write anywhere, so the check only means something for others
        CHECK_THROWS_AS(
            write_geotiff((dir / "x.tif").string(), sample_raster(), parse_crs("EPSG:27700"), {}),
            Error);
    fs::permissions(dir, fs::perms::owner_all);
    CHECK(fs::is_empty(dir));
    fs::remove_all(dir);
}

TEST_CASE("A surface's QGIS style: the maps' viridis from 0 to its peak, 0 clear, the unit shown",
          "[geotiff][style]")
{
    const fs::path dir = temp_dir("style");
    engine::Raster<double> r(engine::GridSpec{566000, 165800, 25, 4, 3}, 0.0);
    r.values = {-9999, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 4.5};
    GeoTiffOptions options;
    options.unit = "offences per km²";
    options.qgis_style = true;
    write_geotiff((dir / "density.tif").string(), r, parse_crs("EPSG:27700"), options);
    REQUIRE(fs::exists(dir / "density.qml"));
    std::ifstream in(dir / "density.qml");
    const std::string qml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(qml.find("type=\"singlebandpseudocolor\"") != std::string::npos);
    CHECK(qml.find("classificationMin=\"0\" classificationMax=\"9\"") != std::string::npos);
    // Eleven stops: 0 clear, then viridis's ten anchors, the first (#440154) just above 0 and the
    // last (#fde725) at the peak, labelled with the unit; nodata is left to the GeoTIFF.
    std::size_t items = 0;
    for (auto at = qml.find("<item "); at != std::string::npos; at = qml.find("<item ", at + 1))
        ++items;
    CHECK(items == 11);
    CHECK(qml.find(
              "<item alpha=\"0\" value=\"0\" label=\"0 offences per km²\" color=\"#440154\"/>") !=
          std::string::npos);
    CHECK(qml.find("value=\"9\" label=\"9 offences per km²\" color=\"#fde725\"") !=
          std::string::npos);
    CHECK(qml.find("value=\"1\" label=\"1\" color=\"#482878\"") != std::string::npos);
    CHECK(raster_style_qml(0, 1, "a < b & c").find("a &lt; b &amp; c") != std::string::npos);
    CHECK(style_path_for("/x/y/predict.tif") == "/x/y/predict.qml");
    // Without --overwrite an existing style is refused, as the raster is.
    CHECK_THROWS_AS(
        write_geotiff((dir / "density.tif").string(), r, parse_crs("EPSG:27700"), options), Error);
}
