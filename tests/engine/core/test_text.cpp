#include "hotspot/engine/core/text.hpp"

#include <catch2/catch.hpp>

using namespace hotspot::engine;

TEST_CASE("Text comparison ignores case and surrounding space", "[text]")
{
    CHECK(same_text("  Violence and Sexual Offences ", "violence and sexual offences"));
    CHECK_FALSE(same_text("Burglary", "Burglar"));
    CHECK(fold("\tHigh Street ") == "high street");
}

TEST_CASE("Edit distance counts insertions, deletions and substitutions", "[text]")
{
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("Maidstone", "MAIDSTONE") == 0);
    CHECK(edit_distance("Maidstne", "Maidstone") == 1);
}

TEST_CASE("Near matches put containing names first, then the closest", "[text]")
{
    const std::vector<std::string> names{"High Street", "Shepway North", "Shepway South", "North",
                                         "Heath"};
    const auto near = near_matches("shepway", names, 3);
    REQUIRE(near.size() == 3);
    CHECK(near[0] == "Shepway North");
    CHECK(near[1] == "Shepway South");
    CHECK(near_matches("Hight Street", names, 1).front() == "High Street");
    CHECK(join({"a", "b"}) == "a, b");
}

TEST_CASE("Trimming and splitting", "[text]")
{
    CHECK(trim("  a b \t") == "a b");
    CHECK(trim("   ").empty());
    CHECK(split(" 8N  34A ", ' ') == std::vector<std::string>{"8N", "34A"});
    CHECK(split("Robbery; Drugs ;", ';') == std::vector<std::string>{"Robbery", "Drugs"});
    CHECK(split("", ';').empty());
}
