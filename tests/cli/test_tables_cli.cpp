// `hotspot tables` end to end: the Maidstone ward table, and the report's Appendix 1 rebuilt from
// records.

#include "run_command.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace hotspot::testsupport;
namespace fs = std::filesystem;

namespace
{
std::vector<std::vector<std::string>> read_csv_rows(const std::string& path)
{
    std::ifstream in(path);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line))
    {
        std::vector<std::string> fields;
        std::stringstream ss(line);
        std::string field;
        while (std::getline(ss, field, ','))
            fields.push_back(field);
        rows.push_back(fields);
    }
    return rows;
}
} // namespace

TEST_CASE("The Maidstone ward table for September 2019 has all 26 wards, zeros included",
          "[cli][tables]")
{
    const std::string dir = fresh_temp_dir("tables_wards");
    const auto r =
        run_hotspot("tables --offences " + quoted(demo + "police_uk/2019-09-kent-street.csv") +
                    " --areas " + quoted(demo + "boundaries/maidstone_wards_2013.geojson") +
                    " --area-code-field WD13CD --area-name-field WD13NM --out " +
                    quoted(dir + "/t.csv") + " --summary-json " + quoted(dir + "/t.json"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto rows = read_csv_rows(dir + "/t.csv");
    REQUIRE(rows.size() > 1);
    CHECK(rows[0] ==
          std::vector<std::string>{"area_code", "area_name", "category", "period", "count"});
    std::map<std::string, std::int64_t> all_crime_by_ward;
    std::int64_t zero_rows = 0, violence = 0, asb = 0, all_crime = 0;
    for (std::size_t i = 1; i < rows.size(); ++i)
    {
        const auto& row = rows[i];
        REQUIRE(row.size() == 5);
        CHECK(row[3] == "2019-09");
        const std::int64_t count = std::stoll(row[4]);
        zero_rows += count == 0;
        if (row[2] == "All Crime")
        {
            all_crime_by_ward[row[0]] = count;
            all_crime += count;
        }
        violence += row[2] == "Violence and sexual offences" ? count : 0;
        asb += row[2] == "Anti-social behaviour" ? count : 0;
    }
    CHECK(all_crime_by_ward.size() == 26);
    CHECK(rows.size() - 1 == 26 * 18); // 18 categories countable from police.uk crime types
    CHECK(zero_rows > 0);              // e.g. no robbery in many wards: the row is still there
    // All Crime is every crime type but anti-social behaviour: about 1,650 located records in
    // Maidstone.
    const auto summary = nlohmann::json::parse(std::ifstream(dir + "/t.json"));
    CHECK(all_crime + asb > 1600);
    CHECK(all_crime + asb < 1700);
    CHECK(violence < all_crime);
    CHECK(summary["not_countable"].size() == 6);
    fs::remove_all(dir);
}

TEST_CASE(
    "Appendix 1 rebuilt from records: This Year, Last Year, % change, Change and the Force row",
    "[cli][tables]")
{
    // Records with a district code but no location, which still count (the point of reconciling
    // codes): the report's All Crime figures for each district, this year (April-August 2019) and
    // last.
    const std::vector<std::tuple<std::string, std::string, int, int>> districts{
        {"E07000105", "Ashford", 4184, 4676},
        {"E07000106", "Canterbury", 5415, 5868},
        {"E07000107", "Dartford", 4641, 4743},
        {"E07000108", "Dover", 4010, 4547},
        {"E07000109", "Gravesham", 4246, 4616},
        {"E07000110", "Maidstone", 5866, 6244},
        {"E06000035", "Medway", 11442, 12498},
        {"E07000111", "Sevenoaks", 2983, 3205},
        {"E07000112", "Shepway", 3949, 4256},
        {"E07000113", "Swale", 5735, 6375},
        {"E07000114", "Thanet", 7131, 7821},
        {"E07000115", "Tonbridge and Malling", 3497, 3518},
        {"E07000116", "Tunbridge Wells", 3154, 3279}};
    const std::string dir = fresh_temp_dir("tables_appendix");
    {
        std::ofstream csv(dir + "/records.csv");
        csv << "id,month,district,ho_code,x,y\n";
        int id = 0;
        for (const auto& [code, name, this_year, last_year] : districts)
        {
            for (int i = 0; i < this_year; ++i)
                csv << ++id << ",2019-0" << 4 + i % 5 << "," << code << ","
                    << (i % 3 ? "49" : "105A") << ",,\n";
            for (int i = 0; i < last_year; ++i)
                csv << ++id << ",2018-0" << 4 + i % 5 << "," << code << ",58A,,\n";
        }
    }
    const auto r =
        run_hotspot("tables --offences " + quoted(dir + "/records.csv") +
                    " --crs EPSG:27700 --type-field ho_code --code-field district --areas " +
                    quoted(demo + "boundaries/kent_districts_2013.geojson") +
                    " --area-code-field LAD13CD --area-name-field LAD13NM --category 'All Crime'"
                    " --this 2019-04..2019-08 --last 2018-04..2018-08 --out " +
                    quoted(dir + "/appendix.csv"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto rows = read_csv_rows(dir + "/appendix.csv");
    REQUIRE(rows.size() == 1 + 13 + 1);
    CHECK(rows[0] == std::vector<std::string>{"Crime category", "Area", "This Year", "Last Year",
                                              "% change", "Change"});
    std::map<std::string, std::vector<std::string>> by_area;
    for (std::size_t i = 1; i < rows.size(); ++i)
        by_area[rows[i][1]] = rows[i];
    CHECK(by_area.at("Maidstone") ==
          std::vector<std::string>{"All Crime", "Maidstone", "5866", "6244", "-6.1%", "-378"});
    CHECK(by_area.at("Dartford")[4] == "-2.2%");
    CHECK(by_area.at("Tonbridge and Malling")[4] == "-0.6%");
    CHECK(by_area.at("Force") ==
          std::vector<std::string>{"All Crime", "Force", "66253", "71646", "-7.5%", "-5393"});
    fs::remove_all(dir);
}

TEST_CASE("Tables refuse bad requests clearly", "[cli][tables]")
{
    const std::string dir = fresh_temp_dir("tables_bad");
    const std::string base = "tables --offences " +
                             quoted(demo + "police_uk/2019-09-kent-street.csv") + " --areas " +
                             quoted(demo + "boundaries/maidstone_wards_2013.geojson") +
                             " --area-code-field WD13CD --out " + quoted(dir + "/t.csv");
    {
        std::ofstream(dir + "/negative.csv") << "code,residents\nE05004982,-3\n";
        std::ofstream(dir + "/twice.csv") << "code,residents\nE05004982,10\nE05004982,12\n";
    }
    const std::vector<Refusal> cases{
        {base + " --missing-months zero", 2, "--missing-months takes refuse or blank"},
        {base + " --covers 2019-13..2019-14", 2, "--covers"},
        {base + " --population " + quoted(dir + "/negative.csv"), 3,
         "line 2: residents '-3' is not a count"},
        {base + " --population " + quoted(dir + "/twice.csv"), 3,
         "line 3: area E05004982 given twice"},
        {base + " --this 2019-04..2019-08", 2, "--last"},
        {base + " --this 2019-08..2019-04 --last 2018-04..2018-08", 2, "YYYY-MM..YYYY-MM"},
        {base + " --category 'All Crimes'", 2, "All Crime"},
        {base + " --category Rape", 2, "none of the chosen categories"},
        {base + " --category-basis postcode", 2, "--category-basis"},
        {base + " --categories " + quoted(fixtures + "aliases_cycle.csv"), 3, "header"},
    };
    check_refusals(cases, [&] { CHECK_FALSE(fs::exists(dir + "/t.csv")); });
    fs::remove_all(dir);
}

TEST_CASE("Months the data do not cover are refused or left blank, never written as 0",
          "[cli][tables]")
{
    const std::string dir = fresh_temp_dir("tables_coverage");
    const std::string september = quoted(demo + "police_uk/2019-09-kent-street.csv");
    const std::string november = quoted(demo + "police_uk/2019-11-kent-street.csv");
    const std::string wards = " --areas " +
                              quoted(demo + "boundaries/maidstone_wards_2013.geojson") +
                              " --area-code-field WD13CD --area-name-field WD13NM";

    // README's example on the shipped September file: neither period is in the data.
    const auto readme = run_hotspot("tables --offences " + september + wards +
                                    " --this 2019-04..2019-08 --last 2018-04..2018-08 --out " +
                                    quoted(dir + "/appendix.csv"));
    CHECK(readme.exit_code == 3);
    CHECK_THAT(readme.err, Catch::Contains("none of these months is covered") &&
                               Catch::Contains("which covers 2019-09"));
    CHECK_FALSE(fs::exists(dir + "/appendix.csv"));

    // September and November: October is a gap, not a month without crime.
    const std::string both = "tables --offences " + september + " --offences " + november + wards;
    const auto gap = run_hotspot(both + " --out " + quoted(dir + "/gap.csv"));
    CHECK(gap.exit_code == 3);
    CHECK_THAT(gap.err, Catch::Contains("2019-10 is not covered") &&
                            Catch::Contains("which cover 2019-09, 2019-11"));
    CHECK_FALSE(fs::exists(dir + "/gap.csv"));

    // Asked for blanks: October's cells are empty, September's and November's counted; a run
    // filtered to one crime type still covers both months.
    const auto blank = run_hotspot(both + " --missing-months blank --crime-type Robbery --out " +
                                   quoted(dir + "/blank.csv") + " --summary-json " +
                                   quoted(dir + "/blank.json"));
    INFO(blank.err);
    REQUIRE(blank.exit_code == 0);
    CHECK_THAT(blank.err, Catch::Contains("written blank: 2019-10"));
    std::map<std::string, std::int64_t> rows_by_month, empty_by_month;
    for (const auto& row : read_csv_rows(dir + "/blank.csv"))
        if (row.size() >= 4 && row[0] != "area_code")
        {
            ++rows_by_month[row[3]];
            empty_by_month[row[3]] += row.size() == 4 || row[4].empty();
        }
    CHECK(rows_by_month.size() == 3);
    CHECK(empty_by_month["2019-10"] == rows_by_month["2019-10"]);
    CHECK(empty_by_month["2019-09"] == 0);
    CHECK(empty_by_month["2019-11"] == 0);
    const auto summary = nlohmann::json::parse(std::ifstream(dir + "/blank.json"));
    CHECK(summary["periods_not_covered"] == nlohmann::json::array({"2019-10"}));
    CHECK(summary["offences"]["covers"]["months"] == "2019-09, 2019-11");

    // A period beyond the months covered is refused even with blanks; --covers says otherwise.
    const auto beyond = run_hotspot(both + " --missing-months blank --from 2019-09 --to 2019-12" +
                                    " --out " + quoted(dir + "/beyond.csv"));
    CHECK(beyond.exit_code == 3);
    CHECK_THAT(beyond.err, Catch::Contains("2019-10, 2019-12 are not covered"));
    const auto told = run_hotspot("tables --offences " + september + wards +
                                  " --covers 2019-08..2019-09 --this 2019-09..2019-09 --last " +
                                  "2019-08..2019-08 --out " + quoted(dir + "/told.csv"));
    INFO(told.err);
    CHECK(told.exit_code == 0);
    // Nothing last month in any ward: the change from 0 has no percentage.
    for (const auto& row : read_csv_rows(dir + "/told.csv"))
        if (row.size() == 6 && row[0] != "Crime category")
        {
            CHECK(row[3] == "0");
            CHECK(row[4] == "n/a");
        }
    fs::remove_all(dir);
}

TEST_CASE("Rates per 1,000 residents: each count over its area's residents, blank where unknown",
          "[cli][tables]")
{
    const std::string dir = fresh_temp_dir("tables_population");
    const std::string wards = " --areas " +
                              quoted(demo + "boundaries/maidstone_wards_2013.geojson") +
                              " --area-code-field WD13CD --area-name-field WD13NM";
    // Residents made up for the test: every Maidstone ward but one (E05004983 is left out).
    std::map<std::string, double> residents;
    {
        // The ward codes, from a run without rates.
        REQUIRE(run_hotspot("tables --offences " + quoted(demo + "police_uk/2019-09-kent-street.csv") +
                            wards + " --category 'All Crime' --quiet --out " + quoted(dir + "/plain.csv"))
                    .exit_code == 0);
        std::ofstream csv(dir + "/population.csv");
        csv << "ward,name,residents\n";
        int k = 0;
        for (const auto& row : read_csv_rows(dir + "/plain.csv"))
            if (row[0] != "area_code" && row[0] != "E05004983")
            {
                residents[row[0]] = 4000 + 250 * (k++);
                csv << row[0] << ",x," << residents[row[0]] << "\n";
            }
    }
    const auto r = run_hotspot("tables --offences " +
                               quoted(demo + "police_uk/2019-09-kent-street.csv") + wards +
                               " --category 'All Crime' --population " +
                               quoted(dir + "/population.csv") + " --out " +
                               quoted(dir + "/rates.csv"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("1 areas have no residents") &&
                          Catch::Contains("E05004983"));
    const auto rows = read_csv_rows(dir + "/rates.csv");
    REQUIRE(rows.size() == 27);
    CHECK(rows[0].back() == "per_1000_residents");
    for (std::size_t i = 1; i < rows.size(); ++i)
    {
        const auto& row = rows[i];
        INFO(row[0]);
        if (row[0] == "E05004983")
            CHECK(row.size() == 5); // the rate left blank
        else
        {
            REQUIRE(row.size() == 6);
            CHECK(std::stod(row[5]) ==
                  Approx(1000.0 * std::stod(row[4]) / residents.at(row[0])).margin(0.005));
        }
    }
    fs::remove_all(dir);
}
