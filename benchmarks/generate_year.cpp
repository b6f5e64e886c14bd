// Offences resampled from real police.uk records, for the benchmarks. Each output row copies a
// random real record (its crime type, LSOA, location) and gives it a fresh Crime ID.
//   year:     a month of 2019; the point moved by up to about 50 m (force-wide, for the batch).
//   national: a month from 2010-12 to 2019-11; the point kept exactly (police.uk's anonymous snap
//             points) but the whole force moved by one of 70 offsets that spread copies of it
//             across England and Wales (for the scale benchmark).
// Rows without a location stay so.
// Usage: generate_year OUT.csv N [--national] POLICE_UK.csv [POLICE_UK.csv ...]

#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"

#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

int main(int argc, char** argv)
try
{
    using namespace hotspot;
    if (argc < 4)
    {
        std::fprintf(stderr, "usage: generate_year OUT.csv N POLICE_UK.csv [POLICE_UK.csv ...]\n");
        return 2;
    }
    const std::size_t n = std::stoull(argv[2]);
    const bool national = std::string(argv[3]) == "--national";
    std::vector<std::vector<std::string>> records;
    std::string header;
    for (int f = national ? 4 : 3; f < argc; ++f)
    {
        const std::string text = io::read_text_file(argv[f]);
        io::CsvReader reader(text, argv[f]);
        std::vector<std::string_view> fields;
        reader.next(fields);
        header = std::string(text.substr(reader.record_offset(), reader.record_length()));
        while (reader.next(fields))
            if (fields.size() == 12)
                records.emplace_back(fields.begin(), fields.end());
    }
    std::mt19937_64 rng(2019);
    std::uniform_int_distribution<std::size_t> pick(0, records.size() - 1);
    std::uniform_int_distribution<int> month(1, 12);
    std::uniform_real_distribution<double> jitter(-0.0007, 0.0007);
    std::uniform_int_distribution<int> national_month(0, 107);
    std::uniform_int_distribution<int> force(0, 69); // 10 x 7 offsets of half a degree
    FILE* out = std::fopen(argv[1], "w");
    if (!out)
        throw std::runtime_error(std::string("cannot write ") + argv[1]);
    std::fprintf(out, "%s\r\n", header.c_str());
    for (std::size_t i = 0; i < n; ++i)
    {
        auto r = records[pick(rng)];
        char buffer[64];
        if (national)
        {
            const int m = 2010 * 12 + 11 + national_month(rng);
            std::snprintf(buffer, sizeof buffer, "%04d-%02d", m / 12, m % 12 + 1);
        }
        else
            std::snprintf(buffer, sizeof buffer, "2019-%02d", month(rng));
        r[1] = buffer;
        if (!r[0].empty())
        {
            std::snprintf(buffer, sizeof buffer, "%016zx%016zx", i * 2654435761u, i);
            r[0] = buffer;
        }
        double lon = 0, lat = 0;
        if (io::parse_number(r[4], lon) && io::parse_number(r[5], lat))
        {
            const int f = force(rng);
            std::snprintf(buffer, sizeof buffer, "%.6f",
                          national ? lon - 0.5 * (f % 10) : lon + jitter(rng));
            r[4] = buffer;
            std::snprintf(buffer, sizeof buffer, "%.6f",
                          national ? lat + 0.5 * (f / 10) : lat + jitter(rng));
            r[5] = buffer;
        }
        for (std::size_t k = 0; k < r.size(); ++k)
            std::fprintf(out, "%s%s", k ? "," : "", io::csv_quote(r[k]).c_str());
        std::fprintf(out, "\r\n");
    }
    std::fclose(out);
    std::printf("wrote %zu records to %s\n", n, argv[1]);
    return 0;
}
catch (const std::exception& e)
{
    std::fprintf(stderr, "generate_year: %s\n", e.what());
    return 1;
}
