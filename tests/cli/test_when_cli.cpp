// `hotspot when` and the --days/--hours filter end to end, on real timed data: Chicago's assaults
// (times to the minute) and Manhattan's burglary windows.

#include "run_command.hpp"

#include "hotspot/io/geotiff.hpp"

#include <catch2/catch.hpp>
#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include <array>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

using namespace hotspot::testsupport;
namespace fs = std::filesystem;

namespace
{
const std::string data = HOTSPOT_SOURCE_DIR "/data/";
const std::string chicago = data + "chicago/chicago_aggravated_assaults_2010_2019.csv";
const std::string chicago_districts = data + "chicago/chicago_police_districts.geojson";
const std::string manhattan = data + "nyc/manhattan_residential_burglary_2019.csv";

// Chicago's assaults counted directly by hour of the week (Monday 00:00 first), from the text.
std::array<double, 168> direct_counts(std::int64_t& records)
{
    std::array<double, 168> counts{};
    std::ifstream in(chicago);
    std::string line;
    std::getline(in, line);
    records = 0;
    while (std::getline(in, line))
    {
        // "2010-01-01 00:05,..."
        const int y = std::stoi(line.substr(0, 4)), m = std::stoi(line.substr(5, 2)),
                  d = std::stoi(line.substr(8, 2)), hh = std::stoi(line.substr(11, 2));
        const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                              std::chrono::day(d)};
        const unsigned weekday =
            std::chrono::weekday(std::chrono::sys_days(ymd)).iso_encoding() - 1; // Monday 0
        counts[weekday * 24 + hh] += 1;
        ++records;
    }
    return counts;
}

std::map<std::string, std::array<double, 168>> read_long(const std::string& path)
{
    std::map<std::string, std::array<double, 168>> out;
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    REQUIRE(line == "group_kind,group,period,day,hour,weight,share,p_value,above_rest");
    const std::array<std::string, 7> days{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    while (std::getline(in, line))
    {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string field; std::getline(ss, field, ',');)
            f.push_back(field);
        const auto day = std::find(days.begin(), days.end(), f[3]) - days.begin();
        auto& row = out[f[0] + "/" + f[1] + "/" + f[2]];
        row[static_cast<std::size_t>(day * 24 + std::stoi(f[4].substr(0, 2)))] = std::stod(f[5]);
    }
    return out;
}
} // namespace

TEST_CASE("when: Chicago's hour-of-week table equals a direct count", "[when]")
{
    const std::string dir = fresh_temp_dir("when_chicago");
    const auto r = run_hotspot("when --offences " + chicago + " --boundaries " + chicago_districts +
                               " --permutations 0 --charts none --by year --week-starts sunday "
                               "--out-dir " +
                               dir + "/out --summary-json " + dir + "/summary.json");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::int64_t records = 0;
    const auto expected = direct_counts(records);
    CHECK(records == 148636);
    const auto table = read_long(dir + "/out/hour_of_week.csv");
    const auto& all = table.at("all/all offences/");
    double sum = 0;
    for (std::size_t h = 0; h < 168; ++h)
    {
        CHECK(all[h] == expected[h]); // exact times: whole offences, no rounding
        sum += all[h];
    }
    CHECK(sum == 148636);
    // Years 2010-2019 and the districts: each sums to its share of the whole.
    double years = 0, by_district = 0;
    int year_count = 0;
    for (const auto& [key, hours] : table)
    {
        const double total = std::accumulate(hours.begin(), hours.end(), 0.0);
        if (key.rfind("all/all offences/20", 0) == 0)
        {
            years += total;
            ++year_count;
        }
        if (key.rfind("area/", 0) == 0 && key.back() == '/')
            by_district += total;
    }
    CHECK(year_count == 10);
    CHECK(years == 148636);
    CHECK(by_district <= 148636);
    CHECK(by_district > 148000);
    // The wide table starts its week on Sunday when asked.
    std::ifstream wide(dir + "/out/hour_of_week_wide.csv");
    std::string header;
    std::getline(wide, header);
    CHECK(header == "group_kind,group,period,hour,Sun,Mon,Tue,Wed,Thu,Fri,Sat,total");

    const auto summary = nlohmann::json::parse(slurp(dir + "/summary.json"));
    CHECK(summary["times"]["instants"] == 148636);
    CHECK(summary["groups"][0]["reading"].size() == 3);
}

