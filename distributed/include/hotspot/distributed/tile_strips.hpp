#pragma once
// Surfaces written as tiles under mpirun: each strip is finished (masked, edge-corrected) and
// written on the rank that computed it. The wire format of what that takes, both sides of it.

#include "hotspot/engine/density/kde.hpp"
#include "hotspot/engine/density/study_window.hpp"
#include "hotspot/io/geotiff.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hotspot::distributed
{

/// Everything a rank needs to finish and write the strips of `tiles` it computes, in one message:
/// the grid, the area's polygons, the edge correction's window, kernel and bandwidth, and the
/// tile folder, CRS and GeoTIFF options.
std::string tile_context(const engine::StripFinish& finish, const engine::StudyWindow& window,
                         const engine::KdeOptions& options, const io::GeoTiffTileWriter& tiles);

/// The other side: finishes a strip computed on this rank and writes it into the tile folder, as
/// tile_context says; returns its engine::StripFigures, packed. Every rank sets it as its strip
/// finisher (set_strip_finisher). A job's strips share one context, unpacked once.
std::string finish_tile_strip(const std::string& context, std::int64_t first, std::int64_t count,
                              const std::vector<double>& values);

} // namespace hotspot::distributed
