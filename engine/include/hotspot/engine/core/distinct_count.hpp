#pragma once
// How many distinct values a stream of hashes holds, within a few percent, in 4 KiB: HyperLogLog
// (Flajolet, Fusy, Gandouet and Meunier 2007) with its small-range correction. Readers use it to
// tell whether the points of a file repeat enough for projecting each distinct one once to pay.

#include <array>
#include <cstdint>

namespace hotspot::engine
{

class DistinctCount
{
  public:
    /// Counts a value by its 64-bit hash, whose bits must be well mixed.
    void add(std::uint64_t hash);
    /// Adds the values another count has seen (threads count apart, then merge).
    void merge(const DistinctCount& other);
    /// The estimated number of distinct values added; its standard error is about 1.6%.
    double estimate() const;

  private:
    static constexpr int index_bits = 12;
    std::array<std::uint8_t, std::size_t{1} << index_bits> m_rank{};
};

} // namespace hotspot::engine