TEST_CASE("when: significance, charts and readings for each area", "[when]")
{
    const std::string dir = fresh_temp_dir("when_manhattan");
    const auto r = run_hotspot("when --offences " + manhattan +
                               " --crs EPSG:2263 --timezone America/New_York --out-dir " + dir +
                               "/out --summary-json " + dir + "/summary.json");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK((r.out + r.err).find("in a window of a week or more") != std::string::npos);
    for (const char* f : {"hour_of_week.csv", "hour_of_week_wide.csv", "readings.txt",
                          "chart_all.png", "chart_all.svg"})
        CHECK(fs::file_size(dir + "/out/" + f) > 100);
    const auto summary = nlohmann::json::parse(slurp(dir + "/summary.json"));
    const auto used = summary["offences"]["used"].get<double>();
    CHECK(summary["groups"][0]["weight"].get<double>() == Approx(used));
    CHECK(summary["clock"] == "America/New_York clock time as recorded");
    CHECK(summary["times"]["windows"].get<int>() > 1000);
    CHECK(slurp(dir + "/out/readings.txt").find("of the offences fall in") != std::string::npos);
}

TEST_CASE("The hours filter keeps the night-time economy's hours on every command", "[when]")
{
    const std::string dir = fresh_temp_dir("when_filter");
    // Friday 20:00 to Saturday 04:00 and Saturday 20:00 to Sunday 04:00, counted directly.
    std::int64_t records = 0;
    const auto counts = direct_counts(records);
    double expected = 0;
    for (const int day : {4, 5})
        for (int k = 0; k < 8; ++k)
            expected += counts[static_cast<std::size_t>((day * 24 + 20 + k) % 168)];
    const auto r = run_hotspot("kde --offences " + chicago +
                               " --days fri,sat --hours 20-04 --cell 500 --bandwidth 1000 --out " +
                               dir + "/night.tif --summary-json " + dir + "/summary.json");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto summary = nlohmann::json::parse(slurp(dir + "/summary.json"));
    CHECK(summary["offences"]["hours"]["filter"] == "Fri, Sat 20:00-04:00");
    CHECK(summary["offences"]["hours"]["weight_kept"].get<double>() == expected);
    CHECK(summary["offences"]["used"].get<double>() == expected);
    CHECK(summary["offences"]["rejected_by_reason"]["outside_hours"].get<double>() ==
          148636 - expected);

    // police.uk gives months: refused, saying why.
    const auto refused = run_hotspot("kde --offences " + data +
                                     "police_uk/2019-09-kent-street.csv --days fri --cell 100 "
                                     "--out " +
                                     dir + "/x.tif");
    CHECK(refused.exit_code != 0);
    CHECK(refused.err.find("dated to the month only") != std::string::npos);
    CHECK_FALSE(fs::exists(dir + "/x.tif"));
    const auto when_refused = run_hotspot("when --offences " + data +
                                          "police_uk/2019-09-kent-street.csv --out-dir " + dir +
                                          "/w");
    CHECK(when_refused.exit_code != 0);
    CHECK(when_refused.err.find("months only") != std::string::npos);
    const auto bad_days = run_hotspot("kde --offences " + chicago +
                                      " --days friyay --cell 500 --out " + dir + "/y.tif");
    CHECK(bad_days.exit_code != 0);
    CHECK(bad_days.err.find("'friyay' is not a day") != std::string::npos);
}

