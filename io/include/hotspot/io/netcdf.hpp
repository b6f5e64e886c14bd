#pragma once
// Space-time cubes as CF-conventions netCDF: dimensions time, y and x, coordinate variables with
// units, the CRS as a grid mapping, and one variable per quantity; GDAL, xarray and QGIS open them.

#include "hotspot/engine/core/grid.hpp"
#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/io/crs.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace hotspot::io
{

/// One quantity over the cube, written a time step at a time so that a force-wide cube never
/// needs to be whole in memory: `fill(t, slice)` writes step t's grid into `slice` (row-major from
/// the north-west, rows * cols values, already NaN), NaN where it has none.
struct CubeVariable
{
    std::string name;      ///< e.g. "count"
    std::string long_name; ///< e.g. "offences per cell and time step"
    std::string units;     ///< e.g. "1"
    std::function<void(std::size_t t, std::vector<double>& slice)> fill;
};

struct NetcdfCube
{
    engine::GridSpec grid;
    Crs crs;
    std::vector<engine::DayIndex> time; ///< each step's first day
    std::vector<std::string> time_labels;
    std::vector<CubeVariable> variables;
    std::vector<std::pair<std::string, std::string>> attributes; ///< global: title, parameters...
};

/// Writes the cube atomically (nothing is left at `path` on failure). Throws Error(Io) naming the
/// file.
void write_netcdf_cube(const std::string& path, const NetcdfCube& cube, bool overwrite);

} // namespace hotspot::io
