#pragma once
// The names an enum's values go by on the command line, in files and in summaries: one table per
// enum, read case aside and listed for help, choices and messages from the same table.

#include "hotspot/engine/core/text.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot::engine
{

template <class E> struct Named
{
    E value;
    std::string_view name;
};

/// The value named `text`, case aside, or nullopt.
template <class E, std::size_t N>
std::optional<E> parse_named(const std::array<Named<E>, N>& names, std::string_view text)
{
    for (const auto& n : names)
        if (same_text(n.name, text))
            return n.value;
    return std::nullopt;
}

/// The name of `value`, or "unknown" where the table lacks it.
template <class E, std::size_t N>
constexpr std::string_view name_in(const std::array<Named<E>, N>& names, E value)
{
    for (const auto& n : names)
        if (n.value == value)
            return n.name;
    return "unknown";
}

/// Every name, in the table's order.
template <class E, std::size_t N>
std::vector<std::string> names_of(const std::array<Named<E>, N>& names)
{
    std::vector<std::string> out;
    for (const auto& n : names)
        out.emplace_back(n.name);
    return out;
}

} // namespace hotspot::engine
