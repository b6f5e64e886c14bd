#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot::io
{

/// A reader of RFC 4180 CSV held in memory: quoted fields with embedded commas, quotes ("") and
/// line breaks, LF or CRLF line ends, a UTF-8 byte-order mark, and a last line with no line end.
/// Blank lines are skipped. Field views stay valid until the next call to `next`.
class CsvReader
{
  public:
    /// `text` must outlive the reader. `source_name` names the file in error messages.
    CsvReader(std::string_view text, std::string source_name);

    /// Reads the next record into `fields`; false at the end of the text.
    /// Throws Error(BadData) naming the line on a quote that is never closed.
    bool next(std::vector<std::string_view>& fields);

    /// 1-based line on which the current record starts.
    std::int64_t line() const { return m_record_line; }
    /// Byte offset and length of the current record's text, without its line end.
    std::size_t record_offset() const { return m_record_begin; }
    std::size_t record_length() const { return m_record_end - m_record_begin; }

  private:
    std::string_view m_text;
    std::string m_source_name;
    std::size_t m_pos = 0;
    std::int64_t m_line = 1;
    std::int64_t m_record_line = 0;
    std::size_t m_record_begin = 0;
    std::size_t m_record_end = 0;
    std::deque<std::string> m_unescaped; // fields with "" inside, rebuilt; a deque never moves them
};

/// The field quoted for CSV output when it needs to be.
std::string csv_quote(std::string_view field);

/// Parses a decimal number, allowing surrounding spaces and a leading '+'. False for empty text,
/// trailing garbage, NaN or infinity.
bool parse_number(std::string_view text, double& value);

} // namespace hotspot::io
