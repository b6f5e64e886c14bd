#include "hotspot/engine/areas/tables.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace hotspot::engine;

TEST_CASE("Percent change as the report prints it", "[tables]")
{
    CHECK(percent_change_text(5866, 6244) == "-6.1%"); // Maidstone, All Crime
    CHECK(percent_change_text(1172, 1165) == "0.6%");
    CHECK(percent_change_text(158, 86) == "83.7%");
    CHECK(percent_change_text(94, 94) == "0.0%");
    CHECK(percent_change_text(24, 12) == "100.0%");
    CHECK(percent_change_text(1, 8) == "-87.5%");
    CHECK(percent_change_text(3, 2000) == "-99.9%"); // -99.85 rounds away from zero
    CHECK(percent_change_text(5, 0) == "n/a");
    CHECK(percent_change_text(0, 0) == "n/a"); // README: a last count of 0 gives n/a
    CHECK(percent_change_text(0, 7) == "-100.0%");
}

TEST_CASE("Every row of the report's Appendix 1 is reproduced from its counts", "[tables]")
{
    // 13 categories x (13 districts + the force), This Year and Last Year as published.
    std::ifstream in(HOTSPOT_TEST_DATA "/appendix1_kent_2019.csv");
    REQUIRE(in);
    std::string line;
    std::getline(in, line);
    int rows = 0;
    while (std::getline(in, line))
    {
        std::stringstream ss(line);
        std::string category, area, this_text, last_text, percent, change;
        std::getline(ss, category, ',');
        std::getline(ss, area, ',');
        std::getline(ss, this_text, ',');
        std::getline(ss, last_text, ',');
        std::getline(ss, percent, ',');
        std::getline(ss, change, ',');
        const std::int64_t this_count = std::stoll(this_text), last_count = std::stoll(last_text);
        INFO(line);
        CHECK(percent_change_text(this_count, last_count) == percent);
        CHECK(this_count - last_count == std::stoll(change));
        ++rows;
    }
    CHECK(rows == 182);
}

TEST_CASE("Counting fills every area, category and period, zeros included", "[tables]")
{
    const std::vector<Category> categories{
        {"Violent", {"8N", "34A"}, {"Violence and sexual offences", "Robbery"}, ""},
        {"Robbery", {"34A"}, {"Robbery"}, ""},
        {"Drugs", {"92A"}, {"Drugs"}, ""}};
    const auto by_code =
        categories_of_classes(categories, {"8n", "34A", "99"}, CategoryBasis::HoCode);
    CHECK(by_code[0] == std::vector<std::int32_t>{0});
    CHECK(by_code[1] == std::vector<std::int32_t>{0, 1});
    CHECK(by_code[2].empty());
    CHECK(normalise_ho_code(" 4/1 ") == "4/1");
    const auto by_type =
        categories_of_classes(categories, {"ROBBERY", "Burglary"}, CategoryBasis::CrimeType);
    CHECK(by_type[0] == std::vector<std::int32_t>{0, 1});
    CHECK(by_type[1].empty());

    // Three areas, two periods; area 2 has no offences at all and still appears.
    const CountCube cube =
        count_cube({0, 0, 1, 1, -1, 0}, {1, 0, 1, 2, 1, 1}, {0, 0, 1, 1, 0, -1}, by_code, 3, 3, 2);
    CHECK(cube.counts.size() == 18);
    CHECK(cube.at(0, 0, 0) == 2); // a robbery and an assault with injury
    CHECK(cube.at(0, 1, 0) == 1);
    CHECK(cube.at(1, 1, 1) == 1);
    CHECK(cube.at(1, 0, 1) == 1);
    CHECK(cube.at(1, 2, 1) == 0); // code 99 is in no category
    CHECK(cube.at(2, 0, 0) == 0);
    CHECK(cube.total(0, 0) == 2);
    CHECK(cube.total(1, 1) == 1);
}
