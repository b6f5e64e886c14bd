#pragma once
// What the briefing map and the web map draw alike: the density coloured along the legend's ramp,
// base map images, and PNG bytes of an image.

#include "hotspot/io/basemap.hpp"
#include "hotspot/io/map.hpp"

#include <cairo.h>

#include <functional>
#include <memory>
#include <span>
#include <string>

namespace hotspot::io::detail
{

struct CairoSurfaceDeleter
{
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
using CairoSurfacePtr = std::unique_ptr<cairo_surface_t, CairoSurfaceDeleter>;

/// Draws onto a PNG, PDF or SVG of `width` x `height` pixels (by `path`'s extension) and writes it
/// atomically. Throws Error(Usage) for another extension and Error(Io) when it cannot be written.
void write_drawing(const std::string& path, bool overwrite, int width, int height,
                   const std::function<void(cairo_t*)>& draw);

/// The largest value that is neither `nodata` nor NaN, or 0: the top of the legend.
double surface_peak(std::span<const double> values, double nodata);

/// One pixel a cell, row 0 at the top: values from 0 to `peak` along the ramp with the faintest
/// clear, or with `categories` each category's colour. No pixel is more opaque than `max_alpha`.
CairoSurfacePtr density_image(std::span<const double> values, int cols, int rows, double nodata,
                              double peak, const std::vector<MapCategory>& categories,
                              double max_alpha = 1.0);

CairoSurfacePtr cairo_image(const RgbaImage& image);

/// The image as a PNG file's bytes.
std::string png_bytes(cairo_surface_t* image);

} // namespace hotspot::io::detail
