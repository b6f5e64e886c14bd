#pragma once
// The order of every "top N" list hotspot prints (crime types, streets, areas, places): most
// first, ties by name or key, so that the same data give the same list on every run.

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

namespace hotspot::engine
{

/// The (key, count) pairs of `counts` (a map, or any range of distinct keys and their counts),
/// most first, ties by key, the first `limit` kept.
template <class Counts>
auto ranked_by_count(const Counts& counts,
                     std::size_t limit = std::numeric_limits<std::size_t>::max())
{
    using Key = std::decay_t<decltype(std::begin(counts)->first)>;
    using Count = std::decay_t<decltype(std::begin(counts)->second)>;
    std::vector<std::pair<Key, Count>> ranked(std::begin(counts), std::end(counts));
    const auto before = [](const std::pair<Key, Count>& a, const std::pair<Key, Count>& b)
    { return a.second != b.second ? a.second > b.second : a.first < b.first; };
    if (limit < ranked.size())
    {
        std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(limit),
                          ranked.end(), before);
        ranked.resize(limit);
    }
    else
        std::sort(ranked.begin(), ranked.end(), before);
    return ranked;
}

} // namespace hotspot::engine
