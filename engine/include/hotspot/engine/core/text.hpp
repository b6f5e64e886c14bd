#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotspot::engine
{

/// The text without surrounding white space.
std::string_view trim(std::string_view text);

/// The pieces of `text` between separators, trimmed, empty pieces dropped.
std::vector<std::string> split(std::string_view text, char separator);

/// Lower-case ASCII copy with surrounding white space removed.
std::string fold(std::string_view text);

/// True when a and b are equal ignoring ASCII case and surrounding white space.
bool same_text(std::string_view a, std::string_view b);

/// Edit distance (insertions, deletions, substitutions) between the folded texts.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// Up to `limit` candidates closest to `wanted`: those containing it first, then by edit distance.
std::vector<std::string> near_matches(std::string_view wanted,
                                      const std::vector<std::string>& candidates,
                                      std::size_t limit = 5);

/// The value with `decimals` digits after the point ("%.*f"), for messages and tags.
std::string fixed(double value, int decimals);

/// part / whole with `decimals` decimals ("0.1250"), or `undefined` where whole is not positive:
/// a share of nothing is undefined, not 0.
std::string share_of(double part, double whole, int decimals, std::string_view undefined = "");
/// 100 x part / whole with `decimals` decimals and a percent sign ("12.5%"), or `undefined` where
/// whole is not positive.
std::string percent_of(double part, double whole, int decimals = 1,
                       std::string_view undefined = "-");

/// "a, b, c" from a list, for messages.
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

} // namespace hotspot::engine