TEST_CASE("when and the hours filter run in a batch as they run alone", "[when]")
{
    const std::string dir = fresh_temp_dir("when_batch");
    {
        std::ofstream toml(dir + "/b.toml");
        toml << "[sources]\nchicago = \"" << chicago << "\"\n"
             << "[[query]]\nname = \"Night\"\noperation = \"when\"\noffences = \"chicago\"\n"
             << "days = \"fri,sat\"\nhours = \"20-04\"\npermutations = 0\ncharts = \"none\"\n";
    }
    const auto batch = run_hotspot("batch " + dir + "/b.toml --out " + dir + "/batch");
    INFO(batch.out + batch.err);
    REQUIRE(batch.exit_code == 0);
    const auto alone = run_hotspot("when --offences " + chicago +
                                   " --days fri,sat --hours 20-04 --permutations 0 --charts none "
                                   "--out-dir " +
                                   dir + "/alone");
    REQUIRE(alone.exit_code == 0);
    for (const char* f : {"hour_of_week.csv", "hour_of_week_wide.csv", "readings.txt"})
    {
        const std::string a = slurp(dir + "/alone/" + f);
        CHECK(!a.empty());
        CHECK(a == slurp(dir + "/batch/night/" + f));
    }
}

TEST_CASE("patrol-plan: each shift's capacity spent, reproducibly, on real timed data", "[when]")
{
    const std::string dir = fresh_temp_dir("patrol_plan");
    const auto spots = run_hotspot("hotspots --offences " + chicago +
                                   " --from 2019-01 --to 2019-12 --cell 200 --bandwidth 600 "
                                   "--out-dir " +
                                   dir + "/spots --quiet");
    INFO(spots.err);
    REQUIRE(spots.exit_code == 0);
    const std::string common = "patrol-plan --offences " + chicago + " --hotspots " + dir +
                               "/spots/hotspots.gpkg --visits-per-shift 10 --min-visits 0 "
                               "--weeks 26 ";
    const auto a = run_hotspot(common + "--out-dir " + dir + "/a --summary-json " + dir + "/a.json");
    INFO(a.err);
    REQUIRE(a.exit_code == 0);
    const auto summary = nlohmann::json::parse(slurp(dir + "/a.json"));
    CHECK(summary["visits_planned_per_week"] == 10 * 3 * 7);
    CHECK(summary["share_of_harm_in_planned_hotspot_shifts"].get<double>() > 0.05);
    // Every shift of every day holds exactly its capacity.
    std::map<std::string, int> per_shift;
    std::ifstream schedule(dir + "/a/schedule.csv");
    std::string line;
    std::getline(schedule, line);
    CHECK(line.rfind("day,shift,shift_hours,rank,hotspot,visits,", 0) == 0);
    while (std::getline(schedule, line))
    {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string field; std::getline(ss, field, ',');)
            f.push_back(field);
        per_shift[f[0] + " " + f[1]] += std::stoi(f[5]);
    }
    CHECK(per_shift.size() == 21);
    for (const auto& [shift, visits] : per_shift)
        CHECK(visits == 10);
    // The same seed gives the same plan; another moves the times only.
    const auto b = run_hotspot(common + "--out-dir " + dir + "/b");
    REQUIRE(b.exit_code == 0);
    CHECK(slurp(dir + "/a/schedule.csv") == slurp(dir + "/b/schedule.csv"));
    const auto c = run_hotspot(common + "--seed 7 --out-dir " + dir + "/c");
    REQUIRE(c.exit_code == 0);
    CHECK(slurp(dir + "/a/schedule.csv") != slurp(dir + "/c/schedule.csv"));

    check_refusals(
        {{common + "--officer-hours 3 --out-dir " + dir + "/x", 2, "(one of them)"},
         {common + "--shift 'a 07-15' --shift 'b 14-20' --out-dir " + dir + "/x", 2,
          "both cover 14:00"},
         {"patrol-plan --offences " + data + "police_uk/2019-09-kent-street.csv --hotspots " +
              dir + "/spots/hotspots.gpkg --visits-per-shift 5 --out-dir " + dir + "/x",
          3, "dated to the month only"}},
        [&] { CHECK_FALSE(fs::exists(dir + "/x/schedule.csv")); });
}

