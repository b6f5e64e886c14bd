#include "hotspot/io/postgis.hpp"

#include "hotspot/engine/core/text.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string_view>

namespace hotspot::io
{

namespace
{
// True when `word` (lower case, no spaces) stands at `at` in `text`, in any case.
bool same_folded(std::string_view text, std::size_t at, std::string_view word)
{
    return at <= text.size() && engine::same_text(text.substr(at, word.size()), word);
}

bool is_space(char c)
{
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// Where the value of `key=` starts at `at` (key, optional spaces, '=', optional spaces), or npos.
std::size_t value_start(std::string_view text, std::size_t at, std::string_view key)
{
    std::size_t i = at + key.size();
    while (i < text.size() && is_space(text[i]))
        ++i;
    if (i >= text.size() || text[i] != '=')
        return std::string_view::npos;
    ++i;
    while (i < text.size() && is_space(text[i]))
        ++i;
    return i;
}

// Where a libpq value starting at `i` ends: a quoted one after its closing quote (\' escapes a
// quote), a bare one at a space or a quote. `stops` ends a bare value too.
std::size_t value_end(std::string_view text, std::size_t i, std::string_view stops)
{
    if (i < text.size() && text[i] == '\'')
    {
        for (++i; i < text.size() && text[i] != '\''; ++i)
            if (text[i] == '\\')
                ++i;
        return std::min(i + 1, text.size());
    }
    while (i < text.size() && !is_space(text[i]) && stops.find(text[i]) == std::string_view::npos)
        ++i;
    return i;
}

// The value of `key=` in a libpq keyword/value string, unquoted.
std::string keyword(const std::string& connection, std::string_view key)
{
    for (std::size_t at = 0; at < connection.size(); ++at)
    {
        if (!same_folded(connection, at, key) ||
            (at > 0 && !is_space(connection[at - 1]) && connection[at - 1] != ':'))
            continue;
        const auto start = value_start(connection, at, key);
        if (start == std::string::npos)
            continue;
        std::string value = connection.substr(start, value_end(connection, start, "") - start);
        if (value.size() >= 2 && value.front() == '\'')
        {
            std::string plain;
            for (std::size_t i = 1; i + 1 < value.size(); ++i)
                plain += value[i] == '\\' ? value[++i] : value[i];
            return plain;
        }
        return value;
    }
    return "";
}
} // namespace

bool is_postgis(std::string_view source)
{
    return same_folded(source, 0, "pg:");
}

std::string without_passwords(std::string text)
{
    // keyword=value strings: password=secret, password = 'two words'
    for (std::size_t at = 0; at < text.size(); ++at)
        if (same_folded(text, at, "password"))
            if (const auto start = value_start(text, at, "password"); start != std::string::npos)
            {
                const auto end = value_end(text, start, "\"')");
                if (end > start)
                    text.replace(start, end - start, "***");
            }
    // URIs: postgresql://user:secret@host
    for (auto at = text.find("://"); at != std::string::npos; at = text.find("://", at + 3))
    {
        const bool postgres = (at >= 10 && same_folded(text, at - 10, "postgresql")) ||
                              (at >= 8 && same_folded(text, at - 8, "postgres"));
        const auto colon = text.find_first_of(":/@ \t\n", at + 3);
        if (!postgres || colon == std::string::npos || text[colon] != ':')
            continue;
        const auto end = text.find_first_of("@ \t\n", colon + 1);
        if (end != std::string::npos && text[end] == '@')
            text.replace(colon + 1, end - colon - 1, "***");
    }
    return text;
}

std::string source_label(const std::string& source)
{
    if (!is_postgis(source))
        return std::filesystem::path(source).filename().string();
    if (auto tables = keyword(source, "tables"); !tables.empty())
        return tables.substr(0, tables.find(','));
    return keyword(source, "dbname");
}

std::string layer_label(const std::string& source)
{
    if (!is_postgis(source))
        return std::filesystem::path(source).stem().string();
    auto table = source_label(source);
    const auto dot = table.rfind('.'); // schema.table
    return dot == std::string::npos ? table : table.substr(dot + 1);
}

std::string describe_connection(const std::string& source)
{
    const std::string db = keyword(source, "dbname"), host = keyword(source, "host");
    return "database " + (db.empty() ? std::string("(the default)") : db) + " on " +
           (host.empty() ? std::string("the local server") : host);
}

} // namespace hotspot::io
