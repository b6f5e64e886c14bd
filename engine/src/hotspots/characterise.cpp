#include "hotspot/engine/hotspots/characterise.hpp"
#include "hotspot/engine/core/ranking.hpp"

#include <unordered_map>

namespace hotspot::engine
{

RegionCharacter characterise_regions(const Regions& regions, const Raster<double>& surface,
                                     const Raster<std::uint8_t>& study, const Incidents& incidents)
{
    const GridSpec& grid = surface.grid;
    RegionCharacter out;
    out.regions.resize(static_cast<std::size_t>(regions.count));
    for (std::size_t i = 0; i < incidents.size(); ++i)
    {
        const auto c = grid.col_of(incidents.x[i]), row = grid.row_of(incidents.y[i]);
        if (c < 0 || c >= grid.cols || row < 0 || row >= grid.rows || !study.at(c, row))
            continue;
        ++out.in_study;
        if (const auto l = regions.label.at(c, row); l > 0)
        {
            RegionFigures& h = out.regions[static_cast<std::size_t>(l - 1)];
            ++h.offences;
            h.harm += incidents.weight_of(i);
            ++h.types[incidents.crime_type[i]];
        }
    }
    std::int64_t study_count = 0;
    for (const auto v : study.values)
        study_count += v;
    out.study_area_m2 = static_cast<double>(study_count) * grid.cell_area_m2();

    for (std::int32_t l = 1; l <= regions.count; ++l)
    {
        RegionFigures& h = out.regions[static_cast<std::size_t>(l - 1)];
        const auto& region_cells = regions.cells[static_cast<std::size_t>(l - 1)];
        h.label = l;
        h.cells = static_cast<std::int64_t>(region_cells.size());
        h.area_m2 = static_cast<double>(h.cells) * grid.cell_area_m2();
        double sum = 0;
        for (const auto cell : region_cells)
        {
            const double v = surface.values[static_cast<std::size_t>(cell)];
            sum += v;
            if (v > h.peak)
            {
                h.peak = v;
                h.peak_at = {grid.center_x(cell % grid.cols), grid.center_y(cell / grid.cols)};
            }
        }
        h.mean = sum / static_cast<double>(h.cells);
        h.share = out.in_study > 0
                      ? static_cast<double>(h.offences) / static_cast<double>(out.in_study)
                      : 0.0;
        h.pai = h.area_m2 > 0 && out.study_area_m2 > 0 ? h.share / (h.area_m2 / out.study_area_m2)
                                                       : 0.0;
    }
    return out;
}

std::vector<AreaShare> area_shares(const Regions& regions, std::int32_t label, const GridSpec& grid,
                                   const AreaIndex& index)
{
    const auto& cells = regions.cells.at(static_cast<std::size_t>(label - 1));
    std::map<std::int32_t, std::int64_t> tally;
    for (const auto cell : cells)
    {
        const std::int32_t area =
            index.locate({grid.center_x(cell % grid.cols), grid.center_y(cell / grid.cols)});
        if (area >= 0)
            ++tally[area];
    }
    std::vector<AreaShare> out;
    for (const auto& [area, n] : ranked_by_count(tally))
        out.push_back(
            {area, n, 100.0 * static_cast<double>(n) / static_cast<double>(cells.size())});
    return out;
}

std::vector<std::int32_t> records_by_region(const Incidents& incidents, const GridSpec& grid,
                                            const Regions& regions,
                                            const std::vector<std::int32_t>& labels)
{
    std::unordered_map<std::int32_t, std::int32_t> position;
    for (std::size_t s = 0; s < labels.size(); ++s)
        position.emplace(labels[s], static_cast<std::int32_t>(s));
    std::vector<std::int32_t> of(incidents.size(), -1);
    for (std::size_t i = 0; i < incidents.size(); ++i)
    {
        const auto c = grid.col_of(incidents.x[i]), row = grid.row_of(incidents.y[i]);
        if (c < 0 || c >= grid.cols || row < 0 || row >= grid.rows)
            continue;
        if (const auto it = position.find(regions.label.at(c, row)); it != position.end())
            of[i] = it->second;
    }
    return of;
}

std::string hotspot_name(const std::string& place, double place_distance_m, double place_radius_m,
                         const std::string& main_area, std::int32_t label)
{
    if (!place.empty() && place_distance_m <= place_radius_m)
        return place;
    if (!main_area.empty())
        return main_area;
    return "hotspot " + std::to_string(label);
}

} // namespace hotspot::engine
