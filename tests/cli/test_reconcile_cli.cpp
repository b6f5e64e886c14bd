// `hotspot reconcile` end to end: real Kent data, corrupted codes and locations with known truth,
// and bad input.

#include "run_command.hpp"

#include <catch2/catch.hpp>
#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace hotspot::testsupport;
namespace fs = std::filesystem;

namespace
{
// Runs an SQL statement on a vector file and returns its rows as field -> text maps.
std::vector<std::map<std::string, std::string>> query(const std::string& path,
                                                      const std::string& sql)
{
    GDALAllRegister();
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds);
    OGRLayer* layer = ds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    REQUIRE(layer);
    std::vector<std::map<std::string, std::string>> rows;
    while (OGRFeature* f = layer->GetNextFeature())
    {
        std::map<std::string, std::string> row;
        for (int i = 0; i < f->GetFieldCount(); ++i)
            row[f->GetFieldDefnRef(i)->GetNameRef()] = f->GetFieldAsString(i);
        rows.push_back(row);
        OGRFeature::DestroyFeature(f);
    }
    ds->ReleaseResultSet(layer);
    return rows;
}

std::string reconcile_lsoa(const std::string& dir, const std::string& extra = "")
{
    return "reconcile --offences " + quoted(demo + "police_uk/2019-09-kent-street.csv") +
           " --code-field 'LSOA code' --areas " +
           quoted(demo + "boundaries/kent_lsoa_2011.geojson") +
           " --area-code-field LSOA11CD --area-name-field LSOA11NM --out " +
           quoted(dir + "/r.gpkg") + " --report " + quoted(dir + "/report.csv") +
           " --summary-json " + quoted(dir + "/r.json") + extra;
}
} // namespace

