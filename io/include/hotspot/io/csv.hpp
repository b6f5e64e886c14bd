#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <initializer_list>
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
    /// A reader that starts at byte `begin` of `text`, a record boundary on line `line`: a parallel
    /// reader's chunk, or a buffer holding part of a file. No byte-order mark is looked for.
    CsvReader(std::string_view text, std::string source_name, std::size_t begin, std::int64_t line);

    /// Fields separated by `separator` (',', ';', '\t' or '|'; default ','). Throws Error(Usage)
    /// for any other.
    void set_separator(char separator);
    char separator() const { return m_separator; }

    /// Reads the next record into `fields`; false at the end of the text.
    /// Throws Error(BadData) naming the line on a quote that is never closed.
    bool next(std::vector<std::string_view>& fields);

    /// 1-based line on which the current record starts.
    std::int64_t line() const { return m_record_line; }
    /// Byte offset and length of the current record's text, without its line end.
    std::size_t record_offset() const { return m_record_begin; }
    std::size_t record_length() const { return m_record_end - m_record_begin; }

    /// Moves past blank lines; the position is then where the next record starts.
    void skip_blank_lines();
    /// Byte offset where reading goes on.
    std::size_t position() const { return m_pos; }
    /// The line reading goes on from.
    std::int64_t next_line() const { return m_line; }
    /// True when the last record read ended at the end of the text rather than at a line end: in a
    /// buffer holding part of a file, it may go on past the buffer.
    bool ended_without_line_end() const { return m_no_line_end; }

  private:
    const std::array<bool, 256>* m_ends;
    char m_separator = ',';
    std::string_view m_text;
    std::string m_source_name;
    std::size_t m_pos = 0;
    std::int64_t m_line = 1;
    std::int64_t m_record_line = 0;
    std::size_t m_record_begin = 0;
    std::size_t m_record_end = 0;
    bool m_no_line_end = false;
    std::deque<std::string> m_unescaped; // fields with "" inside, rebuilt; a deque never moves them
};

/// The separator a header line uses: whichever of comma, semicolon, tab and bar splits it most
/// (outside quotes), a comma when none does.
char detect_separator(std::string_view header);
/// --delimiter's words: "," ";" "|" and "tab" (or a tab). Throws Error(Usage) for others.
char parse_separator(std::string_view text);

/// The field quoted for CSV output when it needs to be.
std::string csv_quote(std::string_view field);

/// A field a CsvTable writes in quotes whether or not it needs them: a free-text column that
/// readers should take as text.
struct Quoted
{
    std::string_view text;
};

/// A CSV table, the one way hotspot writes one: fields separated by commas, each quoted where it
/// needs to be (RFC 4180) or where given as Quoted, every row ended by a line feed. Numbers are
/// formatted by the caller, so that each column keeps its own decimals.
class CsvTable
{
  public:
    class Field
    {
      public:
        Field(std::string_view text) : m_text(text) {}
        Field(const std::string& text) : m_text(text) {}
        Field(const char* text) : m_text(text) {}
        Field(Quoted quoted) : m_text(quoted.text), m_always_quoted(true) {}

      private:
        friend class CsvTable;
        std::string_view m_text;
        bool m_always_quoted = false;
    };

    /// A table whose first row is `header`.
    explicit CsvTable(std::initializer_list<Field> header) { add(header); }
    explicit CsvTable(const std::vector<std::string>& header);
    /// Appends one row.
    void add(std::initializer_list<Field> fields);
    void add(const std::vector<std::string>& fields);
    const std::string& text() const { return m_text; }

  private:
    void add_field(bool first, const Field& field);
    std::string m_text;
};

/// Parses a decimal number, allowing surrounding spaces and a leading '+'. False for empty text,
/// trailing garbage, NaN or infinity.
bool parse_number(std::string_view text, double& value);

} // namespace hotspot::io
