#include "hotspot/engine/core/ranking.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>

using namespace hotspot;

TEST_CASE("Top-N lists: most first, ties by key, the same at every run", "[ranking]")
{
    const std::map<std::string, std::int64_t> streets{
        {"Week Street", 2}, {"High Street", 5}, {"King Street", 2}, {"Earl Street", 1}};
    using Row = std::pair<std::string, std::int64_t>;
    CHECK(engine::ranked_by_count(streets) ==
          std::vector<Row>{
              {"High Street", 5}, {"King Street", 2}, {"Week Street", 2}, {"Earl Street", 1}});
    CHECK(engine::ranked_by_count(streets, 2) ==
          std::vector<Row>{{"High Street", 5}, {"King Street", 2}});
    CHECK(engine::ranked_by_count(streets, 0).empty());
    CHECK(engine::ranked_by_count(std::map<int, int>{}).empty());

    // Against a brute-force reference: for every k, the k-th row has at least the count of every
    // row after it, and equal counts come in key order; the limited list is the full list's head.
    std::mt19937 random(7);
    std::map<int, int> counts;
    for (int i = 0; i < 500; ++i)
        counts[static_cast<int>(random() % 300)] = static_cast<int>(random() % 6);
    const auto full = engine::ranked_by_count(counts);
    REQUIRE(full.size() == counts.size());
    for (std::size_t k = 1; k < full.size(); ++k)
        CHECK((full[k - 1].second > full[k].second ||
               (full[k - 1].second == full[k].second && full[k - 1].first < full[k].first)));
    for (const std::size_t limit : {1, 7, 40})
    {
        const auto head = engine::ranked_by_count(counts, limit);
        CHECK(std::equal(head.begin(), head.end(), full.begin()));
        CHECK(head.size() == limit);
    }
}
