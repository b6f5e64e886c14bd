#include "hotspot/io/postgis.hpp"

#include <cctype>
#include <filesystem>
#include <regex>

namespace hotspot::io
{

namespace
{
// The value of `key=` in a libpq keyword/value string: bare, or single-quoted with \' escapes.
std::string keyword(const std::string& connection, const std::string& key)
{
    const std::regex pattern("(^|[\\s:])" + key + "\\s*=\\s*('((?:[^'\\\\]|\\\\.)*)'|([^\\s]*))",
                             std::regex::icase);
    std::smatch m;
    if (!std::regex_search(connection, m, pattern))
        return "";
    return m[3].matched ? m[3].str() : m[4].str();
}
} // namespace

bool is_postgis(std::string_view source)
{
    return source.size() >= 3 && std::toupper(static_cast<unsigned char>(source[0])) == 'P' &&
           std::toupper(static_cast<unsigned char>(source[1])) == 'G' && source[2] == ':';
}

std::string without_passwords(std::string text)
{
    std::string folded = text;
    for (auto& c : folded)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (folded.find("password") == std::string::npos && folded.find("://") == std::string::npos)
        return text; // the common case, and cheap
    static const std::regex keyword_form("(password\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'|[^\\s'\")]+)",
                                         std::regex::icase);
    static const std::regex uri_form("((?:postgres|postgresql)://[^:/@\\s]+:)[^@\\s]*@",
                                     std::regex::icase);
    text = std::regex_replace(text, keyword_form, "$1***");
    return std::regex_replace(text, uri_form, "$1***@");
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
