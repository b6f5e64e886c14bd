#include "hotspot/engine/areas/reconcile.hpp"
#include "hotspot/engine/core/error.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <deque>
#include <tbb/global_control.h>

using namespace hotspot;
using namespace hotspot::engine;

namespace
{
MultiPolygon square(double x0, double y0, double size)
{
    return {{{{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}}, {}}};
}

// Four 100 m beats: A (0-100, 0-100), B (100-200, 0-100), C (0-100, 100-200) and D (100-200,
// 100-200) after a 10 m gap: D is (110-200, 100-200), so points at x 100-110 above y 100 lie in a
// gap.
struct Layout
{
    AreaIndex index{{square(0, 0, 100),
                     square(100, 0, 100),
                     square(0, 100, 100),
                     {{{{110, 100}, {200, 100}, {200, 200}, {110, 200}}, {}}}}};
    CodeBook codes{{"A", "B", "C", "D"}, {{"OLDA", "A"}, {"SPLIT", "B"}, {"SPLIT", "C"}}};
};

struct Builder
{
    CodeRecords records;
    std::deque<std::string> storage; // keeps the recorded texts alive and in place
    void add(double x, double y, std::string code, LocationState state = LocationState::Good)
    {
        storage.push_back(std::move(code));
        records.x.push_back(x);
        records.y.push_back(y);
        records.location.push_back(state);
        records.recorded.push_back(storage.back());
    }
};
} // namespace

TEST_CASE("Codes are normalised for case, spaces and punctuation", "[reconcile]")
{
    CHECK(normalise_code(" e01-024 389 ") == "E01024389");
    CHECK(normalise_code("Mk/12.b") == "MK12B");
    CHECK(normalise_code("   ").empty());
}

TEST_CASE("Every status, by the rules", "[reconcile]")
{
    Layout l;
    Builder b;
    b.add(50, 50, "A");                         // 0 match
    b.add(50, 50, " a ");                       // 1 match after normalisation
    b.add(50, 50, "olda");                      // 2 alias_match
    b.add(150, 50, "A");                        // 3 corrected: in B, 50 m from A
    b.add(105, 50, "A");                        // 4 near_boundary: in B, 5 m from A
    b.add(50, 150, "");                         // 5 filled: C
    b.add(50, 150, "ZZ9");                      // 6 unknown_code: C from location
    b.add(500, 500, "A");                       // 7 outside, keeps A
    b.add(0, 0, "B", LocationState::Missing);   // 8 no_location, keeps B
    b.add(0, 0, "", LocationState::Missing);    // 9 no_location, no code
    b.add(51, 51, "B", LocationState::Suspect); // 10 suspect from reading
    b.add(104, 150, "");                        // 11 filled in the gap: nearest C, 4 m
    b.add(107, 150, "C");                       // 12 near_boundary: gap, 7 m from C
    b.add(150, 150, "SPLIT");                   // 13 corrected: split into B and C, lies in D
    b.add(150, 50, "split");                    // 14 alias_match through the split
    b.add(500, 500, "");                        // 15 outside, no code
    const auto r = reconcile(b.records, l.index, l.codes, {});
    const auto status = [&](std::size_t i) { return r.outcomes[i].status; };
    const auto final_code = [&](std::size_t i)
    {
        return r.outcomes[i].final_area >= 0 ? l.codes.code(r.outcomes[i].final_area)
                                             : std::string("-");
    };
    CHECK(status(0) == RecordStatus::Match);
    CHECK(status(1) == RecordStatus::Match);
    CHECK(status(2) == RecordStatus::AliasMatch);
    CHECK(final_code(2) == "A");
    CHECK(status(3) == RecordStatus::Corrected);
    CHECK(final_code(3) == "B");
    CHECK(r.outcomes[3].distance_m == Approx(50));
    CHECK(r.outcomes[3].decided_by == Decision::Location);
    CHECK(status(4) == RecordStatus::NearBoundary);
    CHECK(final_code(4) == "A");
    CHECK(r.outcomes[4].distance_m == Approx(5));
    CHECK(status(5) == RecordStatus::Filled);
    CHECK(final_code(5) == "C");
    CHECK(status(6) == RecordStatus::UnknownCode);
    CHECK(final_code(6) == "C");
    CHECK(status(7) == RecordStatus::Outside);
    CHECK(final_code(7) == "A");
    CHECK(status(8) == RecordStatus::NoLocation);
    CHECK(final_code(8) == "B");
    CHECK(status(9) == RecordStatus::NoLocation);
    CHECK(final_code(9) == "-");
    CHECK(r.outcomes[9].decided_by == Decision::None);
    CHECK(status(10) == RecordStatus::SuspectLocation);
    CHECK(final_code(10) == "B");
    CHECK(status(11) == RecordStatus::Filled);
    CHECK(final_code(11) == "C");
    CHECK(r.outcomes[11].distance_m == Approx(4));
    CHECK(status(12) == RecordStatus::NearBoundary);
    CHECK(final_code(12) == "C");
    CHECK(status(13) == RecordStatus::Corrected);
    CHECK(final_code(13) == "D");
    CHECK(status(14) == RecordStatus::AliasMatch);
    CHECK(final_code(14) == "B");
    CHECK(status(15) == RecordStatus::Outside);

    // Counts add up to the records, and say what was normalised.
    std::int64_t total = 0;
    for (const auto c : r.by_status)
        total += c;
    CHECK(total == static_cast<std::int64_t>(b.records.size()));
    CHECK(r.by_status[static_cast<std::size_t>(RecordStatus::Match)] == 2);
    CHECK(r.normalised == 3); // " a ", "olda", "split"
    // Accuracy of code A: records 0, 1, 2 (alias), 3 (corrected), 4 (near) => 4 of 5 agree.
    CHECK(r.accuracy[0].recorded == 5);
    CHECK(r.accuracy[0].agreed == 4);
    REQUIRE_FALSE(r.confusions.empty());
}

