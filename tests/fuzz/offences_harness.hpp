#pragma once

// The offence readers under fuzzing: an input is read whole, then again in small chunks and
// batches, and checked for the reader's two promises: every record is accounted for (used, kept
// unlocated, or rejected with a reason), and the result does not depend on how the file was split.

#include "fuzz_support.hpp"

#include "hotspot/io/offences.hpp"

namespace hotspot::fuzz
{

inline void check(bool ok, const char* promise)
{
    if (!ok)
    {
        std::fprintf(stderr, "broken promise: %s\n", promise);
        std::abort();
    }
}

inline io::OffenceTable read_split(const io::OffenceSource& source, std::size_t chunk,
                                   std::size_t batch, bool keep_raw)
{
    io::ReadOptions options;
    options.target_crs = "EPSG:27700";
    options.keep_raw = keep_raw;
    options.keep_unlocated = true;
    options.chunk_bytes = chunk;
    options.batch_bytes = batch;
    return io::read_all_offences(source, options);
}

/// A source naming every optional field: date, type, id, weight and beat.
inline io::OffenceSource with_every_field()
{
    io::OffenceSource source;
    source.date_field = "date";
    source.type_field = "type";
    source.id_field = "id";
    source.weight_field = "weight";
    source.code_field = "beat";
    return source;
}

/// Reads `text` as the file `name` with `source`'s fields, and checks the promises above.
inline void fuzz_offences(std::string_view text, const std::string& name, io::OffenceSource source,
                          bool split)
{
    source.paths = {write_input(text, name)};
    expect_clean_refusal(
        [&]
        {
            const auto whole = read_split(source, 4u << 20, 64u << 20, true);
            check(whole.records_read == static_cast<std::int64_t>(whole.incidents.size()) +
                                            static_cast<std::int64_t>(whole.unlocated.size()) +
                                            whole.rejected_count(),
                  "records read = used + unlocated + rejected");
            io::rejects_csv(whole);
            if (split)
            {
                // Small pieces cross every record boundary the file has.
                const std::size_t chunk = 7 + text.size() % 13, batch = 64 + text.size() % 97;
                const auto pieces = read_split(source, chunk, batch, false);
                if (pieces.records_read != whole.records_read)
                    std::fprintf(stderr, "records read: %lld whole, %lld in pieces of %zu/%zu\n",
                                 static_cast<long long>(whole.records_read),
                                 static_cast<long long>(pieces.records_read), chunk, batch);
                check(pieces.records_read == whole.records_read, "same records for any split");
                check(pieces.incidents.size() == whole.incidents.size(),
                      "same incidents for any split");
                for (std::size_t i = 0; i < whole.incidents.size(); ++i)
                    check(pieces.incidents.source_row[i] == whole.incidents.source_row[i] &&
                              pieces.incidents.x[i] == whole.incidents.x[i] &&
                              pieces.incidents.y[i] == whole.incidents.y[i] &&
                              pieces.incidents.month[i] == whole.incidents.month[i],
                          "same incidents for any split");
            }
            io::OffenceFilter filter;
            filter.from = io::parse_month("2019-09");
            filter.to = io::parse_month("2019-10");
            filter.crime_types = {"Burglary", "Anti-social behaviour"};
            io::ReadOptions options;
            options.keep_raw = true;
            options.keep_unlocated = true;
            const auto derived = io::derive_table(whole, filter, options);
            check(derived.records_read == whole.records_read,
                  "a derived table accounts for every record");
        });
}

} // namespace hotspot::fuzz
