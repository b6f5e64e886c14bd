#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/offences.hpp"

#include <catch2/catch.hpp>
#include <gdal_utils.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>

#include <unistd.h>

using namespace hotspot;
using namespace hotspot::io;

namespace
{
const std::string fixtures = HOTSPOT_TEST_DATA "/";
const std::string demo = HOTSPOT_SOURCE_DIR "/data/";

std::int64_t count(const OffenceTable& t, RejectReason r)
{
    return t.rejected_by_reason[static_cast<std::size_t>(r)];
}

OffenceTable read(const std::string& path, OffenceFilter filter = {}, OffenceSource source = {},
                  ReadOptions options = {})
{
    source.paths = {path};
    return read_offences(source, filter, options);
}

void check_accounted(const OffenceTable& t)
{
    CHECK(t.records_read == static_cast<std::int64_t>(t.incidents.size()) + t.rejected_count());
    CHECK(t.rejected.size() == static_cast<std::size_t>(t.rejected_count()));
}
} // namespace

TEST_CASE("police.uk quirks: every record used or rejected with its reason", "[offences]")
{
    const OffenceTable t =
        read(fixtures + "police_uk_quirks.csv", {}, {}, {.target_crs = "", .keep_raw = true});
    CHECK(t.format == "police.uk street-level CSV");
    CHECK(t.records_read == 14);
    CHECK(t.incidents.size() == 7); // 2 ASB without id, a1, Coventry, a4, multi-line a5, a7
    CHECK(count(t, RejectReason::NoLocation) == 1);
    CHECK(count(t, RejectReason::DuplicateId) == 1);
    CHECK(count(t, RejectReason::BadCoordinate) == 1);
    CHECK(count(t, RejectReason::OutOfRange) == 1);
    CHECK(count(t, RejectReason::SwappedLatLon) == 1);
    CHECK(count(t, RejectReason::MalformedRow) == 1);
    CHECK(count(t, RejectReason::OutsideCrsArea) == 1);
    check_accounted(t);
    CHECK(t.target_crs.authority == "EPSG:27700");

    // Rejects in file order with the physical line of each record (the CRLF file has a two-line
    // record).
    std::vector<std::int64_t> rows;
    for (const auto& r : t.rejected)
        rows.push_back(r.row);
    CHECK(rows == std::vector<std::int64_t>{5, 7, 8, 9, 10, 11, 15});
    CHECK(t.rejected[1].detail.find("first used on row 4") != std::string::npos);
    CHECK(t.rejected[0].raw.find("No Location") != std::string::npos);
    const std::string csv = rejects_csv(t);
    CHECK(csv.rfind("source_row,reason,detail,Crime ID,Month", 0) == 0);
    CHECK(csv.find("\n10,swapped_lat_lon,") != std::string::npos);

    // The used rows keep their line numbers and months; ASB rows without an id are not duplicates.
    CHECK(t.incidents.source_row == std::vector<std::int64_t>{2, 3, 4, 6, 12, 13, 16});
    CHECK(t.incidents.month[4] == engine::make_month(2019, 10));
    // Maidstone lies near E 576000, N 155800 on the British National Grid.
    CHECK(t.incidents.x[0] == Approx(576000).margin(1500));
    CHECK(t.incidents.y[0] == Approx(155800).margin(1500));
}

TEST_CASE("Filters: period and crime type, ignoring case", "[offences]")
{
    OffenceFilter f;
    f.crime_types = {"violence AND sexual offences"};
    const OffenceTable violence = read(fixtures + "police_uk_quirks.csv", f);
    CHECK(violence.incidents.size() == 2); // a1 and a7 (upper case in the file)
    CHECK(count(violence, RejectReason::ExcludedCrimeType) ==
          11); // all but the two and the malformed row
    check_accounted(violence);

    OffenceFilter october;
    october.from = engine::make_month(2019, 10);
    october.to = engine::make_month(2019, 10);
    const OffenceTable t = read(fixtures + "police_uk_quirks.csv", october);
    CHECK(t.incidents.size() == 1);
    CHECK(t.incidents.source_row[0] == 12);
    CHECK(count(t, RejectReason::OutsidePeriod) == 12);
    check_accounted(t);
}

