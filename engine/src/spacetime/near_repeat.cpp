#include "hotspot/engine/spacetime/near_repeat.hpp"

#include "hotspot/engine/core/error.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <random>
#include <unordered_map>

namespace hotspot::engine
{

namespace
{
std::string metres_text(double m)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", m);
    return buffer;
}

struct ClosePair
{
    std::uint32_t a, b;
    std::uint8_t space;
};

// A uniform integer in [0, n) from 64 random bits, the same on every platform (Lemire's method
// with rejection).
std::uint64_t bounded(std::mt19937_64& rng, std::uint64_t n)
{
    const std::uint64_t threshold = (0 - n) % n;
    for (;;)
    {
        const std::uint64_t r = rng();
        const __uint128_t m = static_cast<__uint128_t>(r) * n;
        if (static_cast<std::uint64_t>(m) >= threshold)
            return static_cast<std::uint64_t>(m >> 64);
    }
}
} // namespace

KnoxTable knox_test(const Incidents& inc, const KnoxOptions& o, const RunContext& context)
{
    const auto ascending_from_zero = [](const auto& edges)
    {
        if (edges.empty() || edges.front() != 0)
            return false;
        for (std::size_t i = 1; i < edges.size(); ++i)
            if (!(edges[i] > edges[i - 1]))
                return false;
        return true;
    };
    if (!ascending_from_zero(o.space_edges) || o.space_edges.size() < 2 ||
        !std::isfinite(o.space_edges.back()) || o.space_edges.size() > 200)
        throw Error(Errc::Usage, "space bands must ascend from 0, e.g. 0,100,200,300,400");
    if (!ascending_from_zero(o.time_edges) || o.time_edges.size() < 2 ||
        o.time_edges.back() > 100000)
        throw Error(Errc::Usage, "time bands must ascend from 0, e.g. 0,7,14,21,28");
    if (o.permutations < 1 || o.permutations > 1000000)
        throw Error(Errc::Usage, "permutations must lie between 1 and 1,000,000");
    const std::size_t n = inc.size();
    if (n < 2)
        throw Error(Errc::BadData, "the Knox test needs 2 offences or more");
    if (n > 0xffffffffu)
        throw Error(Errc::BadData, "too many offences for the Knox test");
    for (std::size_t i = 0; i < n; ++i)
        if (inc.day_of(i) == no_day)
            throw Error(Errc::BadData, "an offence without a day: the Knox test needs every "
                                       "offence dated to the day");

    KnoxTable t;
    t.space_labels.push_back("same location");
    for (std::size_t k = 1; k < o.space_edges.size(); ++k)
        t.space_labels.push_back(metres_text(k == 1 ? 1 : o.space_edges[k - 1] + 1) + " to " +
                                 metres_text(o.space_edges[k]) + " m");
    t.space_labels.push_back("more than " + metres_text(o.space_edges.back()) + " m");
    for (std::size_t k = 1; k < o.time_edges.size(); ++k)
        t.time_labels.push_back(std::to_string(k == 1 ? 0 : o.time_edges[k - 1] + 1) + " to " +
                                std::to_string(o.time_edges[k]) + " days");
    t.time_labels.push_back("more than " + std::to_string(o.time_edges.back()) + " days");
    const std::size_t S = t.space_labels.size(), T = t.time_labels.size();
    t.offences = static_cast<std::int64_t>(n);
    t.pairs = static_cast<std::int64_t>(n) * static_cast<std::int64_t>(n - 1) / 2;
    t.permutations = o.permutations;

    // Time band of a gap in days: a table up to the last edge, then "more than".
    const int max_days = o.time_edges.back();
    std::vector<std::uint8_t> time_band(static_cast<std::size_t>(max_days) + 1);
    for (int d = 0, k = 1; d <= max_days; ++d)
    {
        while (d > o.time_edges[static_cast<std::size_t>(k)])
            ++k;
        time_band[static_cast<std::size_t>(d)] = static_cast<std::uint8_t>(k - 1);
    }

    // Close pairs (within the last space edge), once: a grid of cells of that size.
    const double reach = o.space_edges.back();
    const auto space_band = [&](double dx, double dy) -> int
    {
        const double d = o.metric == DistanceMetric::Manhattan ? std::abs(dx) + std::abs(dy)
                                                               : std::hypot(dx, dy);
        if (d == 0)
            return 0;
        for (std::size_t k = 1; k < o.space_edges.size(); ++k)
            if (d <= o.space_edges[k])
                return static_cast<int>(k);
        return -1;
    };
    const double cell = reach > 0 ? reach : 1.0;
    const auto cell_of = [&](std::size_t i)
    {
        return std::pair<std::int64_t, std::int64_t>{
            static_cast<std::int64_t>(std::floor(inc.y[i] / cell)),
            static_cast<std::int64_t>(std::floor(inc.x[i] / cell))};
    };
    // Offences relabelled in the order of their cells: a pair's two offences then lie close in
    // memory, which is what the permutations' inner loop reads. Shuffling the days among the
    // labels is the same test.
    std::vector<std::uint32_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = static_cast<std::uint32_t>(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return cell_of(a) < cell_of(b); });
    std::vector<std::uint32_t> label(n);
    for (std::size_t l = 0; l < n; ++l)
        label[order[l]] = static_cast<std::uint32_t>(l);
    std::unordered_map<std::int64_t, std::vector<std::uint32_t>> grid;
    const auto key = [](std::int64_t cy, std::int64_t cx)
    { return (cx << 32) ^ (cy & 0xffffffff); };
    for (std::size_t i = 0; i < n; ++i)
    {
        const auto [cy, cx] = cell_of(i);
        grid[key(cy, cx)].push_back(static_cast<std::uint32_t>(i));
    }
    tbb::enumerable_thread_specific<std::vector<ClosePair>> found;
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, n, 4096),
        [&](const tbb::blocked_range<std::size_t>& range)
        {
            auto& out = found.local();
            for (std::size_t l = range.begin(); l != range.end(); ++l)
            {
                const std::size_t i = order[l];
                const auto [cy, cx] = cell_of(i);
                for (std::int64_t dy = -1; dy <= 1; ++dy)
                    for (std::int64_t dx = -1; dx <= 1; ++dx)
                    {
                        const auto it = grid.find(key(cy + dy, cx + dx));
                        if (it == grid.end())
                            continue;
                        for (const std::uint32_t j : it->second)
                        {
                            if (label[j] <= l)
                                continue;
                            const int s = space_band(inc.x[j] - inc.x[i], inc.y[j] - inc.y[i]);
                            if (s >= 0)
                                out.push_back({static_cast<std::uint32_t>(l), label[j],
                                               static_cast<std::uint8_t>(s)});
                        }
                    }
            }
        });
    std::vector<ClosePair> close;
    for (auto& part : found)
        close.insert(close.end(), part.begin(), part.end());
    std::vector<std::int64_t> space_totals(S, 0);
    for (const ClosePair& p : close)
        ++space_totals[p.space];
    t.close_pairs = static_cast<std::int64_t>(close.size());
    context.report(0.05);

    // Every pair's time band, whatever the places: from the sorted days, by two pointers per edge.
    // Permuting the dates keeps this, as it keeps each space band's total.
    std::vector<std::int32_t> days(n);
    for (std::size_t l = 0; l < n; ++l)
        days[l] = inc.day_of(order[l]);
    std::vector<std::int32_t> sorted = days;
    std::sort(sorted.begin(), sorted.end());
    const auto pairs_within = [&](std::int64_t gap)
    {
        std::int64_t count = 0;
        for (std::size_t j = 0, i = 0; j < n; ++j)
        {
            while (sorted[j] - sorted[i] > gap)
                ++i;
            count += static_cast<std::int64_t>(j - i);
        }
        return count;
    };
    std::vector<std::int64_t> time_totals(T, 0);
    std::int64_t below = 0;
    for (std::size_t k = 1; k < o.time_edges.size(); ++k)
    {
        const std::int64_t within = pairs_within(o.time_edges[k]);
        time_totals[k - 1] = within - below;
        below = within;
    }
    time_totals[T - 1] = t.pairs - below;

    // Tables of `count` assignments of days at once: the close pairs (tens of megabytes at force
    // scale) are streamed once for all of them, and each table's far row follows from the totals.
    constexpr int block = 8;
    const auto tables_of =
        [&](const std::vector<std::int32_t>* day_of, int count, std::vector<std::int64_t>* out)
    {
        for (int b = 0; b < count; ++b)
            std::fill(out[b].begin(), out[b].end(), 0);
        // Only the gaps within the last day edge are counted: most pairs lie further apart in
        // time, and each space band's far column is its total less the rest.
        for (const ClosePair& p : close)
        {
            const std::size_t row = p.space * T;
            for (int b = 0; b < count; ++b)
            {
                const std::int32_t gap = std::abs(day_of[b][p.a] - day_of[b][p.b]);
                if (gap <= max_days)
                    ++out[b][row + time_band[static_cast<std::size_t>(gap)]];
            }
        }
        for (int b = 0; b < count; ++b)
            for (std::size_t s = 0; s + 1 < S; ++s)
            {
                std::int64_t near = 0;
                for (std::size_t time = 0; time + 1 < T; ++time)
                    near += out[b][s * T + time];
                out[b][s * T + T - 1] = space_totals[s] - near;
            }
        for (int b = 0; b < count; ++b)
            for (std::size_t time = 0; time < T; ++time)
            {
                std::int64_t near = 0;
                for (std::size_t s = 0; s + 1 < S; ++s)
                    near += out[b][s * T + time];
                out[b][(S - 1) * T + time] = time_totals[time] - near;
            }
    };
    t.observed.assign(S * T, 0);
    tables_of(&days, 1, &t.observed);

    // Permutations: each with its own generator seeded by (seed, permutation), so that the result
    // does not depend on the threads; a task takes a block of them.
    struct Tally
    {
        std::vector<double> sum;
        std::vector<std::int64_t> at_least;
        std::vector<std::vector<std::int64_t>> tables;
        std::vector<std::vector<std::int32_t>> shuffled;
    };
    tbb::enumerable_thread_specific<Tally> tallies(
        [&]
        {
            return Tally{
                std::vector<double>(S * T, 0.0), std::vector<std::int64_t>(S * T, 0),
                std::vector<std::vector<std::int64_t>>(block, std::vector<std::int64_t>(S * T, 0)),
                std::vector<std::vector<std::int32_t>>(block)};
        });
    std::atomic<int> done{0};
    const int blocks = (o.permutations + block - 1) / block;
    tbb::parallel_for(0, blocks,
                      [&](int first_block)
                      {
                          Tally& tally = tallies.local();
                          const int first = first_block * block;
                          const int count = std::min(block, o.permutations - first);
                          for (int b = 0; b < count; ++b)
                          {
                              std::seed_seq seq{static_cast<std::uint32_t>(o.seed),
                                                static_cast<std::uint32_t>(o.seed >> 32),
                                                static_cast<std::uint32_t>(first + b)};
                              std::mt19937_64 rng(seq);
                              auto& shuffled = tally.shuffled[static_cast<std::size_t>(b)];
                              shuffled = days;
                              for (std::size_t i = n - 1; i > 0; --i)
                                  std::swap(shuffled[i], shuffled[bounded(rng, i + 1)]);
                          }
                          tables_of(tally.shuffled.data(), count, tally.tables.data());
                          for (int b = 0; b < count; ++b)
                              for (std::size_t k = 0; k < S * T; ++k)
                              {
                                  const std::int64_t c =
                                      tally.tables[static_cast<std::size_t>(b)][k];
                                  tally.sum[k] += static_cast<double>(c);
                                  tally.at_least[k] += c >= t.observed[k];
                              }
                          context.report(0.05 + 0.95 * (done += count) / o.permutations);
                      });
    // Sums of whole counts: exact in any order while below 2^53.
    t.expected.assign(S * T, 0.0);
    std::vector<std::int64_t> at_least(S * T, 0);
    for (const Tally& tally : tallies)
        for (std::size_t k = 0; k < S * T; ++k)
        {
            t.expected[k] += tally.sum[k];
            at_least[k] += tally.at_least[k];
        }
    t.p_value.resize(S * T);
    for (std::size_t k = 0; k < S * T; ++k)
    {
        t.expected[k] /= o.permutations;
        t.p_value[k] = static_cast<double>(1 + at_least[k]) / (1.0 + o.permutations);
    }
    return t;
}