TEST_CASE("patrol-plan briefs each shift on a map and a page", "[when]")
{
    const std::string dir = fresh_temp_dir("patrol_brief");
    REQUIRE(run_hotspot("hotspots --offences " + chicago +
                        " --from 2019-01 --to 2019-12 --cell 200 --bandwidth 600 --out-dir " + dir +
                        "/spots --quiet")
                .exit_code == 0);
    const auto r = run_hotspot("patrol-plan --offences " + chicago + " --hotspots " + dir +
                               "/spots/hotspots.gpkg --officer-hours 4 --travel-minutes 5 "
                               "--shift 'day 08-20' --shift 'night 20-08' --strategy top-first "
                               "--maps pdf --out-dir " +
                               dir + "/plan --summary-json " + dir + "/s.json");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto summary = nlohmann::json::parse(slurp(dir + "/s.json"));
    CHECK(summary["visits_per_shift"] == 12); // 4 hours of 15-minute visits and 5 minutes' travel
    for (const char* f : {"plan_day.pdf", "plan_night.pdf", "plan.html", "schedule.csv"})
        CHECK(fs::file_size(dir + "/plan/" + f) > 500);
    const std::string page = slurp(dir + "/plan/plan.html");
    CHECK(page.find("<h2>night shift, 20:00-08:00</h2>") != std::string::npos);
    CHECK(page.find("Friday") != std::string::npos);
    // An existing plan is kept without --overwrite, before any work.
    const auto again = run_hotspot("patrol-plan --offences " + chicago + " --hotspots " + dir +
                                   "/spots/hotspots.gpkg --visits-per-shift 5 --maps pdf "
                                   "--shift 'day 08-20' --shift 'night 20-08' --out-dir " + dir +
                                   "/plan");
    CHECK(again.exit_code != 0);
    CHECK(again.err.find("already exists") != std::string::npos);
}

TEST_CASE("patrol-plan computes its hotspots in the same run as `hotspots` would", "[when]")
{
    const std::string dir = fresh_temp_dir("patrol_same_run");
    REQUIRE(run_hotspot("hotspots --offences " + chicago +
                        " --cell 250 --bandwidth 750 --out-dir " + dir + "/spots --quiet")
                .exit_code == 0);
    const std::string plan = "patrol-plan --offences " + chicago +
                             " --visits-per-shift 6 --weeks 26 --maps none --quiet ";
    const auto given = run_hotspot(plan + "--hotspots " + dir + "/spots/hotspots.gpkg --out-dir " +
                                   dir + "/given");
    INFO(given.err);
    REQUIRE(given.exit_code == 0);
    const auto same_run = run_hotspot(plan + "--cell 250 --bandwidth 750 --out-dir " + dir + "/run");
    INFO(same_run.err);
    REQUIRE(same_run.exit_code == 0);
    const std::string schedule = slurp(dir + "/given/schedule.csv");
    CHECK(schedule.size() > 1000);
    CHECK(schedule == slurp(dir + "/run/schedule.csv"));
}

namespace
{
// A GeoJSON FeatureCollection in British National Grid of squares (x0, y0, side, hotspot flag).
std::string squares_geojson(const std::vector<std::array<double, 4>>& squares, bool flagged)
{
    std::ostringstream out;
    out.precision(10);
    out << "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
           "{\"name\":\"urn:ogc:def:crs:EPSG::27700\"}},\"features\":[";
    for (std::size_t k = 0; k < squares.size(); ++k)
    {
        const auto [x, y, w, flag] = squares[k];
        out << (k ? "," : "") << "{\"type\":\"Feature\",\"properties\":{";
        if (flagged)
            out << "\"hotspot\":" << static_cast<int>(flag);
        out << "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[" << x << "," << y
            << "],[" << x + w << "," << y << "],[" << x + w << "," << y + w << "],[" << x << ","
            << y + w << "],[" << x << "," << y << "]]]}}";
    }
    out << "]}";
    return out.str();
}
} // namespace

