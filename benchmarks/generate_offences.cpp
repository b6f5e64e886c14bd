// Writes n seeded clustered offences around Maidstone in two formats:
//   OUT_xy.csv        id,x,y,weight in EPSG:27700
//   OUT_police_uk.csv the same points as a police.uk street-level CSV in WGS 84 longitude/latitude
// Usage: generate_offences N OUT_PREFIX [SEED]

#include "hotspot/io/crs.hpp"

#include "generators.hpp"

#include <cstdio>
#include <string>

int main(int argc, char** argv)
{
    using namespace hotspot;
    if (argc < 3)
    {
        std::fprintf(stderr, "usage: generate_offences N OUT_PREFIX [SEED]\n");
        return 2;
    }
    const std::size_t n = std::stoull(argv[1]);
    const std::string prefix = argv[2];
    const std::uint64_t seed = argc > 3 ? std::stoull(argv[3]) : 12345;
    const auto inc = testsupport::make_clustered_incidents(
        seed, n, testsupport::maidstone_like_clusters(), 566000, 145800, 586000, 165800);
    std::vector<double> lon(inc.x), lat(inc.y);
    io::Reprojector(io::parse_crs("EPSG:27700"), io::wgs84()).transform(lon, lat);

    const char* types[] = {"Anti-social behaviour",
                           "Violence and sexual offences",
                           "Criminal damage and arson",
                           "Shoplifting",
                           "Other theft",
                           "Burglary",
                           "Vehicle crime",
                           "Public order"};
    FILE* xy = std::fopen((prefix + "_xy.csv").c_str(), "w");
    FILE* police = std::fopen((prefix + "_police_uk.csv").c_str(), "w");
    if (!xy || !police)
    {
        std::fprintf(stderr, "cannot write %s_*.csv\n", prefix.c_str());
        return 4;
    }
    std::fprintf(xy, "id,x,y,weight\n");
    std::fprintf(
        police,
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
        "Crime type,Last outcome category,Context\r\n");
    for (std::size_t i = 0; i < n; ++i)
    {
        std::fprintf(xy, "%zu,%.2f,%.2f,%g\n", i + 1, inc.x[i], inc.y[i], inc.weight_of(i));
        const char* type = types[i % 8];
        const bool asb = i % 8 == 0;
        // police.uk ids are 64 hex digits; ASB rows have none.
        char id[80] = "";
        if (!asb)
            std::snprintf(id, sizeof id, "%016zx%016zx%016zx%016zx", i * 2654435761u, i, seed, n);
        std::fprintf(
            police,
            "%s,2019-09,Kent Police,Kent Police,%.6f,%.6f,On or near Synthetic Street,E01024389,"
            "Maidstone 004A,%s,%s,\r\n",
            id, lon[i], lat[i], type, asb ? "" : "Under investigation");
    }
    std::fclose(xy);
    std::fclose(police);
    std::printf("wrote %zu offences to %s_xy.csv and %s_police_uk.csv\n", n, prefix.c_str(),
                prefix.c_str());
    return 0;
}
