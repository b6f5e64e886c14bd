#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/areas.hpp"

#include <catch2/catch.hpp>

using namespace hotspot;
using namespace hotspot::io;

namespace
{
const std::string data_dir = HOTSPOT_SOURCE_DIR "/data/boundaries/";
}

TEST_CASE("Ward boundaries are read and reprojected to British National Grid", "[areas]")
{
    const AreaLayer wards =
        read_areas(data_dir + "maidstone_wards_2013.geojson", "", parse_crs("EPSG:27700"));
    CHECK(wards.features.size() == 26);
    CHECK(wards.field_names == std::vector<std::string>{"WD13CD", "WD13CDO", "WD13NM", "WD13NMW"});
    const auto high_street = find_area(wards, "high street");
    REQUIRE(high_street.size() == 1);
    const auto box = engine::bounds(wards.features[high_street[0]].shape);
    // Maidstone town centre lies near E 576000, N 155800.
    CHECK(box.xmin > 570000);
    CHECK(box.xmax < 580000);
    CHECK(box.ymin > 150000);
    CHECK(box.ymax < 160000);
    // The Brenchley Gardens cenotaph (51.277147 N, 0.520369 E) lies in High Street ward.
    const auto p = Reprojector(wgs84(), parse_crs("EPSG:27700")).transform({0.520369, 51.277147});
    CHECK(engine::contains(wards.features[high_street[0]].shape, p));
}

TEST_CASE("An area name picks every feature carrying it", "[areas]")
{
    const AreaLayer wards =
        read_areas(data_dir + "kent_wards_2013.geojson", "", parse_crs("EPSG:27700"));
    CHECK(find_area(wards, "Maidstone").size() == 26); // LAD13NM of all 26 Maidstone wards
    CHECK(find_area(wards, "E05004996").size() == 1);  // High Street ward by code
}

TEST_CASE("An unknown area lists the nearest names", "[areas]")
{
    const AreaLayer districts =
        read_areas(data_dir + "kent_districts_2013.geojson", "", parse_crs("EPSG:27700"));
    CHECK(districts.features.size() == 13);
    CHECK_THROWS_WITH(find_area(districts, "Maidstne"),
                      Catch::Contains("Maidstone") && Catch::Contains("nearest"));
}

TEST_CASE("Invalid polygons are repaired and named", "[areas]")
{
    const AreaLayer lsoa =
        read_areas(data_dir + "kent_lsoa_2011.geojson", "", parse_crs("EPSG:27700"));
    CHECK(lsoa.features.size() == 1065);
    std::string warnings;
    for (const auto& w : lsoa.warnings)
        warnings += w + "\n";
    CHECK_THAT(warnings, Catch::Contains("E01024274") && Catch::Contains("E01024535"));
}

TEST_CASE("A missing or non-polygon boundary source is refused", "[areas]")
{
    CHECK_THROWS_WITH(read_areas("/no/such/file.gpkg", "", parse_crs("EPSG:27700")),
                      Catch::Contains("no such file"));
    CHECK_THROWS_WITH(
        read_areas(HOTSPOT_TEST_DATA "/offences_points.geojson", "", parse_crs("EPSG:27700")),
        Catch::Contains("no polygon"));
}