TEST_CASE("Trusting the code keeps it on a conflict", "[reconcile]")
{
    Layout l;
    Builder b;
    b.add(150, 50, "A");      // in B, far from A
    b.add(150, 150, "SPLIT"); // split code: ambiguous, so the location still decides
    ReconcileOptions options;
    options.trust = Trust::Code;
    const auto r = reconcile(b.records, l.index, l.codes, options);
    CHECK(r.outcomes[0].status == RecordStatus::Corrected);
    CHECK(l.codes.code(r.outcomes[0].final_area) == "A");
    CHECK(r.outcomes[0].decided_by == Decision::Code);
    CHECK(l.codes.code(r.outcomes[1].final_area) == "D");
    CHECK(r.outcomes[1].decided_by == Decision::Location);
}

TEST_CASE("The tolerance decides between near_boundary and corrected", "[reconcile]")
{
    Layout l;
    Builder b;
    b.add(130, 50, "A"); // 30 m into B
    ReconcileOptions options;
    CHECK(reconcile(b.records, l.index, l.codes, options).outcomes[0].status ==
          RecordStatus::Corrected);
    options.tolerance_m = 35;
    CHECK(reconcile(b.records, l.index, l.codes, options).outcomes[0].status ==
          RecordStatus::NearBoundary);
    options.tolerance_m = -1;
    CHECK_THROWS_AS(reconcile(b.records, l.index, l.codes, options), Error);
}

