#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/crs.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace hotspot;
using namespace hotspot::io;

TEST_CASE("CRS from EPSG codes, bare numbers and names", "[crs]")
{
    const Crs bng = parse_crs("EPSG:27700");
    CHECK(bng.authority == "EPSG:27700");
    CHECK(bng.metric);
    CHECK_FALSE(bng.geographic);
    CHECK(parse_crs("27700").authority == "EPSG:27700");
    CHECK(wgs84().geographic);
    CHECK(bng.area_of_use.has_value());
    CHECK_THROWS_AS(parse_crs("EPSG:999999"), Error);
    CHECK_THROWS_AS(parse_crs("not a crs"), Error);
}

TEST_CASE("A geographic or non-metre target CRS is refused", "[crs]")
{
    CHECK_THROWS_WITH(require_metric(wgs84(), "--target-crs"), Catch::Contains("degrees"));
    CHECK_THROWS_WITH(require_metric(parse_crs("EPSG:2263"), "--target-crs"),
                      Catch::Contains("metres")); // US feet
    CHECK_NOTHROW(require_metric(parse_crs("EPSG:32631"), "--target-crs"));
}

TEST_CASE("A published point transforms to its British National Grid coordinates", "[crs]")
{
    // Ordnance Survey's worked example (Caister water tower): ETRS89 52 39' 28.8282" N, 1
    // 42' 57.8663" E is OSGB36 National Grid E 651409.903, N 313177.270 (through OSTN15). Without
    // the OSTN15 grid PROJ uses the published 7-parameter Helmert, good to a few metres, which is
    // what we check.
    const double lat = 52 + 39 / 60.0 + 28.8282 / 3600.0;
    const double lon = 1 + 42 / 60.0 + 57.8663 / 3600.0;
    const Reprojector to_bng(wgs84(), parse_crs("EPSG:27700"));
    const auto p = to_bng.transform({lon, lat});
    CHECK(std::abs(p.x - 651409.903) < 5.0);
    CHECK(std::abs(p.y - 313177.270) < 5.0);

    const Reprojector back(parse_crs("EPSG:27700"), wgs84());
    const auto q = back.transform(p);
    CHECK(q.x == Approx(lon).margin(1e-8));
    CHECK(q.y == Approx(lat).margin(1e-8));
}

TEST_CASE("Bulk transformation equals one-by-one, and failures become NaN", "[crs]")
{
    const Reprojector to_bng(wgs84(), parse_crs("EPSG:27700"));
    std::vector<double> xs, ys;
    for (int i = 0; i < 40000; ++i)
    {
        xs.push_back(0.3 + 0.00001 * i);
        ys.push_back(51.2 + 0.000005 * i);
    }
    auto bx = xs, by = ys;
    to_bng.transform(bx, by);
    for (int i : {0, 1234, 20000, 39999})
    {
        const auto p =
            to_bng.transform({xs[static_cast<std::size_t>(i)], ys[static_cast<std::size_t>(i)]});
        CHECK(p.x == bx[static_cast<std::size_t>(i)]);
        CHECK(p.y == by[static_cast<std::size_t>(i)]);
    }
    const Reprojector to_utm(wgs84(), parse_crs("EPSG:32631"));
    const auto bad = to_utm.transform({0.0, 95.0});
    CHECK(std::isnan(bad.x));
}

TEST_CASE("Same CRS is an identity that leaves coordinates untouched", "[crs]")
{
    const Reprojector same(parse_crs("EPSG:27700"), parse_crs("27700"));
    CHECK(same.is_identity());
    std::vector<double> x{575000.123456789}, y{155000.987654321};
    same.transform(x, y);
    CHECK(x[0] == 575000.123456789);
}

TEST_CASE("The default target CRS: British National Grid in Great Britain, else UTM", "[crs]")
{
    std::string why;
    CHECK(default_target_crs(0.52, 51.27, why).authority == "EPSG:27700"); // Maidstone
    CHECK(why.find("Great Britain") != std::string::npos);
    CHECK(default_target_crs(-3.19, 55.95, why).authority == "EPSG:27700");   // Edinburgh
    CHECK(default_target_crs(-5.71, 50.07, why).authority == "EPSG:27700");   // Land's End
    CHECK(default_target_crs(-6.26, 53.35, why).authority == "EPSG:32629");   // Dublin: not GB
    CHECK(default_target_crs(2.35, 48.85, why).authority == "EPSG:32631");    // Paris
    CHECK(default_target_crs(151.21, -33.87, why).authority == "EPSG:32756"); // Sydney
}

TEST_CASE("A CRS in feet redrawn in metres is the same projection scaled, both ways exactly",
          "[crs]")
{
    const Crs feet = parse_crs("EPSG:2913"); // Oregon North, international feet
    REQUIRE_FALSE(feet.metric);
    CHECK(feet.unit_m == Approx(0.3048).epsilon(1e-12));
    const Crs metres = in_metres(feet);
    CHECK(metres.metric);
    CHECK(metres.unit_m == 1.0);
    CHECK(metres.authority.empty()); // no longer EPSG:2913: its coordinates are scaled
    CHECK(metres.name.find("in metres") != std::string::npos);
    CHECK_NOTHROW(require_metric(metres, "test"));
    CHECK(in_metres(parse_crs("EPSG:27700")).wkt == parse_crs("EPSG:27700").wkt);

    // A Portland burglary's coordinates: scaled by 0.3048 exactly, and back.
    const engine::Point2 p = Reprojector(feet, metres).transform({7688186, 676342});
    CHECK(p.x == 7688186 * 0.3048);
    CHECK(p.y == 676342 * 0.3048);
    const engine::Point2 back = Reprojector(metres, feet).transform(p);
    CHECK(back.x == Approx(7688186).margin(1e-6));
    CHECK(back.y == Approx(676342).margin(1e-6));
    // And the scaled CRS is the projection itself: through lon/lat it lands on the same metres.
    const Crs lonlat = wgs84();
    const engine::Point2 ll = Reprojector(feet, lonlat).transform({7688186, 676342});
    const engine::Point2 via = Reprojector(lonlat, metres).transform(ll);
    CHECK(via.x == Approx(p.x).margin(0.01));
    CHECK(via.y == Approx(p.y).margin(0.01));
}
