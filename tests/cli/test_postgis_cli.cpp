// PostGIS both ways, end to end against a real PostgreSQL 15 + PostGIS 3 server the test starts:
// the demo data loaded into tables gives the same hotspots as the files; reconcile and hotspots
// write tables equal to their GeoPackages, in one transaction.

#include "postgres_server.hpp"
#include "run_command.hpp"

#include <catch2/catch.hpp>
#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace hotspot::testsupport;
namespace fs = std::filesystem;

namespace
{
const std::string csv_file = demo + "police_uk/2019-09-kent-street.csv";
const std::string districts_file = demo + "boundaries/kent_districts_2013.geojson";
const std::string wards_file = demo + "boundaries/maidstone_wards_2013.geojson";
const std::string lsoa_file = demo + "boundaries/kent_lsoa_2011.geojson";

// Loads a file into a table as an analyst would, with ogr2ogr; column names kept as they are.
void load(const std::string& db, const std::string& file, const std::string& table,
          const std::string& extra = "")
{
    const auto r = run_command("ogr2ogr -f PostgreSQL " + quoted(db) + " " + quoted(file) +
                               " -nln " + table + " -lco LAUNDER=NO " + extra);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
}

// Every feature of a layer (or SQL result) as text: attributes by name, then the geometry as WKT,
// in feature order.
std::vector<std::string> features(const std::string& source, const std::string& sql)
{
    GDALAllRegister();
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(source.c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds);
    OGRLayer* layer = ds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    REQUIRE(layer);
    std::vector<std::string> out;
    while (OGRFeature* f = layer->GetNextFeature())
    {
        std::string row;
        for (int i = 0; i < f->GetFieldCount(); ++i)
            row += std::string(f->GetFieldDefnRef(i)->GetNameRef()) + "=" +
                   (f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "NULL") + "|";
        if (const OGRGeometry* g = f->GetGeometryRef())
        {
            char* wkt = nullptr;
            g->exportToWkt(&wkt);
            row += wkt;
            CPLFree(wkt);
        }
        out.push_back(row);
        OGRFeature::DestroyFeature(f);
    }
    ds->ReleaseResultSet(layer);
    return out;
}
} // namespace