TEST_CASE("Default geocodes, (0, 0) and swapped axes are flagged, not believed", "[reconcile]")
{
    Layout l;
    Builder b;
    const char* codes[] = {"A", "B", "C", "D"};
    for (int i = 0; i < 12; ++i) // a 'police station' point in A carrying every beat's records
        b.add(60, 60, codes[i % 4]);
    for (int i = 0; i < 12; ++i) // a busy snap point in B whose records agree: not suspect
        b.add(150, 50, i < 11 ? "B" : "A");
    b.add(0, 0, "C");    // (0, 0)
    b.add(40, 150, "C"); // an ordinary record
    const auto r = reconcile(b.records, l.index, l.codes, {});
    for (int i = 0; i < 12; ++i)
        CHECK(r.outcomes[static_cast<std::size_t>(i)].status == RecordStatus::SuspectLocation);
    CHECK(l.codes.code(r.outcomes[5].final_area) == "B"); // the recorded code wins
    for (int i = 12; i < 24; ++i)
        CHECK(r.outcomes[static_cast<std::size_t>(i)].status != RecordStatus::SuspectLocation);
    CHECK(r.outcomes[24].status == RecordStatus::SuspectLocation);
    CHECK(r.zero_points == 1);
    REQUIRE(r.suspect_points.size() == 1);
    CHECK(r.suspect_points[0].records == 12);
    CHECK(r.suspect_points[0].distinct_codes == 4);
    CHECK(r.outcomes[25].status == RecordStatus::Match);
}

TEST_CASE("Swapped axes: a point outside every area that lies inside one when swapped",
          "[reconcile]")
{
    // A beat far from the origin, as real grids are: (1000-1100, 5000-5100).
    const AreaIndex index({square(1000, 5000, 100)});
    const CodeBook codes({"X"}, {});
    Builder b;
    b.add(5050, 1050, "X"); // swapped
    b.add(1050, 5050, "X"); // fine
    b.add(9000, 9000, "X"); // simply outside
    const auto r = reconcile(b.records, index, codes, {});
    CHECK(r.outcomes[0].status == RecordStatus::SuspectLocation);
    CHECK(r.swapped_axes == 1);
    CHECK(r.outcomes[1].status == RecordStatus::Match);
    CHECK(r.outcomes[2].status == RecordStatus::Outside);
}

TEST_CASE("Bad code books are refused with the offending codes named", "[reconcile]")
{
    CHECK_THROWS_WITH(CodeBook({"A", "B", "a"}, {}), Catch::Contains("A = a"));
    CHECK_THROWS_WITH(CodeBook({"A", ""}, {}), Catch::Contains("empty"));
    CHECK_THROWS_WITH(CodeBook({"A"}, {{"X", "Y"}, {"Y", "X"}}), Catch::Contains("cycle"));
    CHECK_THROWS_WITH(CodeBook({"A"}, {{"X", "Q"}}), Catch::Contains("not a code"));
    CHECK_THROWS_WITH(CodeBook({"A", "B"}, {{"A", "B"}}), Catch::Contains("still a code"));
    // A chain of renames resolves to the current code.
    const CodeBook chain({"A"}, {{"X", "Y"}, {"Y", "A"}});
    CHECK(chain.find("X").areas == std::vector<std::int32_t>{0});
    CHECK(chain.find("X").via_alias);
}

TEST_CASE("Reconciliation does not depend on the thread count", "[reconcile][threads]")
{
    Layout l;
    Builder b;
    for (int i = 0; i < 5000; ++i)
        b.add(std::fmod(i * 37.3, 230.0) - 10, std::fmod(i * 53.1, 230.0) - 10, i % 7 ? "B" : "");
    std::vector<std::int32_t> one, two;
    for (const std::size_t threads : {1, 2})
    {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
        const auto r = reconcile(b.records, l.index, l.codes, {});
        auto& out = threads == 1 ? one : two;
        for (const auto& o : r.outcomes)
            out.push_back(o.final_area * 16 + static_cast<std::int32_t>(o.status));
    }
    CHECK(one == two);
}

TEST_CASE("Other layers: by location, or by the final code's area without one", "[reconcile]")
{
    Layout l;
    // Two 'wards': west (x < 100) and east.
    const AreaIndex wards({{{{{0, 0}, {100, 0}, {100, 200}, {0, 200}}, {}}},
                           {{{{100, 0}, {200, 0}, {200, 200}, {100, 200}}, {}}}});
    Builder b;
    b.add(50, 50, "A");
    b.add(0, 0, "D", LocationState::Missing);
    b.add(0, 0, "", LocationState::Missing);
    const auto r = reconcile(b.records, l.index, l.codes, {});
    const auto a = assign_layer(b.records, r, l.index, wards, 25);
    CHECK(a.area == std::vector<std::int32_t>{0, 1, -1});
    CHECK(a.via_code == std::vector<std::uint8_t>{0, 1, 0});
}