TEST_CASE("Reconcile the September 2019 Kent file against the Kent LSOAs: every row accounted for",
          "[cli][reconcile]")
{
    const std::string dir = fresh_temp_dir("reconcile_real");
    const auto r = run_hotspot(reconcile_lsoa(
        dir, " --assign wards=" + quoted(demo + "boundaries/kent_wards_2013.geojson") +
                 ":WD13CD:WD13NM"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err,
               Catch::Contains("E01024274") && Catch::Contains("E01024535")); // repaired, named
    const auto summary = nlohmann::json::parse(slurp(dir + "/r.json"));
    std::int64_t total = 0;
    for (const auto& [status, count] : summary["status"].items())
        total += count.get<std::int64_t>();
    CHECK(total == 18408);
    CHECK(summary["records"].get<std::int64_t>() == 18408);
    CHECK(summary["status"]["no_location"].get<int>() == 276);
    // The 40 records located outside Kent: beyond every Kent LSOA, or (4, on the Bexley border)
    // with a London LSOA code that the Kent layer does not know.
    CHECK(summary["status"]["outside"].get<int>() + summary["status"]["unknown_code"].get<int>() ==
          41);
    // About 3.6% of points lie in another generalised LSOA than their code: all within 25 m here.
    const int disagree =
        summary["status"]["near_boundary"].get<int>() + summary["status"]["corrected"].get<int>();
    CHECK(disagree > 600);
    CHECK(disagree < 700);

    const auto statuses =
        query(dir + "/r.gpkg", "SELECT status, COUNT(*) AS n FROM reconciled GROUP BY status");
    std::int64_t rows = 0;
    for (const auto& row : statuses)
        rows += std::stoll(row.at("n"));
    CHECK(rows == 18408);
    // police.uk leaves the LSOA code empty where there is no location: nothing to keep.
    for (const auto& row :
         query(dir + "/r.gpkg",
               "SELECT code_final, decided_by FROM reconciled WHERE status = 'no_location'"))
    {
        CHECK(row.at("code_final").empty());
        CHECK(row.at("decided_by") == "none");
    }
    const std::string report = slurp(dir + "/report.csv");
    CHECK_THAT(report, Catch::StartsWith("section,item,count,share,detail") &&
                           Catch::Contains("status,near_boundary") &&
                           Catch::Contains("accuracy,E01024389") && Catch::Contains("repaired"));
    fs::remove_all(dir);
}

TEST_CASE("Corrupted codes are recovered and corrupted locations flagged", "[cli][reconcile]")
{
    // Real Maidstone records, beats = output areas, codes and locations corrupted with known truth.
    std::int64_t coded = 0, recovered = 0, moved = 0, flagged = 0, clean = 0, clean_kept = 0;
    for (const std::string month : {"09", "11"})
        for (const int seed : {1, 2, 3})
        {
            const std::string dir = fresh_temp_dir("corrupt");
            const std::string csv = dir + "/c.csv", aliases = dir + "/aliases.csv";
            const std::string make = quoted(HOTSPOT_CORRUPTER) + " " +
                                     quoted(demo + "police_uk/2019-" + month + "-kent-street.csv") +
                                     " " + quoted(demo + "boundaries/maidstone_oa_2011.geojson") +
                                     " OA11CD " + quoted(csv) + " " + quoted(aliases) + " " +
                                     std::to_string(seed) + " > /dev/null";
            REQUIRE(std::system(make.c_str()) == 0);
            const auto r = run_hotspot(
                "reconcile --offences " + quoted(csv) + " --code-field 'Beat code' --areas " +
                quoted(demo + "boundaries/maidstone_oa_2011.geojson") +
                " --area-code-field OA11CD --aliases " + quoted(aliases) + " --out " +
                quoted(dir + "/c.gpkg") + " --quiet --assign wards=" +
                quoted(demo + "boundaries/maidstone_wards_2013.geojson") + ":WD13CD:WD13NM");
            REQUIRE(r.exit_code == 0);
            // Records whose location is not believed keep their code, and get their ward through
            // it.
            for (const auto& row :
                 query(dir + "/c.gpkg", "SELECT wards_code, wards_by FROM reconciled WHERE status "
                                        "= 'suspect_location'"))
            {
                CHECK_FALSE(row.at("wards_code").empty());
                CHECK(row.at("wards_by") == "code");
            }
            for (const auto& row :
                 query(dir + "/c.gpkg",
                       "SELECT corruption, status, code_final, true_beat FROM reconciled"))
            {
                const std::string& kind = row.at("corruption");
                const bool right = row.at("code_final") == row.at("true_beat");
                if (kind == "none")
                {
                    ++clean;
                    clean_kept += right && row.at("status") == "match";
                }
                else if (kind == "default_point" || kind == "swapped_axes")
                {
                    ++moved;
                    flagged += row.at("status") == "suspect_location";
                }
                else
                {
                    ++coded;
                    recovered += right;
                }
            }
            fs::remove_all(dir);
        }
    INFO("corrupted codes " << coded << ", recovered " << recovered << "; corrupted locations "
                            << moved << ", flagged " << flagged << "; clean " << clean << ", kept "
                            << clean_kept);
    std::printf("reconcile accuracy: corrupted codes %lld, recovered %lld (%.2f%%); corrupted "
                "locations %lld, flagged %lld "
                "(%.2f%%); clean records %lld, kept as match %lld\n",
                static_cast<long long>(coded), static_cast<long long>(recovered),
                100.0 * recovered / coded, static_cast<long long>(moved),
                static_cast<long long>(flagged), 100.0 * flagged / moved,
                static_cast<long long>(clean), static_cast<long long>(clean_kept));
    CHECK(coded > 1500);
    CHECK(moved > 300);
    CHECK(recovered >= 0.99 * static_cast<double>(coded));
    CHECK(flagged >= 0.95 * static_cast<double>(moved));
    CHECK(clean_kept == clean);
}

TEST_CASE("Reconcile refuses bad input with clear messages and writes nothing", "[cli][reconcile]")
{
    const std::string dir = fresh_temp_dir("reconcile_bad");
    const std::string offences = "--offences " + quoted(demo + "police_uk/2019-09-kent-street.csv");
    const std::string lsoa = " --areas " + quoted(demo + "boundaries/kent_lsoa_2011.geojson");
    const std::string out = " --out " + quoted(dir + "/r.gpkg");
    const std::string other_dir = fresh_temp_dir("reconcile_layout");
    const std::string other = other_dir + "/export.csv"; // a layout of its own
    std::ofstream(other) << "LSOA code,Longitude,Latitude\nE01024274,0.52,51.27\n";
    const std::vector<Refusal> cases{
        {"reconcile " + offences + " --code-field Beat" + lsoa + " --area-code-field LSOA11CD" +
             out,
         2, "LSOA code"},
        {"reconcile " + offences + " --code-field 'LSOA code'" + lsoa + " --area-code-field CODE" +
             out,
         2, "LSOA11CD"},
        {"reconcile " + offences + " --code-field 'LSOA code' --areas " +
             quoted(fixtures + "offences_points.geojson") + " --area-code-field ref" + out,
         3, "no polygon"},
        {"reconcile " + offences + " --code-field 'LSOA code' --areas " +
             quoted(fixtures + "beats_duplicate_codes.geojson") + " --area-code-field code" + out,
         3, "B1 = b-1"},
        {"reconcile " + offences + " --code-field 'LSOA code'" + lsoa +
             " --area-code-field LSOA11CD --aliases " + quoted(fixtures + "aliases_cycle.csv") +
             out,
         2, "cycle"},
        {"reconcile " + offences + " --code-field 'LSOA code'" + lsoa +
             " --area-code-field LSOA11CD --trust maybe" + out,
         2, "--trust"},
        {"reconcile " + offences + " --code-field 'LSOA code'" + lsoa +
             " --area-code-field LSOA11CD --out " + quoted(dir + "/r.shp"),
         2, ".gpkg"},
        {"reconcile " + offences + " --code-field 'LSOA code'" + lsoa +
             " --area-code-field LSOA11CD --tolerance -3" + out,
         2, "--tolerance"},
        // FlatGeobuf (GDAL 3.6) drops features without a geometry: refused, not lost.
        {"reconcile " + offences + " --code-field 'LSOA code'" + lsoa +
             " --area-code-field LSOA11CD --out " + quoted(dir + "/r.fgb"),
         2, "FlatGeobuf cannot hold a record without a location"},
        {"reconcile " + offences + " --offences " + quoted(other) + " --code-field 'LSOA code'" +
             lsoa + " --area-code-field LSOA11CD" + out,
         2, "different fields"},
    };
    check_refusals(cases, [&] { CHECK(fs::is_empty(dir)); });
    fs::remove_all(dir);
    fs::remove_all(other_dir);
}
