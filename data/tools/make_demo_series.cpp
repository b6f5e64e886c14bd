// The synthetic demo series for `trends`, `near-repeat` and `predict`: 24 months (2018-01 to
// 2019-12) of offences resampled from the real police.uk Kent records of one district, with
// planted changes, dated to the day. Every record says it is synthetic (Context field), and so do
// the file's name and the demo's titles: the series is for trying the commands, never for
// conclusions about crime in Maidstone.
//
// What is planted (documented in data/README.md):
//   - each month: as many records as a real month of the district, resampled with replacement
//     (real snap points, crime types and streets), each given a random day of its month;
//   - Shepway (ME15): extra offences on the snap points within 300 m, from 2019-01 on, rising by 2
//     a month (2 in January 2019, 24 in December): an intensifying hot spot;
//   - Ringlestone (ME14): 25 extra offences a month within 300 m in the last three months only: a
//     new hot spot;
//   - Brenchley Gardens (town centre): 30 extra a month within 200 m until 2019-06, none after:
//     crime that patrols moved away;
//   - near repeats: each burglary is followed, with probability 0.3, by another burglary at a
//     snap point within 200 m, 1 to 10 days later (in the same month).
// Usage: make_demo_series OUT.csv SEED DISTRICT POLICE_UK.csv [POLICE_UK.csv ...] [--records N]
//   DISTRICT is the start of the LSOA names kept ("Maidstone"), or * for every record; --records
//   sets the records of the 24 months before the planted ones (default: a real month's each).
//   e.g. make_demo_series series.csv 1 Maidstone data/police_uk/2019-09-kent-street.csv
//        data/police_uk/2019-11-kent-street.csv

#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"

#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace
{
struct Record
{
    double lon = 0, lat = 0;
    std::string location, lsoa_name, crime_type;
};

// Metres between two points a few kilometres apart (equirectangular, ample at this scale).
double metres(double lon1, double lat1, double lon2, double lat2)
{
    const double rad = 3.14159265358979323846 / 180;
    const double dx = (lon2 - lon1) * std::cos(0.5 * (lat1 + lat2) * rad) * 111320.0;
    const double dy = (lat2 - lat1) * 110540.0;
    return std::hypot(dx, dy);
}

std::vector<std::size_t> within(const std::vector<Record>& pool, double lon, double lat, double m)
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < pool.size(); ++i)
        if (metres(pool[i].lon, pool[i].lat, lon, lat) <= m)
            out.push_back(i);
    if (out.empty())
        throw std::runtime_error("no snap point near a planted place");
    return out;
}
} // namespace

int main(int argc, char** argv)
try
{
    using namespace hotspot;
    if (argc < 5)
    {
        std::fprintf(stderr, "usage: make_demo_series OUT.csv SEED DISTRICT POLICE_UK.csv ...\n");
        return 2;
    }
    const std::string district = argv[3] == std::string("*") ? "" : argv[3];
    std::size_t records = 0;
    if (argc > 6 && argv[argc - 2] == std::string("--records"))
    {
        records = std::stoull(argv[argc - 1]);
        argc -= 2;
    }
    std::vector<Record> pool;
    int files = 0;
    for (int f = 4; f < argc; ++f, ++files)
    {
        const std::string text = io::read_text_file(argv[f]);
        io::CsvReader reader(text, argv[f]);
        std::vector<std::string_view> fields;
        reader.next(fields); // the header
        while (reader.next(fields))
        {
            Record r;
            if (fields.size() != 12 || fields[8].substr(0, district.size()) != district ||
                !io::parse_number(fields[4], r.lon) || !io::parse_number(fields[5], r.lat))
                continue;
            r.location = fields[6];
            r.lsoa_name = fields[8];
            r.crime_type = fields[9];
            pool.push_back(std::move(r));
        }
    }
    if (pool.empty())
        throw std::runtime_error("no located record of " + district);
    const std::size_t per_month =
        records ? records / 24 : pool.size() / static_cast<std::size_t>(files);

    std::mt19937_64 rng(std::stoull(argv[2]));
    const auto pick = [&](const std::vector<std::size_t>& from)
    { return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)]; };
    std::vector<std::size_t> everyone(pool.size());
    for (std::size_t i = 0; i < pool.size(); ++i)
        everyone[i] = i;
    const auto shepway = within(pool, 0.546110, 51.254320, 300);
    const auto ringlestone = within(pool, 0.51732, 51.286837, 300);
    const auto brenchley = within(pool, 0.520369, 51.277147, 200);

    FILE* out = std::fopen(argv[1], "w");
    if (!out)
        throw std::runtime_error(std::string("cannot write ") + argv[1]);
    std::fprintf(out, "Crime ID,Month,Date,Longitude,Latitude,Location,LSOA name,Crime type,"
                      "Context\n");
    const std::string context = "SYNTHETIC: not real crime data (make_demo_series)";
    std::size_t written = 0;
    const auto write = [&](const Record& r, engine::DayIndex day)
    {
        const std::string date = engine::format_day(day);
        std::fprintf(out, "SYN-%06zu,%s,%s,%.6f,%.6f,%s,%s,%s,%s\n", ++written,
                     date.substr(0, 7).c_str(), date.c_str(), r.lon, r.lat,
                     io::csv_quote(r.location).c_str(), io::csv_quote(r.lsoa_name).c_str(),
                     io::csv_quote(r.crime_type).c_str(), io::csv_quote(context).c_str());
    };
    for (int m = 0; m < 24; ++m)
    {
        const int year = 2018 + m / 12, month = m % 12 + 1;
        const engine::DayIndex first = engine::make_day(year, month, 1);
        const engine::DayIndex next =
            month == 12 ? engine::make_day(year + 1, 1, 1) : engine::make_day(year, month + 1, 1);
        std::uniform_int_distribution<int> day(0, next - first - 1);
        std::vector<std::size_t> chosen;
        for (std::size_t i = 0; i < per_month; ++i)
            chosen.push_back(pick(everyone));
        for (int i = 0; m >= 12 && i < 2 * (m - 11); ++i)
            chosen.push_back(pick(shepway));
        for (int i = 0; m >= 21 && i < 25; ++i)
            chosen.push_back(pick(ringlestone));
        for (int i = 0; m < 18 && i < 30; ++i)
            chosen.push_back(pick(brenchley));
        for (const std::size_t i : chosen)
        {
            const engine::DayIndex d = first + day(rng);
            write(pool[i], d);
            if (pool[i].crime_type != "Burglary" ||
                std::uniform_real_distribution<double>(0, 1)(rng) >= 0.3)
                continue;
            const engine::DayIndex later = d + std::uniform_int_distribution<int>(1, 10)(rng);
            if (later >= next)
                continue;
            std::vector<std::size_t> near;
            for (std::size_t j = 0; j < pool.size(); ++j)
                if (metres(pool[j].lon, pool[j].lat, pool[i].lon, pool[i].lat) <= 200)
                    near.push_back(j);
            Record repeat = pool[pick(near)];
            repeat.crime_type = "Burglary";
            write(repeat, later);
        }
    }
    std::fclose(out);
    std::printf("wrote %zu synthetic records (24 months of %s) to %s\n", written, district.c_str(),
                argv[1]);
    return 0;
}
catch (const std::exception& e)
{
    std::fprintf(stderr, "make_demo_series: %s\n", e.what());
    return 1;
}