TEST_CASE("evaluate --forecast scores an entry as hand computation says", "[when][entry]")
{
    const std::string dir = fresh_temp_dir("entry_score");
    const double x0 = 575000, y0 = 155000;
    // A 3 x 3 grid of 100 m cells, hot at the south-west and north-east corners; the police area
    // stops 250 m east, cutting the east column in half.
    std::vector<std::array<double, 4>> cells;
    for (int row = 0; row < 3; ++row)
        for (int col = 0; col < 3; ++col)
            cells.push_back({x0 + col * 100, y0 + row * 100, 100,
                             (row == 0 && col == 0) || (row == 2 && col == 2) ? 1.0 : 0.0});
    std::ofstream(dir + "/entry.geojson") << squares_geojson(cells, true);
    std::ofstream(dir + "/area.geojson")
        << "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
           "\"urn:ogc:def:crs:EPSG::27700\"}},\"features\":[{\"type\":\"Feature\",\"properties\":"
           "{\"name\":\"force\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[575000,"
           "155000],[575250,155000],[575250,155300],[575000,155300],[575000,155000]]]}}]}";
    {
        std::ofstream csv(dir + "/test.csv");
        csv << "x,y,date\n";
        const auto add = [&](double x, double y, const char* date)
        { csv << x0 + x << "," << y0 + y << "," << date << "\n"; };
        for (int k = 0; k < 4; ++k)
            add(10 + k, 10, "2017-03-01");
        add(220, 250, "2017-03-07");   // hot, inside the area
        add(280, 250, "2017-03-02");   // hot but outside the area: left out
        add(150, 150, "2017-03-03");
        add(150, 151, "2017-03-04");
        add(150, 152, "2017-03-05");
        add(50, 250, "2017-03-06");
        add(50, 251, "2017-03-06");
        add(10, 11, "2017-03-08");     // after the horizon's last day
        add(10, 12, "2017-02-28");     // before --at
    }
    const auto r = run_hotspot("evaluate --forecast " + dir + "/entry.geojson --offences " + dir +
                               "/test.csv --crs EPSG:27700 --boundaries " + dir +
                               "/area.geojson --at 2017-03-01 --horizon 1W --out-dir " + dir +
                               "/out --summary-json " + dir + "/s.json");
    INFO(r.out + r.err);
    REQUIRE(r.exit_code == 0);
    const auto s = nlohmann::json::parse(slurp(dir + "/s.json"));
    CHECK(s["N"] == 10);
    CHECK(s["n"] == 5);
    CHECK(s["n_star"] == 7);
    CHECK(s["left_out_outside_area"] == 1);
    CHECK(s["pai"].get<double>() == Approx(2.5));
    CHECK(s["pei_star"].get<double>() == Approx(5.0 / 7));
    CHECK(s["hit_rate"].get<double>() == Approx(0.5));
    CHECK(s["last_day"] == "2017-03-07");
    CHECK(s["hot_area_sq_mi"].get<double>() == Approx(15000 / 2589988.110336));
    CHECK(s["rules"]["hot_area"] == false); // far below 0.25 sq mi
    CHECK(slurp(dir + "/out/entry_score.csv").find(",2.500000,") != std::string::npos);
}

