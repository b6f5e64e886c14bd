#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/harm.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

using namespace hotspot;

TEST_CASE("The shipped ONS Crime Severity Score tables", "[harm]")
{
    const io::HarmTable types = io::load_harm_table("ons-css");
    CHECK(types.weight.size() == 13);
    REQUIRE(types.find("Burglary"));
    CHECK(*types.find("burglary") == Approx(465.381473));
    CHECK(types.find("Anti-social behaviour") == nullptr); // not a crime: no weight
    CHECK_THAT(types.notes.front(), Catch::Contains("ONS Crime Severity Score"));

    const io::HarmTable codes = io::load_harm_table("ons-css-codes");
    CHECK(codes.weight.size() == 128);
    CHECK(*codes.find("1, 4.1/2/10") == Approx(7973.393423)); // homicide, the heaviest
    CHECK(std::any_of(codes.notes.begin(), codes.notes.end(),
                      [](const std::string& n) { return n.find("Licence") != std::string::npos; }));

    // Each police.uk type weighs the median of the codes the join gives it: recomputed here from
    // the per-code file's police_uk_type column.
    std::ifstream in(HOTSPOT_SOURCE_DIR "/data/harm/ons_css_offence_codes.csv");
    REQUIRE(in);
    std::map<std::string, std::vector<double>> by_type;
    std::string line;
    while (std::getline(in, line))
    {
        if (line.empty() || line[0] == '#' || line.rfind("key,", 0) == 0)
            continue;
        // The police.uk type is the last field, the weight the second from a quoted-aware split.
        std::vector<std::string> fields;
        std::string field;
        bool quoted = false;
        for (const char ch : line)
        {
            if (ch == '"')
                quoted = !quoted;
            else if (ch == ',' && !quoted)
            {
                fields.push_back(field);
                field.clear();
            }
            else
                field += ch;
        }
        fields.push_back(field);
        REQUIRE(fields.size() == 4);
        by_type[fields[3]].push_back(std::stod(fields[1]));
    }
    REQUIRE(by_type.size() == 13);
    for (auto& [type, weights] : by_type)
    {
        std::sort(weights.begin(), weights.end());
        const std::size_t n = weights.size();
        const double median = n % 2 ? weights[n / 2] : 0.5 * (weights[n / 2 - 1] + weights[n / 2]);
        INFO(type);
        REQUIRE(types.find(type));
        CHECK(*types.find(type) == Approx(median).epsilon(1e-6));
    }
}

TEST_CASE("A harm table of a force's own, and its mistakes", "[harm]")
{
    const auto table =
        io::parse_harm_table("# Source: a test index\n# Licence: "
                             "none\nkey,weight,note\nBurglary,10,\n\"Other theft\",2.5,x\n",
                             "own.csv");
    CHECK(table.notes == std::vector<std::string>{"Source: a test index", "Licence: none"});
    CHECK(*table.find("OTHER THEFT") == 2.5);
    const auto refused = [](const std::string& text, const std::string& message)
    {
        try
        {
            io::parse_harm_table(text, "own.csv");
            FAIL("accepted: " << text);
        }
        catch (const Error& e)
        {
            CHECK(e.code() == Errc::BadData);
            CHECK_THAT(std::string(e.what()), Catch::Contains(message));
        }
    };
    refused("type,harm\nBurglary,1\n", "header starts with key,weight");
    refused("key,weight\nBurglary,-1\n", "line 2");
    refused("key,weight\nBurglary,lots\n", "'lots'");
    refused("# note\nkey,weight\nBurglary,1\nburglary,2\n",
            "line 4: 'burglary' has a weight already");
    refused("key,weight\n", "no weights");
}

TEST_CASE("Weighing offences by harm: each its type's weight, unknown types 0 and counted",
          "[harm]")
{
    const io::HarmTable harm = io::parse_harm_table(
        "# source: a test\nkey,weight\nBurglary,400\nCriminal damage,20\n", "test table");
    engine::Incidents inc;
    inc.crime_type_names = {"Burglary", "Bicycle theft", "Criminal damage"};
    for (const std::int32_t t : {0, 0, 1, 2, -1, 1})
        inc.add(0, 0, 1.0, 0, t);
    inc.set_weight(1, 0.5); // half of this burglary's window passed an --hours filter
    const io::HarmWeighing w = io::weigh_by_harm(harm, inc);
    CHECK(inc.weight_of(0) == 400);
    CHECK(inc.weight_of(1) == 200);
    CHECK(inc.weight_of(2) == 0);
    CHECK(inc.weight_of(3) == 20);
    CHECK(inc.weight_of(4) == 0);
    CHECK(w.total == 620);
    using Count = std::pair<std::string, std::size_t>;
    CHECK(w.unweighted == std::vector<Count>{{"Bicycle theft", 2}, {"no crime type", 1}});
}