TEST_CASE("A crime type that matches nothing lists the types present", "[offences]")
{
    OffenceFilter f;
    f.crime_types = {"Burglery"};
    CHECK_THROWS_WITH(read(fixtures + "police_uk_quirks.csv", f),
                      Catch::Contains("Burglery") && Catch::Contains("Shoplifting"));
}

TEST_CASE("Nothing left after the filters is an error, not an empty result", "[offences]")
{
    OffenceFilter f;
    f.from = engine::make_month(2020, 1);
    try
    {
        read(fixtures + "police_uk_quirks.csv", f);
        FAIL("expected an error");
    }
    catch (const Error& e)
    {
        CHECK(e.code() == Errc::BadData);
        CHECK_THAT(e.what(),
                   Catch::Contains("no offences left") && Catch::Contains("outside_period"));
    }
}

TEST_CASE("Plain CSV with x/y columns needs a CRS, and reads weights", "[offences]")
{
    CHECK_THROWS_WITH(read(fixtures + "offences_xy_27700.csv"), Catch::Contains("--crs"));
    OffenceSource s;
    s.crs = "EPSG:27700";
    s.weight_field = "harm";
    const OffenceTable t = read(fixtures + "offences_xy_27700.csv", {}, s);
    CHECK(t.format == "CSV");
    CHECK(t.incidents.size() == 50);
    CHECK(count(t, RejectReason::BadWeight) == 2);
    CHECK(count(t, RejectReason::NoLocation) == 1);
    check_accounted(t);
    CHECK(t.incidents.x[3] == 575022.5); // no reprojection: bit-exact
    CHECK(t.incidents.weight_of(2) == 3.0);
    CHECK(t.target_crs.authority == "EPSG:27700");
}

TEST_CASE("An unknown field is refused with the real field names", "[offences]")
{
    OffenceSource s;
    s.crs = "EPSG:27700";
    s.weight_field = "severity";
    try
    {
        read(fixtures + "offences_xy_27700.csv", {}, s);
        FAIL("expected an error");
    }
    catch (const Error& e)
    {
        CHECK(e.code() == Errc::Usage);
        CHECK_THAT(e.what(), Catch::Contains("severity") && Catch::Contains("id, x, y, harm"));
    }
    OffenceFilter f;
    f.from = engine::make_month(2019, 1);
    s.weight_field.clear();
    CHECK_THROWS_WITH(read(fixtures + "offences_xy_27700.csv", f, s),
                      Catch::Contains("--date-field"));
}

TEST_CASE("Longitude and latitude swapped for the whole file is refused", "[offences]")
{
    CHECK_THROWS_WITH(read(fixtures + "swapped_lonlat.csv"), Catch::Contains("swapped"));
}

TEST_CASE("A geographic target CRS is refused", "[offences]")
{
    CHECK_THROWS_WITH(read(fixtures + "police_uk_quirks.csv", {}, {}, {.target_crs = "EPSG:4326"}),
                      Catch::Contains("degrees"));
}

TEST_CASE("Missing and unreadable files are I/O errors naming the file", "[offences]")
{
    try
    {
        read(fixtures + "no_such_file.csv");
        FAIL("expected an error");
    }
    catch (const Error& e)
    {
        CHECK(e.code() == Errc::Io);
        CHECK_THAT(e.what(), Catch::Contains("no_such_file.csv"));
    }
}