TEST_CASE("evaluate --forecast measures Portland's police area as the challenge published it",
          "[when][entry]")
{
    // The challenge's police area is 147.70 square miles (its rules): measured in the data's own
    // state plane feet, not in the UTM zone the offences are analysed in (which would give 147.61).
    const std::string dir = fresh_temp_dir("entry_portland");
    const double x0 = 7604000, y0 = 651000, side = 3000;
    {
        std::ostringstream out;
        out.precision(12);
        out << "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
               "\"urn:ogc:def:crs:EPSG::2913\"}},\"features\":[";
        for (int i = 0; i < 33; ++i)
            for (int j = 0; j < 28; ++j)
            {
                const double x = x0 + i * side, y = y0 + j * side;
                out << (i || j ? "," : "") << "{\"type\":\"Feature\",\"properties\":{\"hotspot\":"
                    << ((i == 15 && j == 14) ? 1 : 0)
                    << "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[" << x << "," << y
                    << "],[" << x + side << "," << y << "],[" << x + side << "," << y + side
                    << "],[" << x << "," << y + side << "],[" << x << "," << y << "]]]}}";
            }
        out << "]}";
        std::ofstream(dir + "/entry.geojson") << out.str();
    }
    const auto r = run_hotspot("evaluate --forecast " + dir + "/entry.geojson --offences " + data +
                               "portland/portland_burglary_2012-03_2017-02.csv --crs EPSG:2913 "
                               "--boundaries " +
                               data + "portland/portland_police_districts.gpkg --at 2017-01-01 "
                               "--horizon 1M --out-dir " +
                               dir + "/out --summary-json " + dir + "/s.json");
    INFO(r.out + r.err);
    REQUIRE(r.exit_code == 0);
    const auto s = nlohmann::json::parse(slurp(dir + "/s.json"));
    CHECK(s["area_sq_mi"].get<double>() == Approx(147.70).margin(0.005));
    CHECK(s["last_day"] == "2017-01-31");
    CHECK(s["rules"]["cells"] == false); // 9,000,000 sq ft cells are far beyond 360,000
    CHECK(s["N"].get<int>() > 50);
    // A horizon past the data's last month is refused, not scored as a month without crime.
    const auto past = run_hotspot("evaluate --forecast " + dir + "/entry.geojson --offences " +
                                  data + "portland/portland_burglary_2012-03_2017-02.csv --crs "
                                  "EPSG:2913 --boundaries " +
                                  data + "portland/portland_police_districts.gpkg --at 2017-03-01 "
                                  "--horizon 1M --out-dir " +
                                  dir + "/past");
    CHECK(past.exit_code != 0);
    CHECK((past.out + past.err).find("cover 2012-03 to 2017-02") != std::string::npos);
    // A horizon partly past the data: refused in the words it was asked in.
    const auto partly = run_hotspot("evaluate --forecast " + dir + "/entry.geojson --offences " +
                                    data + "portland/portland_burglary_2012-03_2017-02.csv --crs "
                                    "EPSG:2913 --boundaries " +
                                    data + "portland/portland_police_districts.gpkg --at "
                                    "2017-02-15 --horizon 1M --out-dir " +
                                    dir + "/partly");
    CHECK(partly.exit_code != 0);
    CHECK(partly.err.find("--at 2017-02-15 --horizon 1M (2017-02-15 to 2017-03-14): 2017-03 is "
                          "not covered") != std::string::npos);
}

