#include "hotspot/engine/core/distinct_count.hpp"

#include <catch2/catch.hpp>

#include <cstdint>

using namespace hotspot::engine;

namespace
{
// splitmix64: well-mixed hashes of consecutive integers.
std::uint64_t mixed(std::uint64_t k)
{
    std::uint64_t z = k + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
} // namespace

TEST_CASE("Distinct counts come within a few percent of the exact count", "[distinct]")
{
    // Each case: so many values, drawn in turn from so many distinct ones (the exact count).
    const struct
    {
        std::uint64_t values, distinct;
    } cases[] = {{0, 0}, {10, 10}, {1000, 1000}, {50'000, 50'000}, {1'000'000, 1'000'000},
                 {1'000'000, 20'000}, {2'000'000, 250'000}, {300'000, 3}};
    for (const auto& c : cases)
    {
        DistinctCount count;
        for (std::uint64_t i = 0; i < c.values; ++i)
            count.add(mixed(i % c.distinct));
        INFO(c.values << " values of " << c.distinct);
        // Six standard errors (1.6% each) above 5,000; exact to a value or so below.
        if (c.distinct > 5000)
            CHECK(count.estimate() == Approx(c.distinct).epsilon(0.1));
        else
            CHECK(count.estimate() == Approx(c.distinct).margin(0.02 * c.distinct + 1));
    }
}

TEST_CASE("Counts kept apart and merged equal one count of everything", "[distinct]")
{
    DistinctCount whole, first, second;
    for (std::uint64_t i = 0; i < 200'000; ++i)
    {
        whole.add(mixed(i));
        (i % 2 ? first : second).add(mixed(i));
    }
    first.merge(second);
    CHECK(first.estimate() == whole.estimate());
    // Merging a count with itself adds nothing.
    DistinctCount twice = whole;
    twice.merge(whole);
    CHECK(twice.estimate() == whole.estimate());
}