TEST_CASE("OGR point sources: GeoJSON, GeoPackage, FlatGeobuf, Shapefile", "[offences]")
{
    const OffenceTable t =
        read(fixtures + "offences_points.geojson", {}, {}, {.target_crs = "", .keep_raw = true});
    CHECK(t.incidents.size() == 12);
    CHECK(count(t, RejectReason::NoLocation) == 1);
    CHECK(count(t, RejectReason::NotAPoint) == 1);
    check_accounted(t);
    CHECK(t.fields_used.find("type='category'") != std::string::npos);
    CHECK(t.rejected[1].raw.find("LINESTRING") != std::string::npos);

    OffenceFilter f;
    f.crime_types = {"robbery"};
    f.from = engine::make_month(2019, 9);
    f.to = engine::make_month(2019, 9);
    const OffenceTable robbery = read(fixtures + "offences_points.geojson", f);
    CHECK(robbery.incidents.size() == 2); // even i with i % 3 == 0: 0 and 6

    // The same points converted by GDAL to GeoPackage, FlatGeobuf and Shapefile read the same.
    for (const auto& [driver, extension] : std::vector<std::pair<std::string, std::string>>{
             {"GPKG", ".gpkg"}, {"FlatGeobuf", ".fgb"}, {"ESRI Shapefile", ".shp"}})
    {
        INFO(driver);
        const auto path = std::filesystem::temp_directory_path() /
                          ("hotspot_points_" + std::to_string(::getpid()) + extension);
        std::filesystem::remove(path);
        GDALDatasetH src = GDALOpenEx((fixtures + "offences_points.geojson").c_str(),
                                      GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
        REQUIRE(src);
        const char* args[] = {"-f", driver.c_str(), "-nln", "offences", "-skipfailures", nullptr};
        GDALVectorTranslateOptions* options =
            GDALVectorTranslateOptionsNew(const_cast<char**>(args), nullptr);
        GDALDatasetH out = GDALVectorTranslate(path.c_str(), nullptr, 1, &src, options, nullptr);
        GDALVectorTranslateOptionsFree(options);
        REQUIRE(out);
        GDALClose(out);
        GDALClose(src);
        OffenceSource s;
        s.layer = extension == ".shp" ? path.stem().string()
                                      : "offences"; // a shapefile's layer is its name
        const OffenceTable converted = read(path.string(), {}, s);
        REQUIRE(converted.incidents.size() == t.incidents.size());
        // FlatGeobuf's spatial index reorders features: compare the points as sorted sets.
        const auto sorted = [](std::vector<double> v)
        {
            std::sort(v.begin(), v.end());
            return v;
        };
        const auto xs = sorted(converted.incidents.x), expected_xs = sorted(t.incidents.x);
        const auto ys = sorted(converted.incidents.y), expected_ys = sorted(t.incidents.y);
        for (std::size_t i = 0; i < xs.size(); ++i)
        {
            CHECK(xs[i] == Approx(expected_xs[i]).margin(1e-6));
            CHECK(ys[i] == Approx(expected_ys[i]).margin(1e-6));
        }
        check_accounted(converted);
        if (driver == "GPKG")
        {
            s.layer = "nope";
            CHECK_THROWS_WITH(read(path.string(), {}, s), Catch::Contains("offences"));
        }
        std::filesystem::remove(path);
    }
}

TEST_CASE("Months parse from police.uk, ISO and UK dates", "[offences]")
{
    CHECK(parse_month("2019-09") == engine::make_month(2019, 9));
    CHECK(parse_month("2019-09-14") == engine::make_month(2019, 9));
    CHECK(parse_month("2019/09/14 10:30") == engine::make_month(2019, 9));
    CHECK(parse_month("2019-09-14T10:30:00Z") == engine::make_month(2019, 9));
    CHECK(parse_month("14/09/2019") == engine::make_month(2019, 9));
    CHECK_FALSE(parse_month("2019-13").has_value());
    CHECK_FALSE(parse_month("Sept 2019").has_value());
    CHECK_FALSE(parse_month("").has_value());
    CHECK(format_month(engine::make_month(2019, 9)) == "2019-09");
}

TEST_CASE("Days parse where the date gives one; a month alone has none", "[offences]")
{
    // 1970-01-01 is day 0; 2000-03-01 follows a leap day: 30 years of 365 days, 7 leap days, then
    // January and February 2000 (31 + 29).
    CHECK(engine::make_day(1970, 1, 1) == 0);
    CHECK(engine::make_day(2000, 3, 1) == 30 * 365 + 7 + 31 + 29);
    CHECK(parse_date("2019-09-14")->day == engine::make_day(2019, 9, 14));
    CHECK(parse_date("14/09/2019")->day == engine::make_day(2019, 9, 14));
    CHECK(parse_date("2019-09-14T23:59:00")->day == engine::make_day(2019, 9, 14));
    CHECK(parse_date("2019-09")->day == engine::no_day);
    CHECK(parse_date("2019-09")->month == engine::make_month(2019, 9));
    CHECK_FALSE(parse_date("2019-02-30").has_value());
    CHECK(parse_date("2020-02-29").has_value());
    CHECK(engine::format_day(engine::make_day(2019, 9, 14)) == "2019-09-14");
    CHECK(engine::month_of_day(engine::make_day(2019, 12, 31)) == engine::make_month(2019, 12));
}

TEST_CASE("Offences dated to the day carry their day; a file of months carries none", "[offences]")
{
    const std::string folder = "days_" + std::to_string(::getpid());
    std::filesystem::create_directories(folder);
    const std::string path = folder + "/dated.csv";
    {
        std::FILE* f = std::fopen(path.c_str(), "w");
        std::fputs("x,y,date\n575000,155000,2019-09-14\n575100,155100,2019-09\n"
                   "575200,155200,03/10/2019\n",
                   f);
        std::fclose(f);
    }
    OffenceSource s;
    s.crs = "EPSG:27700";
    // 03/10/2019 reads both ways, and nothing else in the file tells which: it must be said.
    REQUIRE_THROWS_WITH(read(path, {}, s), Catch::Contains("read both as day/month and month/day") &&
                                               Catch::Contains("--date-format"));
    s.date_format = "dd/mm/yyyy";
    const OffenceTable t = read(path, {}, s);
    REQUIRE(t.incidents.size() == 3);
    REQUIRE(t.incidents.dated_to_day());
    CHECK(t.incidents.day_of(0) == engine::make_day(2019, 9, 14));
    CHECK(t.incidents.day_of(1) == engine::no_day);
    CHECK(t.incidents.day_of(2) == engine::make_day(2019, 10, 3));
    const auto kept = t.incidents.subset([](std::size_t i) { return i != 0; });
    CHECK(kept.day_of(1) == engine::make_day(2019, 10, 3));
    CHECK_FALSE(read(demo + "police_uk/2019-09-kent-street.csv").incidents.dated_to_day());
    std::filesystem::remove_all(folder);
}

TEST_CASE("The real September 2019 Kent file", "[offences][real]")
{
    const OffenceTable t = read(demo + "police_uk/2019-09-kent-street.csv");
    CHECK(t.records_read == 18408);
    CHECK(count(t, RejectReason::NoLocation) == 276);
    CHECK(count(t, RejectReason::DuplicateId) == 1);
    CHECK(t.incidents.size() == 18408 - 277);
    check_accounted(t);
    CHECK(t.incidents.crime_type_names.size() == 14);
}

TEST_CASE("Dates with day and month as two numbers are read in the order the file uses",
          "[offences][dates]")
{
    CHECK(parse_date("04/01/2019", DateOrder::DayFirst)->day == engine::make_day(2019, 1, 4));
    CHECK(parse_date("01/04/2019", DateOrder::MonthFirst)->day == engine::make_day(2019, 1, 4));
    CHECK(parse_date("01/04/2019 14:50:00", DateOrder::MonthFirst)->day ==
          engine::make_day(2019, 1, 4));
    CHECK(parse_date("04.01.2019", DateOrder::DayFirst)->month == engine::make_month(2019, 1));
    CHECK_FALSE(parse_date("01/04/2019", DateOrder::Unknown).has_value());
    CHECK_FALSE(parse_date("13/01/2019", DateOrder::MonthFirst).has_value()); // no 13th month
    CHECK(parse_date("2019-01-04", DateOrder::Unknown)->day == engine::make_day(2019, 1, 4));

    DateOrderEvidence us;
    for (const char* d : {"01/04/2019", "02/03/2019", "12/25/2019"})
        us.add(d);
    CHECK(us.decide("us.csv") == DateOrder::MonthFirst);
    DateOrderEvidence uk;
    for (const char* d : {"01/04/2019", "25/12/2019", "2019-05-01"})
        uk.add(d);
    CHECK(uk.decide("uk.csv") == DateOrder::DayFirst);
    DateOrderEvidence either;
    either.add("01/04/2019");
    CHECK(either.decide("either.csv") == DateOrder::Unknown);
    DateOrderEvidence mixed;
    for (const char* d : {"13/01/2019", "01/13/2019"})
        mixed.add(d);
    CHECK_THROWS_WITH(mixed.decide("mixed.csv"),
                      Catch::Contains("both orders") && Catch::Contains("'13/01/2019'") &&
                          Catch::Contains("'01/13/2019'"));
    CHECK(parse_date_order("MM/DD/YYYY") == DateOrder::MonthFirst);
    CHECK_THROWS_AS(parse_date_order("yyyy/dd/mm"), Error);
}

TEST_CASE("The NYPD's Manhattan burglaries: US dates read month first, every record to its day",
          "[offences][dates][real]")
{
    OffenceSource s;
    s.x_field = "X_COORD_CD";
    s.y_field = "Y_COORD_CD";
    s.crs = "EPSG:2263";
    s.date_field = "CMPLNT_FR_DT";
    const std::string path = demo + "nyc/manhattan_residential_burglary_2019.csv";
    const OffenceTable t = read(path, {}, s);
    REQUIRE(t.incidents.size() == 1233);
    CHECK_THAT(t.fields_used, Catch::Contains("mm/dd/yyyy"));
    // Counted apart from the text: the records whose date starts with each month's number.
    std::map<int, std::int64_t> by_text, by_reader;
    {
        std::ifstream in(path);
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line))
            ++by_text[std::stoi(line.substr(0, 2))];
    }
    for (std::size_t i = 0; i < t.incidents.size(); ++i)
    {
        REQUIRE(t.incidents.day_of(i) != engine::no_day);
        ++by_reader[engine::month_of(t.incidents.month[i])];
    }
    CHECK(by_reader == by_text);
    CHECK(t.coverage.describe() == "2019-01 to 2019-12");
}

