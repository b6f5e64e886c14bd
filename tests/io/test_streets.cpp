// The busiest streets of groups of offences, counted by hand on a small police.uk file.

#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/offences.hpp"
#include "hotspot/io/streets.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace hotspot;
using namespace hotspot::io;

namespace
{
// Offences west of 0.52 E are group 0, east of it group 1; the last is in no group.
const char* records[][2] = {
    {"0.510", "On or near High Street"},    {"0.511", "On or near High Street"},
    {"0.512", "On or near High Street"},    {"0.513", "On or near Week Street"},
    {"0.514", "On or near Week Street"},    {"0.515", "On or near King Street"},
    {"0.516", "On or near Parking Area"},   {"0.530", "On or near Gabriel's Hill"},
    {"0.531", "On or near Gabriel's Hill"}, {"0.532", "On or near Earl Street"},
    {"0.900", "On or near Far Lane"}};

OffenceTable kent_streets(const std::string& dir, bool text_on_demand)
{
    const std::string path = dir + "/2019-09-kent-street.csv";
    std::ofstream out(path);
    out << "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA "
           "name,Crime type,Last outcome category,Context\n";
    int id = 0;
    for (const auto& [lon, street] : records)
        out << "c" << ++id << ",2019-09,Kent Police,Kent Police," << lon << ",51.27,\"" << street
            << "\",E01024389,Maidstone 004A,Burglary,,\n";
    out.close();
    OffenceSource source;
    source.paths = {path};
    ReadOptions options;
    options.target_crs = "EPSG:27700";
    options.keep_raw = true;
    options.text_on_demand = text_on_demand;
    return read_offences(source, {}, options);
}
} // namespace

TEST_CASE("The busiest streets of each group, counted from the records' own text", "[streets]")
{
    const auto dir = testsupport::temp_dir("streets");
    for (const bool on_demand : {false, true})
    {
        const OffenceTable table = kent_streets(dir.string(), on_demand);
        REQUIRE(table.incidents.size() == 11);
        const auto group_of = [&](std::size_t i) -> std::int32_t
        {
            const std::size_t row = i; // the file's order
            return row < 7 ? 0 : row < 10 ? 1 : -1;
        };
        const auto top = top_streets(table, "", 2, group_of);
        REQUIRE(top.size() == 2);
        // "On or near" dropped; three at most, ties by name.
        CHECK(top[0] == "High Street 3; Week Street 2; King Street 1");
        CHECK(top[1] == "Gabriel's Hill 2; Earl Street 1");
        CHECK(street_field(table, "") == 6);
        CHECK(street_field(table, "location") == 6);
        CHECK_THROWS_AS(street_field(table, "road"), Error);
    }
}

TEST_CASE("Street names from a top-streets list, without counts or premises", "[streets]")
{
    CHECK(street_names("High Street 34; Parking Area 20; Week Street 7") ==
          std::vector<std::string>{"High Street", "Week Street"});
    CHECK(street_names("Gabriel's Hill 2") == std::vector<std::string>{"Gabriel's Hill"});
    CHECK(street_names("").empty());
}
