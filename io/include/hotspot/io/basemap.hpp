#pragma once
// Base maps under the density: a raster the force keeps offline (GeoTIFF, MBTiles, a GeoPackage
// tile set: anything GDAL opens) or an XYZ tile service, read through GDAL and drawn muted.

#include "hotspot/engine/core/geometry.hpp"
#include "hotspot/io/crs.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hotspot::io
{

struct Basemap
{
    std::string source;      ///< a raster file, or a URL with {z}, {x} and {y}
    std::string attribution; ///< credited on the map

    bool empty() const { return source.empty(); }
    /// An http(s) or file URL: an XYZ tile service.
    bool is_url() const;
};

/// An image, row by row, four bytes a pixel: red, green, blue, alpha (not premultiplied).
struct RgbaImage
{
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgba;
};

/// Throws Error(Usage) for a URL without {z}, {x} and {y}, Error(Io) for a file GDAL cannot open as
/// a raster with a CRS; without reading any pixel.
void check_basemap(const Basemap& basemap);

/// The base map over `extent` (in `crs`), `width` x `height` pixels, in muted tones: washed out
/// towards white and grey so that the density reads above it. Where the source has no data the
/// image is clear. Throws Error(Io) naming the source when it cannot be read.
RgbaImage read_basemap(const Basemap& basemap, const Crs& crs, const engine::Box2& extent,
                       int width, int height);

/// What GDAL opens for an XYZ tile URL: a GDAL_WMS description of the Web Mercator tile pyramid.
std::string xyz_gdal_source(const std::string& url);

} // namespace hotspot::io
