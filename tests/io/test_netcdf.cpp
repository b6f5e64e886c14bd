#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/netcdf.hpp"

#include <catch2/catch.hpp>
#include <gdal_priv.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include <unistd.h>

using namespace hotspot;
using namespace hotspot::io;
namespace fs = std::filesystem;

namespace
{
std::string temp_dir()
{
    const auto dir = fs::temp_directory_path() / ("hotspot_netcdf_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}

// A 4 x 3 grid of 100 m cells over 2 steps: value = 100 t + 10 row + col, NaN at (0, 0).
NetcdfCube sample()
{
    NetcdfCube cube;
    cube.grid = engine::GridSpec{576000, 156000, 100, 4, 3};
    cube.crs = parse_crs("EPSG:27700");
    cube.time = {engine::make_day(2019, 9, 1), engine::make_day(2019, 10, 1)};
    cube.time_labels = {"2019-09", "2019-10"};
    cube.variables.push_back({"count", "offences", "1",
                              [](std::size_t t, std::vector<double>& slice)
                              {
                                  for (std::size_t k = 1; k < slice.size(); ++k)
                                      slice[k] = 100.0 * static_cast<double>(t) +
                                                 10.0 * static_cast<double>(k / 4) +
                                                 static_cast<double>(k % 4);
                              }});
    cube.attributes = {{"title", "test cube"}};
    return cube;
}
} // namespace

TEST_CASE("A netCDF cube opens in GDAL with its CRS, cells, times and values", "[netcdf]")
{
    const std::string dir = temp_dir();
    const std::string path = dir + "/cube.nc";
    write_netcdf_cube(path, sample(), false);
    GDALAllRegister();
    std::unique_ptr<GDALDataset> ds(
        GDALDataset::Open(("NETCDF:\"" + path + "\":count").c_str(), GDAL_OF_RASTER));
    REQUIRE(ds);
    CHECK(ds->GetRasterXSize() == 4);
    CHECK(ds->GetRasterYSize() == 3);
    CHECK(ds->GetRasterCount() == 2);
    CHECK(std::string(ds->GetSpatialRef()->GetAuthorityCode(nullptr)) == "27700");
    double gt[6];
    REQUIRE(ds->GetGeoTransform(gt) == CE_None);
    CHECK(gt[0] == Approx(576000));
    CHECK(gt[3] == Approx(156000));
    CHECK(gt[1] == Approx(100));
    CHECK(gt[5] == Approx(-100));
    std::vector<double> v(12);
    REQUIRE(ds->GetRasterBand(2)->RasterIO(GF_Read, 0, 0, 4, 3, v.data(), 4, 3, GDT_Float64, 0,
                                           0) == CE_None);
    CHECK(std::isnan(v[0]));
    CHECK(v[1] == 101);  // t 1, row 0, col 1
    CHECK(v[11] == 123); // t 1, row 2, col 3
    CHECK(std::string(ds->GetMetadataItem("NC_GLOBAL#Conventions")) == "CF-1.8");
    CHECK(std::string(ds->GetMetadataItem("NC_GLOBAL#title")) == "test cube");
    CHECK(std::string(ds->GetMetadataItem("time#units")) == "days since 1970-01-01 00:00:00");
    CHECK(std::string(ds->GetMetadataItem("time#calendar")) == "standard");
    std::ostringstream days;
    days << '{' << engine::make_day(2019, 9, 1) << ',' << engine::make_day(2019, 10, 1) << '}';
    CHECK(std::string(ds->GetMetadataItem("NETCDF_DIM_time_VALUES")) == days.str());
    ds.reset();

    // An existing cube is kept unless asked; a failed write leaves nothing behind.
    CHECK_THROWS_WITH(write_netcdf_cube(path, sample(), false), Catch::Contains("exists"));
    NetcdfCube bad = sample();
    bad.variables[0].fill = [](std::size_t, std::vector<double>&)
    { throw Error(Errc::Io, "disk gone"); };
    CHECK_THROWS_WITH(write_netcdf_cube(dir + "/bad.nc", bad, false), Catch::Contains("disk gone"));
    for (const auto& entry : fs::directory_iterator(dir))
        CHECK(entry.path().filename() == "cube.nc");
    fs::remove_all(dir);
}
