#include "hotspot/engine/core/distinct_count.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace hotspot::engine
{

void DistinctCount::add(std::uint64_t hash)
{
    // The top bits choose a register; it keeps the longest run of leading zeros among the rest.
    const std::size_t index = hash >> (64 - index_bits);
    const std::uint64_t rest = (hash << index_bits) | (std::uint64_t{1} << (index_bits - 1));
    const auto rank = static_cast<std::uint8_t>(std::countl_zero(rest) + 1);
    m_rank[index] = std::max(m_rank[index], rank);
}

void DistinctCount::merge(const DistinctCount& other)
{
    for (std::size_t i = 0; i < m_rank.size(); ++i)
        m_rank[i] = std::max(m_rank[i], other.m_rank[i]);
}

double DistinctCount::estimate() const
{
    const double m = static_cast<double>(m_rank.size());
    double sum = 0;
    std::size_t empty = 0;
    for (const auto r : m_rank)
    {
        sum += std::ldexp(1.0, -r);
        empty += r == 0;
    }
    const double alpha = 0.7213 / (1 + 1.079 / m);
    const double raw = alpha * m * m / sum;
    // Few values leave registers empty: linear counting is the better estimate there.
    if (raw <= 2.5 * m && empty > 0)
        return m * std::log(m / static_cast<double>(empty));
    return raw;
}

} // namespace hotspot::engine