TEST_CASE("A period to the day: days compared, a month alone kept only when wholly inside",
          "[offences][dates]")
{
    const std::string folder = "day_period_" + std::to_string(::getpid());
    std::filesystem::create_directories(folder);
    const std::string path = folder + "/dated.csv";
    {
        std::ofstream f(path);
        f << "x,y,date\n"
             "575000,155000,2019-09-14\n" // inside 10-20 September
             "575000,155000,2019-09-25\n" // after it
             "575000,155000,2019-09\n"    // the month only: the period takes part of it
             "575000,155000,2019-08-31\n" // before it
             ",,2019-09-12\n";            // no location, inside
    }
    OffenceSource s;
    s.crs = "EPSG:27700";
    OffenceFilter f;
    f.from = engine::make_month(2019, 9);
    f.from_day = engine::make_day(2019, 9, 10);
    f.to = engine::make_month(2019, 9);
    f.to_day = engine::make_day(2019, 9, 20);
    ReadOptions options;
    options.keep_unlocated = true;
    const OffenceTable t = read(path, f, s, options);
    CHECK(t.incidents.size() == 1);
    CHECK(t.incidents.day_of(0) == engine::make_day(2019, 9, 14));
    CHECK(t.unlocated.size() == 1);
    CHECK(count(t, RejectReason::OutsidePeriod) == 2);
    CHECK(count(t, RejectReason::BadDate) == 1);
    const auto cut = std::find_if(t.rejected.begin(), t.rejected.end(), [](const RejectedRecord& r)
                                  { return r.reason == RejectReason::BadDate; });
    REQUIRE(cut != t.rejected.end());
    CHECK_THAT(cut->detail, Catch::Contains("dated to the month only (2019-09)"));
    // The same from a table read whole and filtered afterwards (a batch's shared sources).
    s.paths = {path};
    const OffenceTable derived = derive_table(read_all_offences(s, options), f, options);
    CHECK(derived.incidents.size() == 1);
    CHECK(derived.unlocated.size() == 1);
    CHECK(derived.rejected_by_reason == t.rejected_by_reason);
    // A period of whole months' days keeps the month-only record.
    f.from_day = engine::make_day(2019, 9, 1);
    f.to_day = engine::make_day(2019, 9, 30);
    CHECK(read(path, f, s, options).incidents.size() == 3);
    std::filesystem::remove_all(folder);
}

