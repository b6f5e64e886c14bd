#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/csv.hpp"

#include <catch2/catch.hpp>

using namespace hotspot;
using namespace hotspot::io;

namespace
{
std::vector<std::vector<std::string>> read_all(std::string_view text,
                                               std::vector<std::int64_t>* lines = nullptr)
{
    CsvReader reader(text, "test.csv");
    std::vector<std::string_view> fields;
    std::vector<std::vector<std::string>> out;
    while (reader.next(fields))
    {
        out.emplace_back(fields.begin(), fields.end());
        if (lines)
            lines->push_back(reader.line());
    }
    return out;
}
} // namespace

TEST_CASE("CSV: plain fields, CRLF and a missing final line end", "[csv]")
{
    const auto rows = read_all("a,b,c\r\n1,,3\r\n4,5,6");
    REQUIRE(rows.size() == 3);
    CHECK(rows[1] == std::vector<std::string>{"1", "", "3"});
    CHECK(rows[2] == std::vector<std::string>{"4", "5", "6"});
}

TEST_CASE("CSV: quoted commas, doubled quotes and line breaks inside quotes", "[csv]")
{
    std::vector<std::int64_t> lines;
    const auto rows = read_all("id,text\n1,\"On or near High Street, Maidstone\"\n2,\"say "
                               "\"\"hi\"\"\"\n3,\"two\nlines\"\n4,end\n",
                               &lines);
    REQUIRE(rows.size() == 5);
    CHECK(rows[1][1] == "On or near High Street, Maidstone");
    CHECK(rows[2][1] == "say \"hi\"");
    CHECK(rows[3][1] == "two\nlines");
    CHECK(rows[4][1] == "end");
    CHECK(lines == std::vector<std::int64_t>{1, 2, 3, 4, 6});
}

TEST_CASE("CSV: a byte-order mark and blank lines are skipped, trailing empty fields kept", "[csv]")
{
    std::vector<std::int64_t> lines;
    const auto rows = read_all("\xEF\xBB\xBFx,y\n\n1,2,\n\r\n3,4,", &lines);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0][0] == "x");
    CHECK(rows[1] == std::vector<std::string>{"1", "2", ""});
    CHECK(rows[2] == std::vector<std::string>{"3", "4", ""});
    CHECK(lines == std::vector<std::int64_t>{1, 3, 5});
}

TEST_CASE("CSV: an unclosed quote is an error naming its line", "[csv]")
{
    CHECK_THROWS_WITH(read_all("a,b\n1,2\n3,\"open\n4,5\n"),
                      Catch::Contains("line 3") && Catch::Contains("never closed"));
}

TEST_CASE("CSV: the raw record text is available for rejects files", "[csv]")
{
    const std::string text = "a,b\r\n1,\"x,y\"\r\n";
    CsvReader reader(text, "t.csv");
    std::vector<std::string_view> f;
    reader.next(f);
    reader.next(f);
    CHECK(text.substr(reader.record_offset(), reader.record_length()) == "1,\"x,y\"");
}

TEST_CASE("Numbers: decimals, signs and spaces; not garbage, NaN or infinity", "[csv]")
{
    double v = 0;
    CHECK(parse_number(" 51.274500 ", v));
    CHECK(v == 51.2745);
    CHECK(parse_number("+0.5", v));
    CHECK(v == 0.5);
    CHECK(parse_number("-1e3", v));
    CHECK(v == -1000);
    CHECK_FALSE(parse_number("", v));
    CHECK_FALSE(parse_number("abc", v));
    CHECK_FALSE(parse_number("1.5x", v));
    CHECK_FALSE(parse_number("nan", v));
    CHECK_FALSE(parse_number("inf", v));
}

TEST_CASE("Quoting for output only where needed", "[csv]")
{
    CHECK(csv_quote("plain") == "plain");
    CHECK(csv_quote("a,b") == "\"a,b\"");
    CHECK(csv_quote("say \"hi\"") == "\"say \"\"hi\"\"\"");
}

TEST_CASE("A table written is read back field for field", "[csv]")
{
    // Awkward fields: separators, quotes, line breaks, empty fields, a field always quoted.
    const std::vector<std::vector<std::string>> rows{{"name", "count", "note"},
                                                     {"Shepway, North", "12", "said \"twice\""},
                                                     {"", "3", "two\nlines"},
                                                     {"High Street", "", "plain"}};
    CsvTable table(rows[0]);
    table.add(rows[1]);
    table.add({rows[2][0], rows[2][1], rows[2][2]});
    table.add({"High Street", "", Quoted{"plain"}});
    CHECK(table.text() == "name,count,note\n"
                          "\"Shepway, North\",12,\"said \"\"twice\"\"\"\n"
                          ",3,\"two\nlines\"\n"
                          "High Street,,\"plain\"\n");
    CsvReader reader(table.text(), "table.csv");
    std::vector<std::string_view> fields;
    for (const auto& expected : rows)
    {
        REQUIRE(reader.next(fields));
        CHECK(std::vector<std::string>(fields.begin(), fields.end()) == expected);
    }
    CHECK_FALSE(reader.next(fields));
}
