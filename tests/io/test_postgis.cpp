// PostGIS names and passwords, and tables written in one transaction against a real PostgreSQL 15
// + PostGIS 3 server the test starts itself.

#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/crs.hpp"
#include "hotspot/io/postgis.hpp"
#include "hotspot/io/vector.hpp"
#include "postgres_server.hpp"

#include <catch2/catch.hpp>

using namespace hotspot;
using namespace hotspot::io;

TEST_CASE("Passwords never reach a message; sources get short names", "[postgis]")
{
    CHECK(is_postgis("PG:dbname=crime"));
    CHECK(is_postgis("pg:dbname=crime"));
    CHECK_FALSE(is_postgis("data/PG.csv"));
    // A password may hold any character but a space: all of it goes, a colon after it too.
    CHECK(without_passwords("PG:host=db dbname=crime user=analyst password=s3:cret: cannot") ==
          "PG:host=db dbname=crime user=analyst password=*** cannot");
    CHECK(without_passwords("PG:dbname=crime password = 'two words\\' here' user=a") ==
          "PG:dbname=crime password = *** user=a");
    CHECK(without_passwords("PG:PASSWORD=x dbname=y") == "PG:PASSWORD=*** dbname=y");
    CHECK(without_passwords("postgresql://analyst:s3cret@db.force.local/crime") ==
          "postgresql://analyst:***@db.force.local/crime");
    CHECK(without_passwords("no secrets here") == "no secrets here");
    CHECK(without_passwords("{\"offences\": \"PG:dbname=c password=abc\"}") ==
          "{\"offences\": \"PG:dbname=c password=***\"}");

    CHECK(source_label("data/police_uk/2019-09-kent-street.csv") == "2019-09-kent-street.csv");
    CHECK(layer_label("data/boundaries/maidstone_wards_2013.geojson") == "maidstone_wards_2013");
    CHECK(source_label("PG:host=db dbname=crime tables=kent.wards password=x") == "kent.wards");
    CHECK(layer_label("PG:host=db dbname=crime tables=kent.wards password=x") == "wards");
    CHECK(source_label("PG:host=db dbname=crime") == "crime");
    CHECK(describe_connection("PG:host=db.force.local dbname=crime password=x") ==
          "database crime on db.force.local");
}

TEST_CASE("A PostGIS table is written in one transaction: a run that fails leaves the old table",
          "[postgis]")
{
    std::string why_not;
    const auto* server = testsupport::PostgresServer::instance(why_not);
    if (!server)
    {
        WARN("HOTSPOT-SKIP: " + why_not);
        return;
    }
    const std::string db = server->create_database("transactions");
    const Crs bng = parse_crs("EPSG:27700");
    const std::vector<VectorField> fields{{"name", FieldType::Text}, {"n", FieldType::Integer}};
    const auto rows = [&]
    {
        std::string out;
        REQUIRE(server->psql("transactions",
                             "SELECT string_agg(name || ':' || n || ':' || ST_AsText(geom) || ':' "
                             "|| ST_SRID(geom), ',' ORDER BY n) FROM points",
                             &out));
        return out.substr(0, out.find('\n'));
    };
    {
        VectorWriter w(db, "points", bng, GeometryKind::Point, fields, false);
        w.add_point(engine::Point2{576000, 155000}, {std::string("a"), std::int64_t{1}});
        w.add_point(engine::Point2{576100, 155100}, {std::string("b"), std::int64_t{2}});
        w.commit();
    }
    const std::string first = rows();
    CHECK(first == "a:1:POINT(576000 155000):27700,b:2:POINT(576100 155100):27700");

    // Refused without --overwrite, before anything is written.
    CHECK_THROWS_WITH(check_vector_output(db, "points", false),
                      Catch::Contains("table points in database transactions") &&
                          Catch::Contains("already exists"));
    CHECK_THROWS_WITH(VectorWriter(db, "points", bng, GeometryKind::Point, fields, false),
                      Catch::Contains("already exists"));
    // A replacement that never commits (the run failed): the old rows stay, nothing half-written.
    {
        VectorWriter w(db, "points", bng, GeometryKind::Point, fields, true);
        w.add_point(engine::Point2{577000, 156000}, {std::string("c"), std::int64_t{3}});
    }
    CHECK(rows() == first);
    // One that commits replaces them.
    {
        VectorWriter w(db, "points", bng, GeometryKind::Point, fields, true);
        w.add_point(engine::Point2{577000, 156000}, {std::string("c"), std::int64_t{3}});
        w.commit();
    }
    CHECK(rows() == "c:3:POINT(577000 156000):27700");

    CHECK_THROWS_WITH(check_vector_output(db, "", true), Catch::Contains("needs --table"));
    CHECK_THROWS_WITH(check_vector_output(db, "1bad; drop", true),
                      Catch::Contains("a table name is letters"));
    CHECK_THROWS_WITH(check_vector_output("out.gpkg", "points", true),
                      Catch::Contains("--table goes with --out PG:"));
    const std::string wrong = server->connection("nope") + " password=secret99";
    try
    {
        check_vector_output(wrong, "points", true);
        FAIL("connected to a database that does not exist");
    }
    catch (const Error& e)
    {
        const std::string message = e.what();
        CHECK(e.code() == Errc::Io);
        CHECK_THAT(message, Catch::Contains("cannot connect to database nope on /"));
        CHECK_THAT(message, Catch::Contains("\"nope\" does not exist"));
        CHECK(message.find("secret99") == std::string::npos);
    }
}