TEST_CASE("Semicolon-, tab- and bar-separated files are read by the separator their header uses",
          "[offences][separators]")
{
    const std::string folder = "separators_" + std::to_string(::getpid());
    std::filesystem::create_directories(folder);
    OffenceSource s;
    s.crs = "EPSG:27700";
    for (const std::string sep : {";", "\t", "|", ","})
    {
        const std::string path = folder + "/records.csv";
        {
            std::ofstream f(path);
            f << "id" << sep << "easting" << sep << "northing" << sep << "type\n"
              << "1" << sep << "575000.5" << sep << "155000" << sep << "Burglary\n"
              << "2" << sep << "575100" << sep << "155100" << sep << "\"Theft" << sep
              << " other\"\n";
        }
        const OffenceTable t = read(path, {}, s);
        INFO("separator '" << sep << "'");
        REQUIRE(t.incidents.size() == 2);
        CHECK(t.incidents.crime_type_names ==
              std::vector<std::string>{"Burglary", "Theft" + sep + " other"});
        CHECK(t.separators == std::vector<char>{sep.front()});
    }
    // Said outright, the separator wins over the header's look.
    {
        std::ofstream f(folder + "/told.csv");
        f << "x;y|type\n575000;155000|Burglary\n";
    }
    s.delimiter = "|";
    s.x_field = "x;y";
    CHECK_THROWS_WITH(read(folder + "/told.csv", {}, s), Catch::Contains("--y-field"));
    CHECK(parse_separator("tab") == '\t');
    CHECK_THROWS_AS(parse_separator(":"), Error);
    std::filesystem::remove_all(folder);
}

