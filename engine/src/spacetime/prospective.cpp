#include "hotspot/engine/spacetime/prospective.hpp"

#include "hotspot/engine/core/error.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>

namespace hotspot::engine
{

DayIndex effective_day(const Incidents& inc, std::size_t i)
{
    if (inc.day_of(i) != no_day)
        return inc.day_of(i);
    if (inc.month[i] != no_month)
        return make_day(year_of(inc.month[i]), month_of(inc.month[i]), 15);
    return no_day;
}

Raster<double> promap_surface(const Incidents& inc, const GridSpec& g, const ProMapOptions& o,
                              const RunContext& context)
{
    if (!(o.band_m > 0) || !std::isfinite(o.band_m))
        throw Error(Errc::Usage, "the ProMap band must be a positive number of metres");
    if (o.weeks < 1)
        throw Error(Errc::Usage, "ProMap needs at least 1 week of offences");
    // The offences that count, by their cell (which may lie off the grid, within reach of it).
    struct Source
    {
        std::int64_t col, row;
        double weight; ///< the offence's weight over (1 + t)
    };
    std::vector<Source> sources;
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        const DayIndex day = effective_day(inc, i);
        if (day == no_day || day > o.reference)
            continue;
        const std::int64_t weeks = (static_cast<std::int64_t>(o.reference) - day) / 7;
        if (weeks >= o.weeks)
            continue;
        sources.push_back({g.col_of(inc.x[i]), g.row_of(inc.y[i]),
                           inc.weight_of(i) / (1.0 + static_cast<double>(weeks))});
    }
    // By row, then column: each output row reads the sources of the rows within reach, in one
    // fixed order, so the sums are the same for any thread count.
    std::stable_sort(sources.begin(), sources.end(),
                     [](const Source& a, const Source& b)
                     { return a.row != b.row ? a.row < b.row : a.col < b.col; });
    const double r_cells = o.band_m / g.cell_m;
    const auto reach = static_cast<std::int64_t>(std::floor(r_cells + 1e-9));
    Raster<double> out(g, 0.0);
    tbb::parallel_for(std::int64_t{0}, g.rows,
                      [&](std::int64_t row)
                      {
                          const auto first = std::lower_bound(
                              sources.begin(), sources.end(), row - reach,
                              [](const Source& s, std::int64_t r) { return s.row < r; });
                          for (auto s = first; s != sources.end() && s->row <= row + reach; ++s)
                          {
                              const auto dy = static_cast<double>(s->row - row);
                              for (std::int64_t col = std::max<std::int64_t>(0, s->col - reach);
                                   col <= std::min(g.cols - 1, s->col + reach); ++col)
                              {
                                  const double d =
                                      std::hypot(static_cast<double>(col - s->col), dy);
                                  if (d <= r_cells + 1e-9)
                                      out.at(col, row) += s->weight / (1.0 + d);
                              }
                          }
                      });
    context.report(1.0);
    return out;
}

Incidents time_decayed(const Incidents& inc, DayIndex reference, double half_life_days)
{
    if (!(half_life_days > 0) || !std::isfinite(half_life_days))
        throw Error(Errc::Usage, "the half-life must be a positive number of days");
    Incidents out;
    out.crime_type_names = inc.crime_type_names;
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        const DayIndex day = effective_day(inc, i);
        if (day == no_day || day > reference)
            continue;
        out.add_from(inc, i);
        out.set_weight(out.size() - 1,
                       inc.weight_of(i) *
                           std::exp2(-static_cast<double>(reference - day) / half_life_days));
    }
    return out;
}

} // namespace hotspot::engine
