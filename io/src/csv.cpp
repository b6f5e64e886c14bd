#include "hotspot/io/csv.hpp"

#include "hotspot/engine/core/error.hpp"

#include <array>
#include <charconv>

#include <cmath>
#include <fast_float/fast_float.h>

namespace hotspot::io
{

namespace
{
// Bytes that end an unquoted field, looked up rather than compared three times per byte: one
// table per separator.
using FieldEnds = std::array<bool, 256>;
constexpr FieldEnds field_end_table(char separator)
{
    FieldEnds table{};
    table[static_cast<unsigned char>(separator)] = true;
    table[static_cast<unsigned char>('\n')] = true;
    table[static_cast<unsigned char>('\r')] = true;
    return table;
}
constexpr FieldEnds comma_ends = field_end_table(','), semicolon_ends = field_end_table(';'),
                    tab_ends = field_end_table('\t'), bar_ends = field_end_table('|');

inline std::size_t end_of_unquoted(const FieldEnds& ends, const char* text, std::size_t pos,
                                   std::size_t size)
{
    while (pos < size && !ends[static_cast<unsigned char>(text[pos])])
        ++pos;
    return pos;
}
} // namespace

CsvReader::CsvReader(std::string_view text, std::string source_name)
    : m_ends(&comma_ends), m_text(text), m_source_name(std::move(source_name))
{
    if (m_text.substr(0, 3) == "\xEF\xBB\xBF")
        m_pos = 3;
}

CsvReader::CsvReader(std::string_view text, std::string source_name, std::size_t begin,
                     std::int64_t line)
    : m_ends(&comma_ends), m_text(text), m_source_name(std::move(source_name)), m_pos(begin),
      m_line(line)
{
}

void CsvReader::set_separator(char separator)
{
    switch (separator)
    {
    case ',':
        m_ends = &comma_ends;
        break;
    case ';':
        m_ends = &semicolon_ends;
        break;
    case '\t':
        m_ends = &tab_ends;
        break;
    case '|':
        m_ends = &bar_ends;
        break;
    default:
        throw Error(Errc::Usage, std::string("a separator must be a comma, semicolon, tab or bar (got '") +
                                     separator + "')");
    }
    m_separator = separator;
}

char detect_separator(std::string_view header)
{
    // The separator is the one of , ; tab | that splits the header most (outside quotes); a
    // comma when none does.
    std::size_t counts[4] = {};
    const char candidates[4] = {',', ';', '\t', '|'};
    bool quoted = false;
    for (const char c : header.substr(0, header.find('\n')))
    {
        if (c == '"')
            quoted = !quoted;
        for (int k = 0; k < 4 && !quoted; ++k)
            counts[k] += c == candidates[k];
    }
    int best = 0;
    for (int k = 1; k < 4; ++k)
        if (counts[k] > counts[best])
            best = k;
    return candidates[best];
}

char parse_separator(std::string_view text)
{
    if (text == "," || text == ";" || text == "|" || text == "\t")
        return text.front();
    if (text == "tab" || text == "TAB" || text == "\\t")
        return '\t';
    throw Error(Errc::Usage, "--delimiter takes , ; | or tab (got '" + std::string(text) + "')");
}

void CsvReader::skip_blank_lines()
{
    const std::size_t size = m_text.size();
    while (m_pos < size && (m_text[m_pos] == '\n' || m_text[m_pos] == '\r'))
    {
        if (m_text[m_pos] == '\n')
            ++m_line;
        ++m_pos;
    }
}

bool CsvReader::next(std::vector<std::string_view>& fields)
{
    fields.clear();
    m_unescaped.clear();
    const std::size_t size = m_text.size();
    skip_blank_lines();
    if (m_pos >= size)
        return false;

    m_record_line = m_line;
    m_record_begin = m_pos;
    while (true)
    {
        if (m_pos < size && m_text[m_pos] == '"')
        {
            const std::int64_t quote_line = m_line;
            const std::size_t start = ++m_pos;
            bool escaped = false;
            while (true)
            {
                if (m_pos >= size)
                    throw Error(Errc::BadData, m_source_name + ": line " +
                                                   std::to_string(quote_line) +
                                                   ": a quoted field is never closed");
                const char c = m_text[m_pos];
                if (c == '"')
                {
                    if (m_pos + 1 < size && m_text[m_pos + 1] == '"')
                    {
                        escaped = true;
                        m_pos += 2;
                        continue;
                    }
                    break;
                }
                if (c == '\n')
                    ++m_line;
                ++m_pos;
            }
            std::string_view raw = m_text.substr(start, m_pos - start);
            ++m_pos; // closing quote
            if (escaped)
            {
                std::string& field = m_unescaped.emplace_back();
                field.reserve(raw.size());
                for (std::size_t i = 0; i < raw.size(); ++i)
                {
                    field.push_back(raw[i]);
                    if (raw[i] == '"')
                        ++i;
                }
                raw = field;
            }
            fields.push_back(raw);
            // Anything between the closing quote and the delimiter is kept, as most readers do.
            const std::size_t tail = m_pos;
            m_pos = end_of_unquoted(*m_ends, m_text.data(), m_pos, size);
            if (m_pos > tail)
            {
                std::string& joined = m_unescaped.emplace_back(fields.back());
                joined.append(m_text.substr(tail, m_pos - tail));
                fields.back() = joined;
            }
        }
        else
        {
            const std::size_t start = m_pos;
            m_pos = end_of_unquoted(*m_ends, m_text.data(), m_pos, size);
            fields.push_back(m_text.substr(start, m_pos - start));
        }
        if (m_pos < size && m_text[m_pos] == m_separator)
        {
            ++m_pos;
            continue;
        }
        break;
    }
    m_record_end = m_pos;
    if (m_pos < size && m_text[m_pos] == '\r')
        ++m_pos;
    m_no_line_end = true;
    if (m_pos < size && m_text[m_pos] == '\n')
    {
        ++m_pos;
        ++m_line;
        m_no_line_end = false;
    }
    return true;
}

namespace
{
std::string in_quotes(std::string_view field)
{
    std::string out = "\"";
    for (const char c : field)
    {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
    return out;
}
} // namespace

std::string csv_quote(std::string_view field)
{
    if (field.find_first_of(",\"\r\n") == std::string_view::npos)
        return std::string(field);
    return in_quotes(field);
}

CsvTable::CsvTable(const std::vector<std::string>& header)
{
    add(header);
}

void CsvTable::add_field(bool first, const Field& field)
{
    if (!first)
        m_text += ',';
    if (field.m_always_quoted)
        m_text += in_quotes(field.m_text);
    else
        m_text += csv_quote(field.m_text);
}

void CsvTable::add(std::initializer_list<Field> fields)
{
    bool first = true;
    for (const Field& f : fields)
    {
        add_field(first, f);
        first = false;
    }
    m_text += '\n';
}

void CsvTable::add(const std::vector<std::string>& fields)
{
    for (std::size_t i = 0; i < fields.size(); ++i)
        add_field(i == 0, Field(fields[i]));
    m_text += '\n';
}

bool parse_number(std::string_view text, double& value)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    if (text.empty())
        return false;
    // fast_float rounds correctly, as strtod does, several times faster than GCC 12's from_chars.
    const auto [end, ec] = fast_float::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

} // namespace hotspot::io
