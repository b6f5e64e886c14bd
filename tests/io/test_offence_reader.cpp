// The parallel CSV reader against one serial pass, and the many-file inputs.

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/crs.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/offence_inputs.hpp"
#include "hotspot/io/offence_shares.hpp"
#include "hotspot/io/offences.hpp"

#include <catch2/catch.hpp>
#include <cpl_conv.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>

using namespace hotspot;
using namespace hotspot::io;
namespace fs = std::filesystem;

namespace
{
const std::string fixtures = HOTSPOT_TEST_DATA "/";
const std::string demo = HOTSPOT_SOURCE_DIR "/data/police_uk/";

fs::path scratch(const std::string& name)
{
    const fs::path dir = fs::temp_directory_path() / ("hotspot_reader_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void write(const fs::path& path, const std::string& text)
{
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

OffenceTable read_with(const std::vector<std::string>& paths, std::size_t chunk, std::size_t batch,
                       bool keep_raw, OffenceFilter filter = {}, OffenceSource source = {})
{
    source.paths = paths;
    ReadOptions options;
    options.chunk_bytes = chunk;
    options.batch_bytes = batch;
    options.keep_raw = keep_raw;
    options.keep_unlocated = true;
    return read_offences(source, filter, options);
}

// Record for record and reason for reason.
void require_same(const OffenceTable& a, const OffenceTable& b)
{
    REQUIRE(a.records_read == b.records_read);
    REQUIRE(a.incidents.size() == b.incidents.size());
    CHECK(a.incidents.crime_type_names == b.incidents.crime_type_names);
    // The first record that differs, found by plain comparison: one assertion for the whole table
    // rather than seven a record (millions of them over a test's cases, slow under the sanitizers).
    const auto differs = [&](std::size_t i)
    {
        return a.incidents.source_row[i] != b.incidents.source_row[i] ||
               a.incidents.x[i] != b.incidents.x[i] || a.incidents.y[i] != b.incidents.y[i] ||
               a.incidents.month[i] != b.incidents.month[i] ||
               a.incidents.crime_type[i] != b.incidents.crime_type[i] ||
               a.incidents.weight_of(i) != b.incidents.weight_of(i) ||
               ((!a.raw.empty() || !b.raw.empty()) && a.raw[i] != b.raw[i]);
    };
    std::size_t first = 0;
    while (first < a.incidents.size() && !differs(first))
        ++first;
    if (first < a.incidents.size())
    {
        INFO("record " << first << ": row " << a.incidents.source_row[first] << " / "
                       << b.incidents.source_row[first] << ", x " << a.incidents.x[first] << " / "
                       << b.incidents.x[first] << ", y " << a.incidents.y[first] << " / "
                       << b.incidents.y[first] << ", month " << a.incidents.month[first] << " / "
                       << b.incidents.month[first] << ", type " << a.incidents.crime_type[first]
                       << " / " << b.incidents.crime_type[first]);
        FAIL("the tables differ");
    }
    REQUIRE(a.unlocated.size() == b.unlocated.size());
    for (std::size_t i = 0; i < a.unlocated.size(); ++i)
    {
        REQUIRE(a.unlocated[i].row == b.unlocated[i].row);
        REQUIRE(a.unlocated[i].reason == b.unlocated[i].reason);
        REQUIRE(a.unlocated[i].detail == b.unlocated[i].detail);
    }
    REQUIRE(a.rejected.size() == b.rejected.size());
    for (std::size_t i = 0; i < a.rejected.size(); ++i)
    {
        REQUIRE(a.rejected[i].row == b.rejected[i].row);
        REQUIRE(a.rejected[i].reason == b.rejected[i].reason);
        REQUIRE(a.rejected[i].detail == b.rejected[i].detail);
        REQUIRE(a.rejected[i].raw == b.rejected[i].raw);
    }
    CHECK(a.rejected_by_reason == b.rejected_by_reason);
}

// A CSV built to trip a chunked reader: long quoted fields with line ends, commas and "" inside,
// CRLF line ends, a byte-order mark, blank lines, short rows, duplicate ids, a last line without
// its line end.
std::string tricky_csv()
{
    std::string text = "\xEF\xBB\xBFid,x,y,month,note,type\r\n";
    for (int i = 0; i < 400; ++i)
    {
        const std::string id = "c" + std::to_string(i % 97 == 5 ? 3 : i);
        std::string note;
        if (i % 7 == 0)
            note = "\"line one\nline two, with a comma\n\"\"quoted\"\" and\r\nmore " +
                   std::string(static_cast<std::size_t>(i % 50), 'z') + "\"";
        else
            note = "plain " + std::to_string(i);
        text += id + "," + std::to_string(520000 + i * 13) + "," + std::to_string(150000 + i * 7) +
                ",2019-" + (i % 2 ? "09" : "10") + "," + note + "," +
                (i % 3 ? "Burglary" : "Theft") + (i % 11 == 0 ? "\r\n\r\n" : "\r\n");
        if (i % 37 == 0)
            text += "short,row\n";
        if (i % 41 == 0)
            text += "bad" + std::to_string(i) + ",abc,150000,2019-09,n,Theft\n";
    }
    text += "last,530000,160000,2019-09,\"no line end\",Theft";
    return text;
}
} // namespace

TEST_CASE("The parallel reader equals one serial pass, whatever the chunks and threads", "[reader]")
{
    const fs::path dir = scratch("parallel");
    const std::string tricky = (dir / "tricky.csv").string();
    write(tricky, tricky_csv());
    OffenceSource xy;
    xy.crs = "EPSG:27700";
    const std::vector<std::pair<std::string, OffenceSource>> files{
        {tricky, xy},
        {fixtures + "police_uk_quirks.csv", {}},
        {fixtures + "offences_xy_27700.csv", xy},
        {demo + "2019-09-kent-street.csv", {}}};
    for (const auto& [path, source] : files)
        for (const bool keep_raw : {false, true})
        {
            INFO(path << (keep_raw ? " with text" : ""));
            const std::size_t whole = std::size_t{1} << 30;
            const auto serial = read_with({path}, whole, whole, keep_raw, {}, source);
            // Chunks of 64 bytes start inside quoted fields again and again; batches of 512 cut
            // records short and must be read again larger.
            for (const auto& [chunk, batch] :
                 {std::pair<std::size_t, std::size_t>{64, 512}, {1000, 4096}, {4096, 1 << 20}})
            {
                INFO("chunks of " << chunk << ", batches of " << batch);
                require_same(serial, read_with({path}, chunk, batch, keep_raw, {}, source));
            }
            for (const int threads : {1, 2})
            {
                tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                                          static_cast<std::size_t>(threads));
                require_same(serial, read_with({path}, 256, 2048, keep_raw, {}, source));
            }
        }
}

TEST_CASE("A quoted field from an early chunk that runs past the batch is read whole", "[reader]")
{
    // Found by fuzz_police_uk_csv: a record whose quoted field starts in one chunk and runs past
    // the end of the batch, over the chunks after it, was cut at the batch end (or, when the quote
    // was not closed within the batch, refused as never closed).
    const fs::path dir = scratch("long_quote");
    OffenceSource xy;
    xy.crs = "EPSG:27700";
    for (const int quoted_lines : {150, 400})
    {
        std::string text = "x,y,note\n";
        for (int i = 0; i < 100; ++i)
            text += "575000,155000,a" + std::to_string(i) + "\n";
        text += "575001,155001,\"";
        for (int i = 0; i < quoted_lines; ++i)
            text += "line " + std::to_string(i) + " of a note\n";
        text += "end\"\n";
        for (int i = 0; i < 100; ++i)
            text += "575002,155002,b" + std::to_string(i) + "\n";
        const std::string path = (dir / ("quote" + std::to_string(quoted_lines) + ".csv")).string();
        write(path, text);
        const std::size_t whole = std::size_t{1} << 30;
        const auto serial = read_with({path}, whole, whole, false, {}, xy);
        REQUIRE(serial.records_read == 201);
        REQUIRE(serial.incidents.size() == 201);
        INFO("a quoted field of " << quoted_lines << " lines");
        require_same(serial, read_with({path}, 1024, 4096, false, {}, xy));
    }
}

TEST_CASE("The tricky file is read as written: line numbers, quoted line ends, duplicates",
          "[reader]")
{
    const fs::path dir = scratch("tricky");
    const std::string tricky = (dir / "tricky.csv").string();
    write(tricky, tricky_csv());
    OffenceSource xy;
    xy.crs = "EPSG:27700";
    const auto t = read_with({tricky}, 64, 512, true, {}, xy);
    // 400 rows + the last, 11 short rows and 10 bad coordinates.
    CHECK(t.records_read == 401 + 11 + 10);
    CHECK(t.rejected_by_reason[static_cast<std::size_t>(RejectReason::MalformedRow)] == 11);
    CHECK(t.unlocated.size() == 10);
    // Id c3 of row 3 repeats in rows 5, 102, 199, 296, 393: five duplicates.
    CHECK(t.rejected_by_reason[static_cast<std::size_t>(RejectReason::DuplicateId)] == 5);
    CHECK(t.incidents.size() == 401 - 5);
    // Row 0 holds three line ends inside its quotes and is followed by a blank line, a short row
    // and a bad one, so row 1 starts on line 9.
    REQUIRE(t.incidents.source_row.size() > 2);
    CHECK(t.incidents.source_row[0] == 2);
    CHECK(t.incidents.source_row[1] == 9);
    CHECK(t.raw.back() == "last,530000,160000,2019-09,\"no line end\",Theft");
}

TEST_CASE("Record texts read again in order equal the texts kept in memory", "[reader][texts]")
{
    const fs::path dir = scratch("texts");
    const std::string tricky = (dir / "tricky.csv").string();
    write(tricky, tricky_csv());
    // 40 MB: the texts are read again across several batches.
    const std::string sep = read_text_file(demo + "2019-09-kent-street.csv");
    const std::size_t body = sep.find('\n') + 1;
    std::string big = sep;
    for (int k = 0; k < 11; ++k)
        big += sep.substr(body);
    const std::string large = (dir / "2019-09-kent-street.csv").string();
    write(large, big);
    // Each file alone, record by record.
    for (const auto& [path, fields] :
         {std::pair<std::string, bool>{tricky, true}, std::pair<std::string, bool>{large, false}})
    {
        OffenceSource s;
        s.paths = {path};
        if (fields)
            s.crs = "EPSG:27700";
        ReadOptions kept;
        kept.keep_raw = true;
        kept.keep_unlocated = true;
        kept.reject_duplicates = false;
        ReadOptions on_demand = kept;
        on_demand.text_on_demand = true;
        const auto a = read_offences(s, {}, kept);
        const auto b = read_offences(s, {}, on_demand);
        REQUIRE(a.incidents.size() == b.incidents.size());
        // Every kept record, located or not, in input order.
        // Counted by plain comparison, asserted once: hundreds of thousands of records.
        std::vector<std::pair<std::int64_t, std::string_view>> expected;
        std::size_t texts_kept = 0;
        for (std::size_t i = 0; i < a.incidents.size(); ++i)
        {
            texts_kept += !b.raw[i].empty();
            expected.emplace_back(a.incidents.source_row[i], a.raw[i]);
        }
        CHECK(texts_kept == 0);
        for (const auto& u : a.unlocated)
            expected.emplace_back(u.row, u.raw);
        std::sort(expected.begin(), expected.end());
        RecordTexts texts(b.files);
        for (const auto& [key, text] : expected)
            if (const std::string_view again = texts.text(key); again != text)
            {
                INFO("row " << key << ": kept '" << text << "', read again '" << again << "'");
                FAIL("a record's text read again differs from the text kept");
            }
        // The rejected keep their text either way.
        REQUIRE(a.rejected.size() == b.rejected.size());
        for (std::size_t i = 0; i < a.rejected.size(); ++i)
            CHECK(a.rejected[i].raw == b.rejected[i].raw);
    }
}

TEST_CASE("Distinct points projected once give every record what projecting it alone gives",
          "[reader][crs]")
{
    // 30,000 records on 700 snap points, as police.uk data are: the reader projects each point
    // once. Every record must hold exactly the coordinates PROJ gives its own lon/lat.
    const fs::path dir = scratch("snap");
    std::string text = "id,longitude,latitude\n";
    std::vector<std::pair<double, double>> lonlat;
    for (int i = 0; i < 30000; ++i)
    {
        const int point = (i * 7919) % 700;
        char line[96];
        std::snprintf(line, sizeof line, "%d,%.6f,%.6f\n", i, 0.3 + 0.001 * point,
                      51.1 + 0.0007 * (point % 97));
        text += line;
    }
    write(dir / "snapped.csv", text);
    OffenceSource s;
    s.paths = {(dir / "snapped.csv").string()};
    const auto t = read_offences(s, {}, {});
    REQUIRE(t.incidents.size() == 30000);
    const Reprojector alone(wgs84(), t.target_crs);
    for (std::size_t i = 0; i < t.incidents.size(); ++i)
    {
        const int point = (static_cast<int>(i) * 7919) % 700;
        char lon[32], lat[32];
        std::snprintf(lon, sizeof lon, "%.6f", 0.3 + 0.001 * point);
        std::snprintf(lat, sizeof lat, "%.6f", 51.1 + 0.0007 * (point % 97));
        const auto p = alone.transform({std::stod(lon), std::stod(lat)});
        REQUIRE(t.incidents.x[i] == p.x);
        REQUIRE(t.incidents.y[i] == p.y);
    }

    // 30,000 records at 30,000 points, as a force's own extract: projected as they are, since a
    // table of distinct points would cost more than it saved. The same coordinates again.
    std::string exact = "id,longitude,latitude\n";
    const auto exact_point = [](int i)
    { return std::pair{0.3 + 0.00001 * (i % 173) * 13, 51.1 + 0.000007 * i}; };
    for (int i = 0; i < 30000; ++i)
    {
        char line[96];
        std::snprintf(line, sizeof line, "%d,%.6f,%.6f\n", i, exact_point(i).first,
                      exact_point(i).second);
        exact += line;
    }
    write(dir / "exact.csv", exact);
    s.paths = {(dir / "exact.csv").string()};
    const auto e = read_offences(s, {}, {});
    REQUIRE(e.incidents.size() == 30000);
    for (std::size_t i = 0; i < e.incidents.size(); ++i)
    {
        char lon[32], lat[32];
        std::snprintf(lon, sizeof lon, "%.6f", exact_point(static_cast<int>(i)).first);
        std::snprintf(lat, sizeof lat, "%.6f", exact_point(static_cast<int>(i)).second);
        const auto p = alone.transform({std::stod(lon), std::stod(lat)});
        REQUIRE(e.incidents.x[i] == p.x);
        REQUIRE(e.incidents.y[i] == p.y);
    }
}

TEST_CASE("Reading with a filter gives what filtering the whole table gives", "[reader]")
{
    OffenceFilter filter;
    filter.crime_types = {"Violence and sexual offences", "burglary"};
    OffenceSource source;
    source.paths = {demo + "2019-09-kent-street.csv", demo + "2019-11-kent-street.csv"};
    ReadOptions options;
    options.keep_raw = true;
    const auto filtered = read_offences(source, filter, options);
    const auto derived = derive_table(read_all_offences(source, options), filter, options);
    require_same(filtered, derived);
    filter.from = engine::make_month(2019, 11);
    require_same(read_offences(source, filter, options),
                 derive_table(read_all_offences(source, options), filter, options));
}

TEST_CASE("Folders, patterns and police.uk downloads, by force and by month", "[reader][inputs]")
{
    const fs::path dir = scratch("layout");
    const std::string sep = read_text_file(demo + "2019-09-kent-street.csv");
    const std::string nov = read_text_file(demo + "2019-11-kent-street.csv");
    // The bulk download's layout: a folder per month, a file per force and kind.
    write(dir / "2019-09" / "2019-09-kent-street.csv", sep);
    write(dir / "2019-11" / "2019-11-kent-street.csv", nov);
    write(dir / "2019-09" / "2019-09-essex-street.csv", sep.substr(0, sep.find('\n', 5000) + 1));
    write(dir / "2019-09" / "2019-09-kent-outcomes.csv", "not,offences\n");

    const auto kent_sep = read_with({demo + "2019-09-kent-street.csv"}, 1 << 22, 1 << 26, false);
    const auto kent_nov = read_with({demo + "2019-11-kent-street.csv"}, 1 << 22, 1 << 26, false);
    OffenceSource kent;
    kent.forces = {"Kent"};
    const auto both = read_with({dir.string()}, 1 << 22, 1 << 26, false, {}, kent);
    CHECK(both.files.size() == 2);
    CHECK(both.records_read == kent_sep.records_read + kent_nov.records_read);
    CHECK(both.incidents.size() == kent_sep.incidents.size() + kent_nov.incidents.size());
    // Records keep their file and line.
    CHECK(record_file(both.incidents.source_row.back()) == 1);
    CHECK(record_line(both.incidents.source_row.back()) == kent_nov.incidents.source_row.back());

    SECTION("--from/--to skip monthly files by name")
    {
        OffenceFilter november;
        november.from = engine::make_month(2019, 10);
        const auto t = read_with({dir.string()}, 1 << 22, 1 << 26, false, november, kent);
        CHECK(t.files.size() == 1);
        CHECK(t.files_skipped == 1);
        CHECK(t.records_read == kent_nov.records_read);
    }
    SECTION("Every force without --force; a pattern")
    {
        CHECK(read_with({dir.string()}, 1 << 22, 1 << 26, false).files.size() == 3);
        CHECK(read_with({(dir / "2019-*" / "*-kent-street.csv").string()}, 1 << 22, 1 << 26, false)
                  .files.size() == 2);
    }
    SECTION("The downloaded zip archive")
    {
        const std::string zip = (dir / "download.zip").string();
        void* handle = CPLCreateZip(zip.c_str(), nullptr);
        REQUIRE(handle);
        for (const auto& [member, text] :
             {std::pair<std::string, const std::string*>{"2019-09/2019-09-kent-street.csv", &sep},
              {"2019-11/2019-11-kent-street.csv", &nov}})
        {
            REQUIRE(CPLCreateFileInZip(handle, member.c_str(), nullptr) == CE_None);
            REQUIRE(CPLWriteFileInZip(handle, text->data(), static_cast<int>(text->size())) ==
                    CE_None);
            CPLCloseFileInZip(handle);
        }
        CPLCloseZip(handle);
        const auto z = read_with({zip}, 1 << 22, 1 << 26, false);
        CHECK(z.files.size() == 2);
        CHECK(z.records_read == both.records_read);
        CHECK(z.incidents.x == both.incidents.x);
    }
    SECTION("Rejects name the file when there are several")
    {
        OffenceSource s = kent;
        s.paths = {dir.string()};
        ReadOptions options;
        options.keep_raw = true;
        const auto t = read_offences(s, {}, options);
        const std::string csv = rejects_csv(t);
        CHECK(csv.rfind("source_file,source_row,reason,detail,Crime ID", 0) == 0);
        CHECK(csv.find("2019-11-kent-street.csv") != std::string::npos);
    }
}

TEST_CASE("Files of different layouts are each read by their own header", "[reader][inputs]")
{
    const fs::path dir = scratch("layouts");
    const std::string other = (dir / "export.csv").string();
    // A force export: other column names and order, lon/lat detected, one bad row, no line end.
    write(other, "Occurred,Offence type,lat,lon\n2019-09-03,Burglary,51.27,0.52\n"
                 "2019-09-04,Burglary,51.28\n2019-09-05,Theft,51.26,0.53");
    OffenceSource s;
    s.paths = {demo + "2019-09-kent-street.csv", other};
    ReadOptions options;
    options.keep_raw = true;
    const auto t = read_offences(s, {}, options);
    const auto kent = read_with({demo + "2019-09-kent-street.csv"}, 1 << 22, 1 << 26, true);
    CHECK(t.records_read == kent.records_read + 3);
    CHECK(t.incidents.size() == kent.incidents.size() + 2);
    CHECK(t.mixed_fields);
    CHECK_THAT(engine::join(t.warnings), Catch::Contains("export.csv: its fields differ"));
    // The truncated row is rejected with its file and line; its text comes whole.
    const std::string csv = rejects_csv(t);
    CHECK(csv.rfind("source_file,source_row,reason,detail,record\n", 0) == 0);
    CHECK_THAT(csv, Catch::Contains(other + ",3,malformed_row,\"expected 4 fields, found 3\","
                                            "\"2019-09-04,Burglary,51.28\""));
    // Crime types join by name across the files.
    CHECK(std::count(t.incidents.crime_type_names.begin(), t.incidents.crime_type_names.end(),
                     std::string("Burglary")) == 1);
}

TEST_CASE("A file that changes while it is read is refused", "[reader][inputs]")
{
    const fs::path dir = scratch("changing");
    const std::string path = (dir / "2019-09-kent-street.csv").string();
    write(path, read_text_file(demo + "2019-09-kent-street.csv"));
    OffenceSource s;
    s.paths = {path};
    ReadOptions options;
    options.batch_bytes = 1 << 16;
    bool appended = false;
    // Another program appends a record while the first batches are being read.
    options.progress = [&](double)
    {
        if (!appended)
            std::ofstream(path, std::ios::app) << "late,2019-09,x,y,-0.5,51.3,,,,,Burglary,\n";
        appended = true;
    };
    try
    {
        read_offences(s, {}, options);
        FAIL("accepted");
    }
    catch (const Error& e)
    {
        CHECK(e.code() == Errc::Io);
        CHECK_THAT(e.what(), Catch::Contains("changed while it was being read"));
    }
    CHECK(appended);
}

TEST_CASE("Inputs that hold no offences say so, naming the path", "[reader][inputs]")
{
    const fs::path dir = scratch("bad_inputs");
    fs::create_directories(dir / "empty");
    write(dir / "notes" / "readme.txt", "nothing here\n");
    write(dir / "2019-09" / "2019-09-kent-street.csv",
          read_text_file(demo + "2019-09-kent-street.csv").substr(0, 2000));
    const auto expect = [](const std::vector<std::string>& paths,
                           const std::vector<std::string>& forces, Errc code, const char* text)
    {
        try
        {
            expand_offence_inputs(paths, forces, {});
            FAIL("accepted");
        }
        catch (const Error& e)
        {
            CHECK(e.code() == code);
            CHECK_THAT(e.what(), Catch::Contains(text));
        }
    };
    expect({(dir / "empty").string()}, {}, Errc::BadData, "holds no offence files");
    expect({(dir / "notes").string()}, {}, Errc::BadData, "holds no offence files");
    expect({(dir / "nowhere").string()}, {}, Errc::Io, "no such file or folder");
    expect({(dir / "*.gpkg").string()}, {}, Errc::Io, "no file matches");
    expect({dir.string()}, {"essex"}, Errc::BadData, "forces there: kent");
    write(dir / "other.zip", "PK not really a zip");
    expect({(dir / "other.zip").string()}, {}, Errc::BadData, "other.zip");

    engine::MonthIndex month;
    std::string force;
    CHECK(parse_police_uk_name("2019-09-avon-and-somerset-street.csv", month, force));
    CHECK(force == "avon-and-somerset");
    CHECK(month == engine::make_month(2019, 9));
    CHECK_FALSE(parse_police_uk_name("2019-09-kent-outcomes.csv", month, force));
    CHECK_FALSE(parse_police_uk_name("kent-street.csv", month, force));
}

namespace
{
// The source read in shares by `readers` readers, as the ranks of an MPI job read it; `plan` may
// be changed before the readers start.
OffenceTable read_by_readers(const OffenceSource& source, int readers, std::uint64_t min_piece,
                             const ReadOptions& options, const OffenceFilter& filter = {},
                             std::size_t* readers_with_records = nullptr,
                             const std::function<void(ReadPlan&)>& change_plan = {})
{
    ReadPlan plan = plan_shares(source, filter, readers, min_piece);
    REQUIRE(plan.alone.empty());
    REQUIRE(plan.shares.size() == static_cast<std::size_t>(readers));
    if (change_plan)
        change_plan(plan);
    std::vector<ShareReader> reader(static_cast<std::size_t>(readers));
    int rounds = 0;
    const ShareExchange exchange = [&](std::vector<std::string> requests)
    {
        REQUIRE(requests.size() == reader.size());
        std::vector<std::string> answers;
        for (std::size_t r = 0; r < reader.size(); ++r)
            answers.push_back(reader[r].answer(requests[r]));
        ++rounds;
        return answers;
    };
    OffenceTable table = read_in_shares(source, plan, filter, options, exchange);
    CHECK(rounds == 3);
    if (readers_with_records)
        *readers_with_records = static_cast<std::size_t>(
            std::count_if(reader.begin(), reader.end(),
                          [](const ShareReader& r) { return r.figures().records > 0; }));
    return table;
}
} // namespace

TEST_CASE("Shares read apart and joined equal one read, for any readers and pieces",
          "[reader][shares]")
{
    const fs::path dir = scratch("shares");
    const std::string tricky = (dir / "tricky.csv").string();
    write(tricky, tricky_csv());
    OffenceSource xy;
    xy.crs = "EPSG:27700";
    xy.paths = {tricky, fixtures + "offences_xy_27700.csv"};
    OffenceSource police;
    police.paths = {demo + "2019-09-kent-street.csv", fixtures + "police_uk_quirks.csv",
                    demo + "2019-11-kent-street.csv"};
    OffenceFilter burglary;
    burglary.crime_types = {"burglary"};
    // Files in two CRSs: each file's sample is taken in longitude and latitude.
    OffenceSource mixed = xy;
    mixed.paths = {fixtures + "offences_xy_27700.csv", demo + "2019-11-kent-street.csv"};
    for (const auto& [source, filter] :
         {std::pair{xy, OffenceFilter{}}, std::pair{police, burglary},
          std::pair{police, OffenceFilter{}}, std::pair{mixed, OffenceFilter{}}})
        for (const bool keep_raw : {false, true})
        {
            ReadOptions options;
            options.keep_raw = keep_raw;
            options.text_on_demand = true; // shares keep no record text
            options.keep_unlocated = true;
            const OffenceTable one =
                derive_table(read_all_offences(source, options, filter), filter, options);
            // One reader; and two or seven, with files cut into pieces of 100 bytes or more
            // (every reader reads some of every file) or left whole.
            for (const int readers : {1, 2, 7})
                for (const std::uint64_t min_piece : {100, 1 << 30})
                {
                    INFO(source.label() << ", " << readers << " readers, pieces of at least "
                                        << min_piece << (keep_raw ? ", with text" : ""));
                    std::size_t reading = 0;
                    const OffenceTable shared = derive_table(
                        read_by_readers(source, readers, min_piece, options, filter, &reading),
                        filter, options);
                    require_same(one, shared);
                    CHECK(shared.files == one.files);
                    CHECK(shared.target_crs.wkt == one.target_crs.wkt);
                    CHECK(shared.fields_used == one.fields_used);
                    REQUIRE(shared.same_id.size() == one.same_id.size());
                    for (std::size_t k = 0; k < one.same_id.size(); ++k)
                        CHECK((shared.same_id[k].index == one.same_id[k].index &&
                               shared.same_id[k].previous == one.same_id[k].previous &&
                               shared.same_id[k].id == one.same_id[k].id));
                    // Small pieces cut the files and every reader reads some of them.
                    if (min_piece <= 100)
                        CHECK(reading == static_cast<std::size_t>(readers));
                    // The pieces of police.uk files always meet.
                    if (source.paths[0] != tricky)
                        CHECK(shared.warnings == one.warnings);
                }
        }
}

TEST_CASE("Shares choose the target CRS from the single reader's sample of records",
          "[reader][shares]")
{
    // Records 0, 10, 20... lie in UTM zone 31 (3 degrees east), the others in zone 30: a sample
    // of every tenth record chooses zone 31, any other sample zone 30.
    const fs::path dir = scratch("shares_sample");
    std::string text = "longitude,latitude\n";
    for (int i = 0; i < 211; ++i)
        text += (i % 10 == 0 ? "3." : "-3.") + std::to_string(100 + i) + ",43.5\n";
    write(dir / "spain.csv", text);
    write(dir / "more.csv", text);
    OffenceSource lonlat;
    lonlat.paths = {(dir / "spain.csv").string(), (dir / "more.csv").string()};
    ReadOptions options;
    options.crs_sample = 43; // every tenth of the 422 records
    const OffenceTable one = read_all_offences(lonlat, options);
    CHECK_THAT(one.target_crs.label(), Catch::Contains("31N"));
    // Most of the sample comes from pieces that do not start a file.
    for (const int readers : {5, 7, 9})
    {
        INFO(readers << " readers");
        const OffenceTable shared = read_by_readers(lonlat, readers, 1, options);
        CHECK(shared.target_crs.label() == one.target_crs.label());
        require_same(one, shared);
    }
}

TEST_CASE("A cut inside a quoted field is found, and the file read again whole", "[reader][shares]")
{
    const fs::path dir = scratch("shares_quoted");
    const std::string path = (dir / "long_note.csv").string();
    std::string text = "x,y,note\n520000,150000,short\n520001,150001,\"";
    for (int i = 0; i < 400; ++i)
        text += "a long note, line " + std::to_string(i) + "\n";
    text += "\"\n520002,150002,after\n";
    write(path, text);
    OffenceSource xy;
    xy.crs = "EPSG:27700";
    xy.paths = {path};
    ReadOptions options;
    options.keep_raw = true;
    options.text_on_demand = true;
    const OffenceTable one = read_all_offences(xy, options);
    REQUIRE(one.incidents.size() == 3);
    CHECK(one.incidents.source_row[2] == 404);
    // Both cuts fall inside the note: the pieces after them read its lines as records, or
    // fail on its closing quote.
    const OffenceTable shared = read_by_readers(xy, 3, 1, options);
    require_same(one, shared);
    REQUIRE(shared.warnings.size() == 1);
    CHECK_THAT(shared.warnings[0], Catch::Contains("long_note.csv: a quoted field"));
}

TEST_CASE("A share that cannot be read names its file; a bad piece gives one read's error",
          "[reader][shares]")
{
    const fs::path dir = scratch("shares_bad");
    OffenceSource source;
    source.paths = {demo + "2019-09-kent-street.csv"};
    try
    {
        read_by_readers(source, 2, 1, {}, {}, nullptr,
                        [&](ReadPlan& plan)
                        {
                            REQUIRE(plan.shares[1].size() == 1);
                            plan.shares[1][0].path = (dir / "gone.csv").string();
                        });
        FAIL("no error");
    }
    catch (const Error& e)
    {
        CHECK(e.code() == Errc::Io);
        CHECK_THAT(e.what(), Catch::Contains("gone.csv"));
    }

    // A quote left open near the end: the second piece cannot parse; the joiner reads the file
    // again and reports what one read reports.
    const std::string open_quote = (dir / "open.csv").string();
    std::string text = "x,y\n";
    for (int i = 0; i < 200; ++i)
        text += std::to_string(520000 + i) + ",150000\n";
    text += "\"520000,150000\n";
    write(open_quote, text);
    OffenceSource xy;
    xy.crs = "EPSG:27700";
    xy.paths = {open_quote};
    std::string single;
    try
    {
        read_all_offences(xy, {});
    }
    catch (const Error& e)
    {
        single = e.what();
    }
    REQUIRE_FALSE(single.empty());
    CHECK_THROWS_WITH(read_by_readers(xy, 3, 1, {}), single);
    CHECK_THAT(single, Catch::Contains("open.csv"));

    // Not CSV: one reader reads it.
    OffenceSource points;
    points.paths = {fixtures + "offences_points.geojson"};
    CHECK_THAT(plan_shares(points, {}, 3, 1).alone, Catch::Contains("not a CSV file"));
}