std::vector<std::string> describe_near_repeats(const KnoxTable& t, double alpha,
                                               const std::string& what)
{
    const std::size_t S = t.space_labels.size(), T = t.time_labels.size();
    const auto raised = [&](std::size_t s, std::size_t time)
    {
        const std::size_t k = t.index(s, time);
        return t.p_value[k] <= alpha && t.knox_ratio(k) > 1.0;
    };
    const auto ratio_text = [&](std::size_t k)
    {
        char buffer[96];
        std::snprintf(buffer, sizeof buffer, "%.2f times the pairs chance gives (p = %.3g)",
                      t.knox_ratio(k), t.p_value[k]);
        return std::string(buffer);
    };
    // The range bands first..last span: "0 to 14 days" from "0 to 7 days" and "8 to 14 days".
    const auto span = [](const std::vector<std::string>& labels, std::size_t first, std::size_t last)
    {
        return labels[first].substr(0, labels[first].find(" to ")) + " to " +
               labels[last].substr(labels[last].find(" to ") + 4);
    };
    const auto bands = [](const std::vector<std::string>& labels, std::size_t first,
                          std::size_t last)
    {
        return first == last ? "the band " + labels[first] + " is"
                             : "every band from " + labels[first] + " to " + labels[last] + " is";
    };
    std::vector<std::string> lines;
    // Repeats at the same place: the longest run of raised time bands from the first.
    std::size_t same = 0;
    while (same + 1 < T && raised(0, same))
        ++same;
    if (same > 0)
        lines.push_back("Repeats: " + what + " at the same place as another (" +
                        t.space_labels[0] + "), " + span(t.time_labels, 0, same - 1) +
                        " after it, happened more often than chance (" +
                        bands(t.time_labels, 0, same - 1) + " raised); in " + t.time_labels[0] +
                        ", " + ratio_text(t.index(0, 0)) + ".");
    // Near repeats: the widest space band and the longest time band raised from the nearest.
    std::size_t far = 1;
    while (far + 1 < S && raised(far, 0))
        ++far;
    std::size_t late = 0;
    while (late + 1 < T && raised(1, late))
        ++late;
    if (far > 1 && late > 0)
        lines.push_back("Near repeats: " + what + " " + span(t.space_labels, 1, far - 1) +
                        " from another and " + span(t.time_labels, 0, late - 1) +
                        " after it happened more often than chance: in the nearest band (" +
                        t.space_labels[1] + ", " + t.time_labels[0] + ") " +
                        ratio_text(t.index(1, 0)) +
                        ". Extra patrols or crime prevention advice around a new offence is "
                        "warranted for that distance and time.");
    if (lines.empty())
        lines.push_back("No near-repeat pattern: no close band pair holds significantly more "
                        "pairs than chance (p <= " +
                        std::to_string(alpha).substr(0, 4) + ").");
    return lines;
}

} // namespace hotspot::engine
