#include "generators.hpp"

#include <cstdlib>
#include <numeric>
#include <random>
#include <string>

namespace hotspot::testsupport
{

std::uint64_t test_seed()
{
    if (const char* text = std::getenv("HOTSPOT_TEST_SEED"))
        return std::stoull(text);
    return 12345;
}

engine::Incidents make_clustered_incidents(std::uint64_t seed, std::size_t n,
                                           const std::vector<Cluster>& clusters, double xmin,
                                           double ymin, double xmax, double ymax, double background,
                                           bool random_weights)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> ux(xmin, xmax), uy(ymin, ymax), unit(0.0, 1.0),
        uw(0.5, 3.0);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<double> cumulative;
    double total = 0;
    for (const auto& c : clusters)
        cumulative.push_back(total += c.share);

    engine::Incidents inc;
    inc.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
    {
        double x, y;
        if (clusters.empty() || unit(rng) < background)
        {
            x = ux(rng);
            y = uy(rng);
        }
        else
        {
            const double pick = unit(rng) * total;
            std::size_t k = 0;
            while (k + 1 < clusters.size() && cumulative[k] < pick)
                ++k;
            x = clusters[k].x + clusters[k].sigma_m * normal(rng);
            y = clusters[k].y + clusters[k].sigma_m * normal(rng);
        }
        inc.add(x, y, random_weights ? uw(rng) : 1.0, engine::no_month, -1,
                static_cast<std::int64_t>(i) + 2);
    }
    return inc;
}

std::vector<Cluster> maidstone_like_clusters()
{
    return {{576000, 155800, 300, 5},   // town centre
            {578200, 153600, 500, 2},   // Shepway
            {575600, 157200, 400, 1.5}, // Ringlestone
            {573000, 152000, 800, 1},
            {581000, 159000, 1200, 1}};
}

} // namespace hotspot::testsupport
