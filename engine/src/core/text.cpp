#include "hotspot/engine/core/text.hpp"

#include <algorithm>
#include <cstdio>
#include <cctype>
#include <numeric>
#include <tuple>

namespace hotspot::engine
{

std::string_view trim(std::string_view text)
{
    const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    return text;
}

std::vector<std::string> split(std::string_view text, char separator)
{
    std::vector<std::string> out;
    while (true)
    {
        const auto end = text.find(separator);
        if (const auto piece = trim(text.substr(0, end)); !piece.empty())
            out.emplace_back(piece);
        if (end == std::string_view::npos)
            return out;
        text.remove_prefix(end + 1);
    }
}

std::string fold(std::string_view text)
{
    std::string out(trim(text));
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool same_text(std::string_view a, std::string_view b)
{
    return fold(a) == fold(b);
}

std::size_t edit_distance(std::string_view a_text, std::string_view b_text)
{
    const std::string a = fold(a_text);
    const std::string b = fold(b_text);
    std::vector<std::size_t> previous(b.size() + 1);
    std::vector<std::size_t> current(b.size() + 1);
    std::iota(previous.begin(), previous.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i)
    {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
        {
            const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

std::vector<std::string> near_matches(std::string_view wanted,
                                      const std::vector<std::string>& candidates, std::size_t limit)
{
    const std::string key = fold(wanted);
    std::vector<std::tuple<int, std::size_t, std::string>> ranked;
    for (const auto& candidate : candidates)
    {
        const std::string folded = fold(candidate);
        const bool contains = !key.empty() && folded.find(key) != std::string::npos;
        ranked.emplace_back(contains ? 0 : 1, edit_distance(key, folded), candidate);
    }
    std::sort(ranked.begin(), ranked.end());
    ranked.erase(std::unique(ranked.begin(), ranked.end(),
                             [](const auto& l, const auto& r)
                             { return std::get<2>(l) == std::get<2>(r); }),
                 ranked.end());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ranked.size() && out.size() < limit; ++i)
        out.push_back(std::get<2>(ranked[i]));
    return out;
}

std::string join(const std::vector<std::string>& items, std::string_view separator)
{
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i)
    {
        if (i)
            out += separator;
        out += items[i];
    }
    return out;
}

std::string fixed(double value, int decimals)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

std::string share_of(double part, double whole, int decimals, std::string_view undefined)
{
    return whole > 0 ? fixed(part / whole, decimals) : std::string(undefined);
}

std::string percent_of(double part, double whole, int decimals, std::string_view undefined)
{
    return whole > 0 ? fixed(100 * part / whole, decimals) + "%" : std::string(undefined);
}

} // namespace hotspot::engine