TEST_CASE("The stages of reconcile: slices of records classified apart give the whole outcome",
          "[reconcile][stages]")
{
    Layout l;
    Builder b;
    const char* codes[] = {"A", "B", "", "olda", "SPLIT", "ZZ", "d"};
    for (int i = 0; i < 3000; ++i)
        b.add(std::fmod(i * 37.3, 230.0) - 10, std::fmod(i * 53.1, 230.0) - 10, codes[i % 7],
              i % 97 == 0 ? LocationState::Missing : LocationState::Good);
    const char* spread[] = {"A", "B", "C"};
    for (int i = 0; i < 12; ++i) // a default geocode: many records, many codes, one point
        b.add(150, 150, spread[i % 3]);
    ReconcileOptions options;
    options.tolerance_m = 8;
    const ReconcileReport whole = reconcile(b.records, l.index, l.codes, options);

    ReconcileReport staged;
    std::vector<std::string> normalised;
    const auto clues = weigh_evidence(b.records, l.index, l.codes, options, normalised, staged);
    CHECK(std::count_if(clues.begin(), clues.end(), [](const auto& c) { return c.suspect; }) >= 12);
    // Three slices, classified each on its own as a rank would.
    std::vector<std::uint8_t> swapped;
    for (const std::size_t cut : {0, 1000, 2345})
    {
        const std::size_t end = cut == 2345 ? b.records.size() : (cut == 0 ? 1000 : 2345);
        CodeRecords slice;
        std::vector<RecordClues> slice_clues;
        for (std::size_t i = cut; i < end; ++i)
        {
            slice.x.push_back(b.records.x[i]);
            slice.y.push_back(b.records.y[i]);
            slice.location.push_back(b.records.location[i]);
            slice.recorded.emplace_back(); // stage 2 reads the clues, not the text
            slice_clues.push_back(clues[i]);
        }
        std::vector<RecordOutcome> outcomes;
        std::vector<std::uint8_t> slice_swapped;
        classify_records(slice, slice_clues, l.index, options, outcomes, slice_swapped);
        staged.outcomes.insert(staged.outcomes.end(), outcomes.begin(), outcomes.end());
        swapped.insert(swapped.end(), slice_swapped.begin(), slice_swapped.end());
    }
    summarise_outcomes(normalised, swapped, l.codes, staged);
    REQUIRE(staged.outcomes.size() == whole.outcomes.size());
    for (std::size_t i = 0; i < whole.outcomes.size(); ++i)
    {
        const auto &a = whole.outcomes[i], &s = staged.outcomes[i];
        INFO("record " << i);
        CHECK(a.status == s.status);
        CHECK(a.final_area == s.final_area);
        CHECK(a.spatial_area == s.spatial_area);
        CHECK(a.recorded_area == s.recorded_area);
        CHECK(a.decided_by == s.decided_by);
        CHECK((a.distance_m == s.distance_m ||
               (std::isnan(a.distance_m) && std::isnan(s.distance_m))));
    }
    CHECK(staged.by_status == whole.by_status);
    CHECK(staged.by_decision == whole.by_decision);
    CHECK(staged.suspect_points.size() == whole.suspect_points.size());
    CHECK(staged.confusions.size() == whole.confusions.size());
    for (std::size_t k = 0; k < whole.confusions.size(); ++k)
        CHECK(staged.confusions[k].count == whole.confusions[k].count);
    CHECK(staged.normalised == whole.normalised);
    CHECK(staged.swapped_axes == whole.swapped_axes);
    for (std::size_t a = 0; a < whole.accuracy.size(); ++a)
        CHECK(staged.accuracy[a].agreed == whole.accuracy[a].agreed);
}