TEST_CASE("PostGIS both ways: database runs equal file runs, tables written whole or not at all",
          "[cli][postgis]")
{
    std::string why_not;
    const auto* server = PostgresServer::instance(why_not);
    if (!server)
    {
        WARN("HOTSPOT-SKIP: " + why_not);
        return;
    }
    const std::string db = server->create_database("kent");
    load(db, csv_file, "offences_2019_09",
         "-oo X_POSSIBLE_NAMES=Longitude -oo Y_POSSIBLE_NAMES=Latitude -oo KEEP_GEOM_COLUMNS=NO "
         "-a_srs EPSG:4326");
    load(db, districts_file, "kent_districts_2013");
    load(db, wards_file, "maidstone_wards_2013");
    const std::string dir = fresh_temp_dir("postgis");
    const auto table = [&](const std::string& name) { return quoted(db + " tables=" + name); };
    const std::string parameters = " --area Maidstone --bandwidth 300 --cell 25 --quiet";

    // In: the same hotspots from the tables as from the files, the patrol list byte for byte.
    auto r = run_hotspot("hotspots --offences " + quoted(csv_file) + " --boundaries " +
                         quoted(districts_file) + " --boundaries " + quoted(wards_file) +
                         parameters + " --out-dir " + quoted(dir + "/files"));
    REQUIRE(r.exit_code == 0);
    r = run_hotspot("hotspots --offences " + table("offences_2019_09") + " --boundaries " +
                    table("kent_districts_2013") + " --boundaries " +
                    table("maidstone_wards_2013") + parameters + " --out-dir " +
                    quoted(dir + "/database") + " --out " + quoted(db) +
                    " --table hotspots_2019_09 --summary-json " + quoted(dir + "/summary.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string patrol_list = slurp(dir + "/files/patrol_list.csv");
    CHECK(patrol_list.size() > 1000);
    CHECK(slurp(dir + "/database/patrol_list.csv") == patrol_list);
    // Out: the table holds what the GeoPackage holds, feature for feature.
    const auto gpkg = features(dir + "/database/hotspots.gpkg", "SELECT * FROM hotspots");
    CHECK(gpkg.size() > 10);
    CHECK(features(db, "SELECT * FROM hotspots_2019_09 ORDER BY rank") == gpkg);
    std::string srid;
    REQUIRE(server->psql("kent", "SELECT DISTINCT ST_SRID(geom) FROM hotspots_2019_09", &srid));
    CHECK(srid == "27700\n");

    // --sql: the database's own query, here one crime type, equals --crime-type on the file.
    const auto used = [&](const std::string& arguments)
    {
        const auto k = run_hotspot("kde " + arguments + parameters + " --boundaries " +
                                   quoted(districts_file) + " --out " + quoted(dir + "/k.tif") +
                                   " --overwrite --summary-json " + quoted(dir + "/k.json"));
        INFO(k.err);
        REQUIRE(k.exit_code == 0);
        return nlohmann::json::parse(slurp(dir + "/k.json"))["offences"]["used"].get<int>();
    };
    const int burglaries = used("--offences " + quoted(csv_file) + " --crime-type Burglary");
    CHECK(burglaries > 100);
    CHECK(used("--offences " + quoted(db) +
               " --sql \"SELECT * FROM offences_2019_09 WHERE \\\"Crime type\\\" = 'Burglary'\"") ==
          burglaries);

    // reconcile into a table: the same records as its GeoPackage, in input order.
    const std::string reconcile = "reconcile --offences " + table("offences_2019_09") +
                                  " --code-field 'LSOA code' --areas " + quoted(lsoa_file) +
                                  " --area-code-field LSOA11CD --quiet";
    r = run_hotspot(reconcile + " --out " + quoted(dir + "/reconciled.gpkg"));
    REQUIRE(r.exit_code == 0);
    r = run_hotspot(reconcile + " --out " + quoted(db) + " --table reconciled");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto reconciled =
        features(dir + "/reconciled.gpkg", "SELECT * FROM reconciled ORDER BY fid");
    CHECK(reconciled.size() == 18408); // every record of the month, located or not
    CHECK(features(db, "SELECT * FROM reconciled ORDER BY ogc_fid") == reconciled);

    // Not replaced without --overwrite; replaced whole with it.
    r = run_hotspot(reconcile + " --out " + quoted(db) + " --table reconciled");
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("table reconciled in database kent") &&
                          Catch::Contains("already exists; add --overwrite"));
    r = run_hotspot("hotspots --offences " + table("offences_2019_09") + " --boundaries " +
                    table("kent_districts_2013") +
                    " --area Maidstone --bandwidth 500 --cell 25 --quiet --out " + quoted(db) +
                    " --table hotspots_2019_09 --overwrite");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::string count;
    REQUIRE(server->psql("kent", "SELECT count(*) FROM hotspots_2019_09", &count));
    CHECK(std::stoul(count) != gpkg.size()); // a wider bandwidth: fewer, larger hotspots

    // A wrong database: named, with its host; the password never printed, nor in the summary.
    const std::string secret = quoted(server->connection("nope") + " password=secret99");
    r = run_hotspot("hotspots --offences " + secret + " --boundaries " + quoted(districts_file) +
                    parameters + " --out-dir " + quoted(dir + "/x"));
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("dbname=nope") && Catch::Contains("password=***"));
    CHECK(r.err.find("secret99") == std::string::npos);
    r = run_hotspot("hotspots --offences " + table("offences_2019_09") + parameters +
                    " --boundaries " + quoted(districts_file) + " --out " + secret +
                    " --table t --summary-json " + quoted(dir + "/x.json"));
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("cannot connect to database nope on /"));
    CHECK(r.err.find("secret99") == std::string::npos);
    r = run_hotspot("hotspots --offences " + secret + " --layer offences_2019_09" +
                    " --boundaries " + quoted(districts_file) + parameters + " --out-dir " +
                    quoted(dir + "/y"));
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("secret99") == std::string::npos);
    CHECK(slurp(dir + "/summary.json").find("password") == std::string::npos);
    const std::string file_run =
        "hotspots --offences " + quoted(csv_file) + " --boundaries " + quoted(districts_file);
    const std::string kde_run = "kde --offences " + quoted(db) + parameters + " --boundaries " +
                                quoted(districts_file) + " --out " + quoted(dir + "/n.tif");
    check_refusals(
        {{kde_run + " --sql 'SELECT * FROM nothere'", 2, "the --sql query failed"},
         {kde_run + " --layer offences_2019_09 --sql 'SELECT * FROM offences_2019_09'", 2,
          "--layer and --sql: give one of them"},
         {file_run + parameters, 2, "--out-dir FOLDER, --out PG:... --table NAME, or both"},
         {file_run + parameters + " --out " + quoted(db), 2, "needs --table NAME"},
         {file_run + parameters + " --out " + quoted(dir + "/h.gpkg"), 2, "files go in --out-dir"}},
        [&] { CHECK(!fs::exists(dir + "/n.tif")); });
}
