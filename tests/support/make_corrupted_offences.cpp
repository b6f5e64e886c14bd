// Makes a police.uk-style CSV whose beat codes and locations are corrupted in known ways, to
// measure how well `hotspot reconcile` recovers the truth. From real records: each located record's
// true beat is the beat polygon its location lies in; then a seeded share of records gets a wrong
// code (typo, transposed characters, a legacy code, a neighbouring beat, a blank) and another share
// a wrong location (a default point such as a police station, or longitude and latitude swapped).
// Two columns record the truth: true_beat and corruption.
//
// Usage: make_corrupted_offences POLICE_UK.csv BEATS_FILE BEAT_CODE_FIELD OUT.csv ALIASES.csv
//                                [SEED] [CODE_SHARE] [LOCATION_SHARE]

#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/areas.hpp"
#include "hotspot/io/crs.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>

using namespace hotspot;

int main(int argc, char** argv)
try
{
    if (argc < 6)
    {
        std::fprintf(stderr, "usage: make_corrupted_offences POLICE_UK.csv BEATS BEAT_CODE_FIELD "
                             "OUT.csv ALIASES.csv "
                             "[SEED] [CODE_SHARE] [LOCATION_SHARE]\n");
        return 2;
    }
    const std::string source = argv[1], beats_path = argv[2], code_field = argv[3],
                      out_path = argv[4], aliases_path = argv[5];
    const std::uint64_t seed = argc > 6 ? std::stoull(argv[6]) : 12345;
    const double code_share = argc > 7 ? std::stod(argv[7]) : 0.2;
    const double location_share = argc > 8 ? std::stod(argv[8]) : 0.05;

    const io::Crs bng = io::parse_crs("EPSG:27700");
    const io::AreaLayer beats = io::read_areas(beats_path, "", bng);
    const std::vector<std::string> codes =
        io::field_values(beats, io::field_index(beats, code_field, "code field"));
    const engine::AreaIndex index(io::shapes(beats));
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);

    // Neighbours: beats found just beyond each vertex of a beat.
    std::vector<std::vector<std::int32_t>> neighbours(codes.size());
    for (std::size_t a = 0; a < codes.size(); ++a)
    {
        std::set<std::int32_t> found;
        for (const auto& polygon : index.shape(a))
            for (const auto& v : polygon.outer)
                for (const auto& [dx, dy] :
                     {std::pair{3.0, 0.0}, {-3.0, 0.0}, {0.0, 3.0}, {0.0, -3.0}})
                {
                    const auto b = index.locate({v.x + dx, v.y + dy});
                    if (b >= 0 && static_cast<std::size_t>(b) != a)
                        found.insert(b);
                }
        neighbours[a].assign(found.begin(), found.end());
    }
    // Legacy codes: three beats in ten were renumbered; old records still carry the old code.
    std::map<std::int32_t, std::string> legacy;
    std::ofstream aliases(aliases_path);
    aliases << "old_code,new_code\n";
    for (std::size_t a = 0; a < codes.size(); ++a)
        if (unit(rng) < 0.3)
        {
            legacy[static_cast<std::int32_t>(a)] =
                "OLD-" + codes[a].substr(codes[a].size() > 4 ? codes[a].size() - 4 : 0);
            aliases << legacy[static_cast<std::int32_t>(a)] << "," << codes[a] << "\n";
        }

    // Default points where failed geocodes land: a police station and two town centroids.
    const std::vector<std::pair<double, double>> default_points{
        {0.5254, 51.2751}, {0.5300, 51.2600}, {0.5400, 51.2450}};

    const std::string text = io::read_text_file(source);
    io::CsvReader reader(text, source);
    std::vector<std::string_view> fields;
    reader.next(fields);
    const std::vector<std::string> header(fields.begin(), fields.end());
    const auto column = [&](const char* name)
    {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (header[i] == name)
                return i;
        throw Error(Errc::Usage, source + ": no column " + name);
    };
    const std::size_t lon_col = column("Longitude"), lat_col = column("Latitude");
    const io::Reprojector to_bng(io::wgs84(), bng);

    std::ofstream out(out_path);
    for (const auto& h : header)
        out << io::csv_quote(h) << ",";
    out << "Beat code,true_beat,corruption\n";
    std::map<std::string, int> tally;
    while (reader.next(fields))
    {
        if (fields.size() != header.size())
            continue;
        double lon = 0, lat = 0;
        if (!io::parse_number(fields[lon_col], lon) || !io::parse_number(fields[lat_col], lat))
            continue;
        const auto p = to_bng.transform({lon, lat});
        const std::int32_t beat = index.locate(p);
        if (beat < 0)
            continue; // only records inside the beat layer
        std::string code = codes[static_cast<std::size_t>(beat)];
        std::string corruption = "none";
        std::vector<std::string> values(fields.begin(), fields.end());
        const double draw = unit(rng);
        if (draw < code_share)
        {
            const double kind = unit(rng);
            const auto digits = [&]
            {
                std::vector<std::size_t> at;
                for (std::size_t i = 0; i < code.size(); ++i)
                    if (std::isdigit(static_cast<unsigned char>(code[i])))
                        at.push_back(i);
                return at;
            }();
            if (kind < 0.25 && !digits.empty())
            {
                const std::size_t i = digits[static_cast<std::size_t>(
                    unit(rng) * static_cast<double>(digits.size()))];
                code[i] = static_cast<char>(
                    '0' + (code[i] - '0' + 1 + static_cast<int>(unit(rng) * 9)) % 10);
                corruption = "typo";
            }
            else if (kind < 0.45)
            {
                std::vector<std::size_t> swappable;
                for (std::size_t i = 0; i + 1 < code.size(); ++i)
                    if (code[i] != code[i + 1])
                        swappable.push_back(i);
                if (!swappable.empty())
                {
                    const std::size_t i = swappable[static_cast<std::size_t>(
                        unit(rng) * static_cast<double>(swappable.size()))];
                    std::swap(code[i], code[i + 1]);
                    corruption = "transposed";
                }
            }
            else if (kind < 0.65 && legacy.count(beat))
            {
                code = legacy[beat];
                corruption = "legacy";
            }
            else if (kind < 0.85 && !neighbours[static_cast<std::size_t>(beat)].empty())
            {
                const auto& n = neighbours[static_cast<std::size_t>(beat)];
                code = codes[static_cast<std::size_t>(
                    n[static_cast<std::size_t>(unit(rng) * static_cast<double>(n.size()))])];
                corruption = "neighbour";
            }
            else
            {
                code.clear();
                corruption = "blank";
            }
        }
        else if (draw < code_share + location_share)
        {
            char buffer[32];
            if (unit(rng) < 0.6)
            {
                const auto& d = default_points[static_cast<std::size_t>(unit(rng) * 3.0)];
                std::snprintf(buffer, sizeof buffer, "%.6f", d.first);
                values[lon_col] = buffer;
                std::snprintf(buffer, sizeof buffer, "%.6f", d.second);
                values[lat_col] = buffer;
                corruption = "default_point";
            }
            else
            {
                std::swap(values[lon_col], values[lat_col]);
                corruption = "swapped_axes";
            }
        }
        ++tally[corruption];
        for (const auto& v : values)
            out << io::csv_quote(v) << ",";
        out << io::csv_quote(code) << "," << codes[static_cast<std::size_t>(beat)] << ","
            << corruption << "\n";
    }
    for (const auto& [kind, count] : tally)
        std::printf("%s %d\n", kind.c_str(), count);
    return 0;
}
catch (const std::exception& e)
{
    std::fprintf(stderr, "make_corrupted_offences: %s\n", e.what());
    return 1;
}
