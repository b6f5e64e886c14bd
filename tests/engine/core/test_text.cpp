#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/density/bandwidth.hpp"
#include "hotspot/engine/density/kde.hpp"
#include "hotspot/engine/density/study_window.hpp"
#include "hotspot/engine/hotspots/hotspots.hpp"
#include "hotspot/engine/hotspots/patrol_plan.hpp"
#include "hotspot/engine/spacetime/emerging.hpp"
#include "hotspot/engine/spacetime/near_repeat.hpp"

#include <catch2/catch.hpp>

#include <cctype>
#include <set>

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

namespace
{
// Each name reads back to its value in any case, the value's name is that name, and no two
// entries share a name or a value.
template <class E, std::size_t N> void check_names(const std::array<Named<E>, N>& names)
{
    std::set<std::string> seen_names;
    std::set<E> seen_values;
    for (const auto& n : names)
    {
        std::string upper(n.name);
        for (char& c : upper)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        INFO(n.name);
        CHECK(parse_named(names, upper) == n.value);
        CHECK(parse_named(names, " " + std::string(n.name) + " ") == n.value);
        CHECK(name_in(names, n.value) == n.name);
        CHECK(seen_names.insert(std::string(n.name)).second);
        CHECK(seen_values.insert(n.value).second);
    }
    CHECK(names_of(names).size() == N);
    CHECK(names_of(names).front() == names.front().name);
    CHECK_FALSE(parse_named(names, "").has_value());
    CHECK_FALSE(parse_named(names, std::string(names.front().name) + "x").has_value());
}
} // namespace

TEST_CASE("Every enum's names read back case aside, each name and value once", "[text][names]")
{
    check_names(kernel_names);
    check_names(density_unit_names);
    check_names(selector_names);
    check_names(threshold_method_names);
    check_names(edge_correction_names);
    check_names(patrol_strategy_names);
    check_names(distance_metric_names);
    check_names(global_window_names);
    CHECK(names_of(edge_correction_names) == std::vector<std::string>{"none", "uniform", "diggle"});
    CHECK(parse_named(kernel_names, "Gaussian") == Kernel::Gaussian);
    CHECK(to_string(ThresholdMethod::GiStar) == "gi-star");
}

TEST_CASE("Shares and percents of nothing are undefined, not 0", "[text]")
{
    CHECK(share_of(1, 8, 4) == "0.1250");
    CHECK(share_of(2, 3, 2) == "0.67");
    CHECK(share_of(0, 0, 4).empty());
    CHECK(share_of(0, 0, 4, "-") == "-");
    CHECK(percent_of(1, 8) == "12.5%");
    CHECK(percent_of(1, 3, 0) == "33%");
    CHECK(percent_of(5, 0) == "-");
    CHECK(percent_of(0, 7) == "0.0%");
}
