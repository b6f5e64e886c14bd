#include "hotspot/engine/spacetime/prospective.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/ranking.hpp"
#include "hotspot/engine/core/text.hpp"

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

std::string to_string(ProspectiveMethod method)
{
    return method == ProspectiveMethod::Kde
               ? "kde"
               : std::string(name_in(prospective_method_names, method));
}

DayIndex earliest_day(const Incidents& inc)
{
    DayIndex first = no_day;
    for (std::size_t i = 0; i < inc.size(); ++i)
        if (const auto d = effective_day(inc, i); d != no_day && (first == no_day || d < first))
            first = d;
    return first;
}

std::size_t dated_by_month(const Incidents& inc)
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < inc.size(); ++i)
        n += inc.day_of(i) == no_day && effective_day(inc, i) != no_day;
    return n;
}

DayIndex day_after(const Incidents& inc)
{
    DayIndex last = no_day;
    bool by_month = false;
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        const DayIndex d = effective_day(inc, i);
        if (d != no_day && (last == no_day || d > last))
        {
            last = d;
            by_month = inc.day_of(i) == no_day;
        }
    }
    if (last == no_day)
        throw Error(Errc::BadData, "no offence has a date: a forecast needs dated offences");
    if (!by_month)
        return last + 1;
    return first_day_of(month_of_day(last) + 1);
}

double history_days(const ProspectiveParameters& p, DayIndex day, DayIndex earliest)
{
    switch (p.method)
    {
    case ProspectiveMethod::ProMap:
    case ProspectiveMethod::Kde:
        return 7.0 * p.weeks;
    case ProspectiveMethod::Decay:
        return 3.0 * p.half_life_days;
    case ProspectiveMethod::Sepp:
    case ProspectiveMethod::Auto:
        break;
    }
    return earliest == no_day ? 0.0 : static_cast<double>(day - std::min(day, earliest));
}

Incidents offences_before(const Incidents& inc, DayIndex day)
{
    return inc.subset(
        [&](std::size_t i)
        {
            const DayIndex d = effective_day(inc, i);
            return d != no_day && d < day;
        });
}

Incidents offences_in_weeks_before(const Incidents& inc, DayIndex day, int weeks)
{
    return inc.subset(
        [&](std::size_t i)
        {
            const DayIndex d = effective_day(inc, i);
            return d != no_day && d < day && d >= day - 7 * weeks;
        });
}

std::vector<Point2> points_dated_between(const Incidents& inc, DayIndex first, DayIndex last,
                                         const std::vector<std::uint8_t>& keep)
{
    std::vector<Point2> out;
    for (std::size_t i = 0; i < inc.size(); ++i)
        if (const DayIndex d = inc.day_of(i); keep[i] && d != no_day && d >= first && d <= last)
            out.push_back({inc.x[i], inc.y[i]});
    return out;
}

SeppEvents sepp_events(const Incidents& inc, const GridSpec& grid, DayIndex day)
{
    SeppEvents out;
    std::vector<DayIndex> days;
    DayIndex first = day;
    for (std::size_t i = 0; i < inc.size(); ++i)
    {
        const DayIndex d = inc.day_of(i);
        if (d == no_day)
            continue;
        const auto c = grid.col_of(inc.x[i]), row = grid.row_of(inc.y[i]);
        if (d >= day || c < 0 || c >= grid.cols || row < 0 || row >= grid.rows)
            continue;
        out.cells.push_back(row * grid.cols + c);
        days.push_back(d);
        first = std::min(first, d);
    }
    out.times.reserve(days.size());
    for (const auto d : days)
        out.times.push_back(static_cast<double>(d - first));
    out.first = out.cells.empty() ? no_day : first;
    out.window_days = static_cast<double>(day - first);
    return out;
}

void blank_outside(std::vector<double>& values, const Raster<std::uint8_t>& mask, double nodata)
{
    for (std::size_t k = 0; k < values.size(); ++k)
        if (!mask.values[k])
            values[k] = nodata;
}

HighestCells highest_cells(const std::vector<double>& risk, double nodata, std::size_t top)
{
    HighestCells out;
    std::vector<std::pair<std::int64_t, double>> positive;
    for (std::size_t k = 0; k < risk.size(); ++k)
        if (risk[k] != nodata && risk[k] > 0)
        {
            positive.emplace_back(static_cast<std::int64_t>(k), risk[k]);
            out.total += risk[k];
        }
    for (const auto& [cell, value] : ranked_by_count(positive, top))
        out.cells.push_back(cell);
    return out;
}

std::vector<ProspectiveCandidate> prospective_candidates(const ProspectiveParameters& given)
{
    std::vector<ProspectiveCandidate> out;
    const std::pair<double, double> offsets[] = {{0, 0}, {0.5, 0}, {0, 0.5}, {0.5, 0.5}};
    for (const auto& [dx, dy] : offsets)
    {
        const std::string where = dx == 0 && dy == 0
                                      ? std::string()
                                      : ", grid moved " + std::string(dx > 0 ? "W" : "") +
                                            (dy > 0 ? "N" : "") + " half a cell";
        const auto add = [&, dx = dx, dy = dy](ProspectiveMethod method, int weeks,
                                               double half_life, const std::string& name)
        {
            ProspectiveParameters p = given;
            p.method = method;
            p.weeks = weeks;
            p.half_life_days = half_life;
            out.push_back({p, dx, dy, name + where});
        };
        for (const int weeks : {4, 8, longest_candidate_weeks})
            add(ProspectiveMethod::ProMap, weeks, given.half_life_days,
                "promap " + std::to_string(weeks) + " weeks");
        for (const double half_life : {14.0, 56.0})
            add(ProspectiveMethod::Decay, given.weeks, half_life,
                "decay half-life " + fixed(half_life, 0) + " days");
        add(ProspectiveMethod::Kde, 8, given.half_life_days, "kde of 8 weeks");
        add(ProspectiveMethod::Sepp, given.weeks, given.half_life_days, "sepp");
    }
    return out;
}

GridSpec shifted_grid(const GridSpec& grid, double dx, double dy)
{
    GridSpec out = grid;
    out.origin_x -= dx * grid.cell_m;
    out.origin_y += dy * grid.cell_m;
    out.cols += dx > 0 ? 1 : 0;
    out.rows += dy > 0 ? 1 : 0;
    return out;
}

DayIndex origin_before(DayIndex at, const Horizon& horizon, int m)
{
    if (horizon.months == 0)
        return at - m * horizon.days;
    const MonthIndex month = month_of_day(at);
    const MonthIndex target = month - m * horizon.months;
    return std::min(first_day_of(target) + (at - first_day_of(month)),
                    first_day_of(target + 1) - 1);
}

} // namespace hotspot::engine