TEST_CASE("predict --rules nij2017 writes a Portland entry in state plane feet that scores as it "
          "says, and refuses one that breaks the rules",
          "[when][entry]")
{
    const std::string dir = fresh_temp_dir("entry_predict");
    const std::string input = "--offences " + data +
                              "portland/portland_burglary_2012-03_2017-02.csv --crs EPSG:2913 "
                              "--boundaries " +
                              data + "portland/portland_police_districts.gpkg ";
    const auto r = run_hotspot("predict " + input +
                               "--rules nij2017 --at 2017-02-01 --horizon 2W --cell 600ft "
                               "--hot-area 0.25sqmi --out-dir " +
                               dir + "/entry --summary-json " + dir + "/p.json");
    INFO(r.out + r.err);
    REQUIRE(r.exit_code == 0);
    const auto p = nlohmann::json::parse(slurp(dir + "/p.json"));
    const auto& entry = p["entry"];
    // 600 ft cells of 360,000 sq ft: the smallest set reaching 0.25 sq mi is 20 of them.
    CHECK(entry["cell_sq_ft"].get<double>() == Approx(360'000));
    CHECK(entry["hot_cells"] == 20);
    CHECK(entry["hot_area_sq_mi"].get<double>() == Approx(20 * 360'000.0 / (5280.0 * 5280.0)));
    CHECK(entry["area_sq_mi"].get<double>() == Approx(147.70).margin(0.005));
    CHECK(entry["rules"]["cells"] == true);
    CHECK(entry["rules"]["hot_area"] == true);

    // The shapefile is in the data's own CRS, its whole cells squares of 600 ft on a 600 ft grid.
    {
        GDALAllRegister();
        std::unique_ptr<GDALDataset> shp(
            GDALDataset::Open((dir + "/entry/entry.shp").c_str(), GDAL_OF_VECTOR));
        REQUIRE(shp);
        OGRLayer* layer = shp->GetLayer(0);
        REQUIRE(layer);
        const char* code = layer->GetSpatialRef()->GetAuthorityCode(nullptr);
        CHECK(std::string(code ? code : "") == "2913");
        CHECK(layer->GetFeatureCount() == entry["cells"].get<int>());
        int hot = 0, whole = 0;
        for (auto& feature : *layer)
        {
            hot += feature->GetFieldAsInteger("hotspot");
            if (feature->GetFieldAsInteger("cut") == 1)
                continue;
            ++whole;
            OGREnvelope box;
            feature->GetGeometryRef()->getEnvelope(&box);
            CHECK(box.MaxX - box.MinX == Approx(600).margin(1e-6));
            CHECK(std::fmod(box.MinX + 1e-6, 600.0) < 1e-5);
            CHECK(std::fmod(box.MinY + 1e-6, 600.0) < 1e-5);
            if (whole > 50)
                break;
        }
        CHECK(hot <= 20);
    }
    // Scored on the held-out first two weeks of February 2017, it measures what predict said.
    const auto s = run_hotspot("evaluate --forecast " + dir + "/entry/entry.shp " + input +
                               "--at 2017-02-01 --horizon 2W --out-dir " + dir +
                               "/score --summary-json " + dir + "/s.json");
    INFO(s.out + s.err);
    REQUIRE(s.exit_code == 0);
    const auto score = nlohmann::json::parse(slurp(dir + "/s.json"));
    CHECK(score["hot_cells"] == 20);
    CHECK(score["hot_area_sq_mi"].get<double>() ==
          Approx(entry["hot_area_sq_mi"].get<double>()).epsilon(1e-6));
    CHECK(score["rules"]["cells"] == true);
    CHECK(score["rules"]["hot_area"] == true);
    CHECK(score["N"].get<int>() > 20);

    // The rules refuse, before any work: cells too small, a hot area too large, and no period.
    const auto small = run_hotspot("predict " + input +
                                   "--rules nij2017 --at 2017-02-01 --horizon 2W --cell 200ft "
                                   "--out-dir " + dir + "/small");
    CHECK(small.exit_code == 2);
    CHECK(small.err.find("40000 sq ft break the NIJ 2017 rule of 62,500-360,000 sq ft") !=
          std::string::npos);
    const auto large = run_hotspot("predict " + input +
                                   "--rules nij2017 --at 2017-02-01 --horizon 2W --hot-area "
                                   "1sqmi --out-dir " + dir + "/large");
    CHECK(large.exit_code == 2);
    CHECK(large.err.find("1.000 sq mi breaks the NIJ 2017 rule of 0.25-0.75 sq mi") !=
          std::string::npos);
    const auto period = run_hotspot("predict " + input + "--rules nij2017 --out-dir " + dir +
                                    "/period");
    CHECK(period.exit_code == 2);
    CHECK(period.err.find("needs --at") != std::string::npos);
    CHECK_FALSE(fs::exists(dir + "/small/entry.shp"));

    // The self-exciting point process writes an entry too, over the horizon's 14 days.
    const auto sepp = run_hotspot("predict " + input +
                                  "--rules nij2017 --method sepp --at 2017-02-01 --horizon 2W "
                                  "--out-dir " + dir + "/sepp");
    INFO(sepp.out + sepp.err);
    CHECK(sepp.exit_code == 0);
    CHECK(sepp.out.find("theta") != std::string::npos);
    CHECK(fs::exists(dir + "/sepp/entry.shp"));
    // Its GeoTIFF records no half-life: SEPP has none (it used to carry decay's default).
    const auto sepp_tif = hotspot::io::read_geotiff(dir + "/sepp/predict.tif");
    CHECK(sepp_tif.metadata.at("HOTSPOT_METHOD") == "sepp");
    CHECK(sepp_tif.metadata.count("HOTSPOT_HALF_LIFE_DAYS") == 0);
    CHECK(sepp_tif.unit == "expected offences per cell in 2W");
    // Records dated to the month (police.uk) cannot be timed to the day: refused, not guessed.
    const auto monthly = run_hotspot("predict --offences " + data +
                                     "police_uk/2019-09-kent-street.csv --method sepp --cell 500 "
                                     "--out-dir " + dir + "/monthly");
    CHECK(monthly.exit_code != 0);
    CHECK(monthly.err.find("dated to the month only") != std::string::npos);
}

TEST_CASE("predict --method auto chooses by backtest and sees only the offences before --at",
          "[when][entry]")
{
    const std::string dir = fresh_temp_dir("entry_auto");
    const std::string portland = data + "portland/portland_burglary_2012-03_2017-02.csv";
    // The same records, every one dated from --at on moved 3 miles east.
    {
        std::ifstream in(portland);
        std::ofstream out(dir + "/moved.csv");
        std::string line;
        std::getline(in, line);
        out << line << "\n";
        while (std::getline(in, line))
        {
            // CATEGORY,occ_date,x_coordinate,y_coordinate
            const auto c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
            const std::string date = line.substr(c1 + 1, c2 - c1 - 1);
            if (date >= "2017-01-01")
                line = line.substr(0, c2 + 1) +
                       std::to_string(std::stol(line.substr(c2 + 1, c3 - c2 - 1)) + 15'840) +
                       line.substr(c3);
            out << line << "\n";
        }
    }
    // A police area of central Portland, 20,000 ft square, keeps the 2 x 28 x 4 entries quick.
    std::ofstream(dir + "/centre.geojson")
        << "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
           "\"urn:ogc:def:crs:EPSG::2913\"}},\"features\":[{\"type\":\"Feature\",\"properties\":"
           "{\"name\":\"centre\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[7640000,"
           "680000],[7660000,680000],[7660000,700000],[7640000,700000],[7640000,680000]]]}}]}";
    const auto run = [&](const std::string& offences, const std::string& out)
    {
        return run_hotspot("predict --offences " + offences + " --crs EPSG:2913 --boundaries " +
                           dir + "/centre.geojson --rules nij2017 --method auto --origins 4 --at "
                                 "2017-01-01 --horizon 1W --out-dir " + out + " --summary-json " +
                           out + ".json");
    };
    const auto a = run(portland, dir + "/a");
    INFO(a.out + a.err);
    REQUIRE(a.exit_code == 0);
    const auto b = run(dir + "/moved.csv", dir + "/b");
    INFO(b.out + b.err);
    REQUIRE(b.exit_code == 0);
    // Every candidate's scores, the choice and the entry are the same.
    CHECK(slurp(dir + "/a/backtest.csv") == slurp(dir + "/b/backtest.csv"));
    const auto sa = nlohmann::json::parse(slurp(dir + "/a.json"));
    const auto sb = nlohmann::json::parse(slurp(dir + "/b.json"));
    CHECK(sa["auto"] == sb["auto"]);
    CHECK(sa["auto"]["candidates"].size() == 28); // 7 methods on 4 grid placements
    CHECK(sa["auto"]["nested"]["held_out_origins"] == 2);
    CHECK(slurp(dir + "/a/entry.dbf").substr(32) == slurp(dir + "/b/entry.dbf").substr(32));
    CHECK(slurp(dir + "/a/entry.shp") == slurp(dir + "/b/entry.shp"));
    // The backtest's table: 4 origins, each scoring the naive forecast and every candidate.
    const std::string csv = slurp(dir + "/a/backtest.csv");
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 4 * 29);
    CHECK(csv.find("2016-12-25,2016-12-31") != std::string::npos); // the newest origin, 1W
    CHECK(csv.find("2016-12-04,2016-12-10") != std::string::npos); // the oldest
    CHECK(a.out.find("held out") != std::string::npos);

    // Records dated to the day: evaluate --rolling scores SEPP beside the other methods.
    const auto rolling = run_hotspot("evaluate --offences " + portland +
                                     " --crs EPSG:2913 --cell 300 --rolling 2 --out-dir " + dir +
                                     "/rolling --summary-json " + dir + "/rolling.json");
    INFO(rolling.out + rolling.err);
    REQUIRE(rolling.exit_code == 0);
    const auto methods = nlohmann::json::parse(slurp(dir + "/rolling.json"))["methods"];
    REQUIRE(methods.contains("sepp"));
    CHECK(methods["sepp"]["mean_hit_rate"].size() == 20);
}