TEST_CASE("Excel's serial days, in its 1900 and 1904 systems", "[offences][dates]")
{
    const auto day = [](const char* text, DateOrder system)
    {
        const auto d = parse_date(text, system);
        return d ? engine::format_day(d->day) : std::string("unreadable");
    };
    // Excel's own: 1 is 1900-01-01, 59 is 28 February 1900, 60 its fictitious 29 February, 61 is
    // 1 March; 43466 is 2019-01-01; the 1904 system counts 1,462 days fewer.
    CHECK(day("1", DateOrder::Excel1900) == "1900-01-01");
    CHECK(day("59", DateOrder::Excel1900) == "1900-02-28");
    CHECK(day("60", DateOrder::Excel1900) == "unreadable");
    CHECK(day("61", DateOrder::Excel1900) == "1900-03-01");
    CHECK(day("43466", DateOrder::Excel1900) == "2019-01-01");
    CHECK(day("43469.75", DateOrder::Excel1900) == "2019-01-04"); // 18:00 that day
    CHECK(day("42007", DateOrder::Excel1904) == "2019-01-04");
    CHECK(day("43466", DateOrder::DayFirst) == "unreadable");

    const std::string folder = "excel_" + std::to_string(::getpid());
    std::filesystem::create_directories(folder);
    {
        std::ofstream f(folder + "/serial.csv");
        f << "x,y,date\n575000,155000,43466\n575100,155100,43524.5\n";
        std::ofstream g(folder + "/mixed.csv");
        g << "x,y,date\n575000,155000,43466\n575100,155100,2019-03-01\n";
    }
    OffenceSource s;
    s.crs = "EPSG:27700";
    const OffenceTable t = read(folder + "/serial.csv", {}, s);
    REQUIRE(t.incidents.size() == 2);
    CHECK(t.incidents.day_of(0) == engine::make_day(2019, 1, 1));
    CHECK(t.incidents.day_of(1) == engine::make_day(2019, 2, 28));
    CHECK_THAT(t.fields_used, Catch::Contains("excel-1900"));
    CHECK_THROWS_WITH(read(folder + "/mixed.csv", {}, s), Catch::Contains("mixes Excel serial"));
    s.date_format = "excel-1904";
    CHECK(read(folder + "/serial.csv", {}, s).incidents.day_of(0) ==
          engine::make_day(2019, 1, 1) + 1462);
    std::filesystem::remove_all(folder);
}
