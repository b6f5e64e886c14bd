#include "hotspot/io/map.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/files.hpp"
#include "map_image.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace hotspot::io
{

namespace
{
// Viridis (van der Walt & Smith, matplotlib): perceptually uniform and readable in greyscale and by
// colour-blind readers. Ten anchors, linearly interpolated.
constexpr std::array<std::array<double, 3>, 10> viridis{{{0x44, 0x01, 0x54},
                                                         {0x48, 0x28, 0x78},
                                                         {0x3e, 0x49, 0x89},
                                                         {0x31, 0x68, 0x8e},
                                                         {0x26, 0x82, 0x8e},
                                                         {0x1f, 0x9e, 0x89},
                                                         {0x35, 0xb7, 0x79},
                                                         {0x6e, 0xce, 0x58},
                                                         {0xb5, 0xde, 0x2b},
                                                         {0xfd, 0xe7, 0x25}}};

constexpr double title_height = 70, footer_height = 60, legend_width = 170, margin = 20;

struct ContextDeleter
{
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};

// A "nice" length for the scale bar: 1, 2 or 5 times a power of ten, near a fifth of the map.
double nice_length(double target)
{
    const double power = std::pow(10.0, std::floor(std::log10(target)));
    for (const double f : {5.0, 2.0, 1.0})
        if (f * power <= target)
            return f * power;
    return power;
}

std::string distance_text(double metres)
{
    char buffer[32];
    if (metres >= 1000)
        std::snprintf(buffer, sizeof buffer, "%g km", metres / 1000);
    else
        std::snprintf(buffer, sizeof buffer, "%g m", metres);
    return buffer;
}

std::string value_text(double v)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    return buffer;
}

class Painter
{
  public:
    Painter(cairo_t* cr, MapLayout& layout) : m_cr(cr), m_layout(layout) {}

    // Text with its top-left at (x, y) or centred; kept inside [x_min, x_max] x [y_min, y_max] by
    // shifting, so that no label leaves the image. Returns false (drawing nothing) if it cannot
    // fit.
    bool text(const std::string& s, double x, double y, double size, bool centred, bool bold,
              double x_min, double y_min, double x_max, double y_max, double halo = 0)
    {
        cairo_select_font_face(m_cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(m_cr, size);
        cairo_text_extents_t e;
        cairo_text_extents(m_cr, s.c_str(), &e);
        double left = centred ? x - e.width / 2 : x;
        double top = centred ? y - e.height / 2 : y;
        if (e.width > x_max - x_min || e.height > y_max - y_min)
            return false;
        left = std::clamp(left, x_min, x_max - e.width);
        top = std::clamp(top, y_min, y_max - e.height);
        show(s, left, top, e, halo);
        return true;
    }

    // A label of the map itself, near (x, y) but overlapping no label placed before it: the
    // nearest free spot on a spiral out to `reach` pixels, inside the frame. A label moved off its
    // anchor gets a thin leader line back to it. False (nothing drawn) when no spot is free.
    bool label(const std::string& s, double x, double y, double size, bool bold, double halo,
               double reach, double x_min, double y_min, double x_max, double y_max)
    {
        cairo_select_font_face(m_cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(m_cr, size);
        cairo_text_extents_t e;
        cairo_text_extents(m_cr, s.c_str(), &e);
        const double pad = 1.5; // room for the halo between neighbours
        const auto free_at = [&](double left, double top)
        {
            if (left < x_min || top < y_min || left + e.width > x_max || top + e.height > y_max)
                return false;
            for (const auto& b : m_placed)
                if (left - pad < b.x1 && left + e.width + pad > b.x0 && top - pad < b.y1 &&
                    top + e.height + pad > b.y0)
                    return false;
            return true;
        };
        if (e.width > x_max - x_min || e.height > y_max - y_min)
            return false;
        // Centred on its anchor, moved inside the frame where it would leave it.
        x = std::clamp(x, x_min + e.width / 2, x_max - e.width / 2);
        y = std::clamp(y, y_min + e.height / 2, y_max - e.height / 2);
        double left = x - e.width / 2, top = y - e.height / 2;
        bool found = free_at(left, top);
        for (double r = 6; !found && r <= reach; r += 6)
            for (int k = 0; k < 16 && !found; ++k)
            {
                const double a = k * M_PI / 8;
                const double l = x - e.width / 2 + r * std::cos(a) * (1 + e.width / (2 * size));
                const double t = y - e.height / 2 - r * std::sin(a);
                if (free_at(l, t))
                {
                    left = l;
                    top = t;
                    found = true;
                }
            }
        if (!found)
            return false;
        const double cx = left + e.width / 2, cy = top + e.height / 2;
        if (std::hypot(cx - x, cy - y) > 0.6 * size + e.width / 2)
        {
            cairo_save(m_cr);
            cairo_set_line_width(m_cr, 0.8);
            cairo_move_to(m_cr, x, y);
            cairo_line_to(m_cr, std::clamp(x, left, left + e.width),
                          std::clamp(y, top, top + e.height));
            cairo_stroke(m_cr);
            cairo_restore(m_cr);
        }
        m_placed.push_back(show(s, left, top, e, halo));
        return true;
    }

    void shape_path(const engine::MultiPolygon& shape)
    {
        for (const auto& polygon : shape)
        {
            ring_path(polygon.outer);
            for (const auto& hole : polygon.holes)
                ring_path(hole);
        }
    }

  private:
    // Draws text with its box's top-left at (left, top), on a white halo when `halo` > 0, and
    // records the box.
    MapLayout::Box show(const std::string& s, double left, double top,
                        const cairo_text_extents_t& e, double halo)
    {
        const double baseline_x = left - e.x_bearing, baseline_y = top - e.y_bearing;
        if (halo > 0)
        {
            cairo_save(m_cr);
            cairo_move_to(m_cr, baseline_x, baseline_y);
            cairo_text_path(m_cr, s.c_str());
            cairo_set_source_rgba(m_cr, 1, 1, 1, 0.85);
            cairo_set_line_width(m_cr, halo);
            cairo_set_line_join(m_cr, CAIRO_LINE_JOIN_ROUND);
            cairo_stroke(m_cr);
            cairo_restore(m_cr);
        }
        cairo_move_to(m_cr, baseline_x, baseline_y);
        cairo_show_text(m_cr, s.c_str());
        const MapLayout::Box box{s, left, top, left + e.width, top + e.height};
        m_layout.labels.push_back(box);
        return box;
    }

    void ring_path(const engine::Ring& ring)
    {
        for (std::size_t i = 0; i < ring.size(); ++i)
        {
            const auto [px, py] = m_layout.pixel_of(ring[i]);
            if (i == 0)
                cairo_move_to(m_cr, px, py);
            else
                cairo_line_to(m_cr, px, py);
        }
        cairo_close_path(m_cr);
    }

    cairo_t* m_cr;
    MapLayout& m_layout;
    std::vector<MapLayout::Box> m_placed; ///< the map's own labels so far
};

void draw(cairo_t* cr, const MapContent& c, MapLayout& layout, cairo_surface_t* density,
          cairo_surface_t* basemap)
{
    Painter paint(cr, layout);
    const double w = layout.width_px, h = layout.height_px;
    const double map_w = (c.surface.grid.extent().width()) * layout.scale;
    const double map_h = (c.surface.grid.extent().height()) * layout.scale;
    const double map_right = layout.map_left + map_w, map_bottom = layout.map_top + map_h;

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);

    // The base map, one image pixel per map pixel, under everything.
    if (basemap)
    {
        cairo_save(cr);
        cairo_rectangle(cr, layout.map_left, layout.map_top, map_w, map_h);
        cairo_clip(cr);
        cairo_set_source_surface(cr, basemap, layout.map_left, layout.map_top);
        cairo_paint(cr);
        cairo_restore(cr);
    }

    // The surface, one image pixel per cell, scaled without smoothing so cells stay cells.
    cairo_save(cr);
    cairo_rectangle(cr, layout.map_left, layout.map_top, map_w, map_h);
    cairo_clip(cr);
    cairo_translate(cr, layout.map_left, layout.map_top);
    cairo_scale(cr, c.surface.grid.cell_m * layout.scale, c.surface.grid.cell_m * layout.scale);
    cairo_set_source_surface(cr, density, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);

    cairo_save(cr);
    cairo_rectangle(cr, layout.map_left, layout.map_top, map_w, map_h);
    cairo_clip(cr);
    // Boundaries, thin and grey.
    cairo_set_source_rgba(cr, 0.35, 0.35, 0.35, 0.9);
    cairo_set_line_width(cr, 0.8);
    for (const auto& b : c.boundaries)
    {
        paint.shape_path(b.shape);
        cairo_stroke(cr);
    }
    // Hotspot outlines, red.
    cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
    cairo_set_line_width(cr, 2.0);
    for (const auto& s : c.hotspots)
    {
        paint.shape_path(s.shape);
        cairo_stroke(cr);
    }
    cairo_restore(cr);

    // Labels, most important first, none over another: hotspot ranks (moved off a crowded spot
    // with a leader line), then places, then boundary names (left out where no room is near).
    const auto inside = [&](double px, double py)
    { return px >= layout.map_left && px <= map_right && py >= layout.map_top && py <= map_bottom; };
    cairo_set_source_rgb(cr, 0.75, 0.05, 0.05);
    for (const auto& s : c.hotspots)
    {
        const auto [px, py] = layout.pixel_of(s.label_at);
        paint.label(s.label, px, py, 15, true, 3, 150, layout.map_left, layout.map_top, map_right,
                    map_bottom);
    }
    for (const auto& [name, at] : c.places)
    {
        const auto [px, py] = layout.pixel_of(at);
        if (!inside(px, py))
            continue;
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_arc(cr, px, py, 3.5, 0, 2 * M_PI);
        cairo_fill(cr);
        paint.label(name, px, py - 12, 12, true, 3, 90, layout.map_left, layout.map_top,
                    map_right, map_bottom);
    }
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    for (const auto& b : c.boundaries)
    {
        const auto [px, py] = layout.pixel_of(b.label_at);
        if (inside(px, py))
            paint.label(b.label, px, py, 10, true, 2.5, 30, layout.map_left, layout.map_top,
                        map_right, map_bottom);
    }

    // Frame.
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, layout.map_left, layout.map_top, map_w, map_h);
    cairo_stroke(cr);

    // Title and period.
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    paint.text(c.title, margin, 14, 22, false, true, 0, 0, w, title_height);
    paint.text(c.subtitle, margin, 44, 14, false, false, 0, 0, w, title_height);

    // Legend: the categories' swatches, or the colour ramp from 0 to the peak in the surface's
    // units.
    const double bar_x = map_right + 30, bar_top = layout.map_top + 40,
                 bar_h = std::min(300.0, map_h - 80);
    if (!c.categories.empty())
    {
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        paint.text(c.units, map_right + 10, layout.map_top + 10, 12, false, true, map_right, 0, w,
                   h);
        for (std::size_t i = 0; i < c.categories.size(); ++i)
        {
            const MapCategory& k = c.categories[i];
            const double y = layout.map_top + 34 + 18.0 * static_cast<double>(i);
            cairo_set_source_rgba(cr, k.r, k.g, k.b, k.opacity);
            cairo_rectangle(cr, map_right + 10, y, 14, 12);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
            cairo_set_line_width(cr, 0.5);
            cairo_stroke(cr);
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            paint.text(k.label, map_right + 30, y, 10, false, false, map_right, 0, w, h);
        }
    }
    for (int i = 0; c.categories.empty() && i < static_cast<int>(bar_h); ++i)
    {
        double r, g, b;
        ramp_colour(1.0 - i / bar_h, r, g, b);
        cairo_set_source_rgb(cr, r, g, b);
        cairo_rectangle(cr, bar_x, bar_top + i, 22, 1.5);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    if (c.categories.empty())
        paint.text(c.units, bar_x, layout.map_top + 10, 12, false, true, map_right, 0, w, h);
    for (int t = 0; c.categories.empty() && t <= 4; ++t)
    {
        const double v = layout.legend_min + (layout.legend_max - layout.legend_min) * t / 4.0;
        const double y = bar_top + bar_h * (1.0 - t / 4.0);
        paint.text(value_text(v), bar_x + 28, y - 6, 11, false, false, map_right, 0, w, h);
    }

    // North arrow, top right of the map.
    const double nx = map_right - 30, ny = layout.map_top + 20;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_move_to(cr, nx, ny);
    cairo_line_to(cr, nx - 9, ny + 26);
    cairo_line_to(cr, nx, ny + 19);
    cairo_line_to(cr, nx + 9, ny + 26);
    cairo_close_path(cr);
    cairo_fill(cr);
    paint.text("N", nx, ny + 38, 13, true, true, layout.map_left, layout.map_top, map_right,
               map_bottom);

    // Scale bar, bottom left of the map.
    const double length_m = nice_length(0.2 * map_w / layout.scale);
    const double bar_px = length_m * layout.scale;
    const double sx = layout.map_left + 20, sy = map_bottom - 25;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
    cairo_rectangle(cr, sx - 8, sy - 22, bar_px + 16, 34);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_rectangle(cr, sx, sy, bar_px / 2, 6);
    cairo_fill(cr);
    cairo_rectangle(cr, sx, sy, bar_px, 6);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    paint.text(distance_text(length_m), sx + bar_px / 2, sy - 12, 11, true, false, layout.map_left,
               layout.map_top, map_right, map_bottom);

    // Attribution.
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    const std::string credit = c.basemap.attribution.empty()
                                   ? c.attribution
                                   : c.attribution + " Base map: " + c.basemap.attribution + ".";
    paint.text(credit, margin, h - footer_height + 22, 10, false, false, 0, map_bottom, w, h);
}
} // namespace

void ramp_colour(double fraction, double& r, double& g, double& b)
{
    const double f = std::clamp(fraction, 0.0, 1.0) * static_cast<double>(viridis.size() - 1);
    const auto i = std::min(static_cast<std::size_t>(f), viridis.size() - 2);
    const double t = f - static_cast<double>(i);
    r = (viridis[i][0] + t * (viridis[i + 1][0] - viridis[i][0])) / 255.0;
    g = (viridis[i][1] + t * (viridis[i + 1][1] - viridis[i][1])) / 255.0;
    b = (viridis[i][2] + t * (viridis[i + 1][2] - viridis[i][2])) / 255.0;
}

int colour_byte(double component)
{
    return static_cast<int>(std::lround(std::clamp(component, 0.0, 1.0) * 255));
}

std::string hex_colour(double r, double g, double b)
{
    char text[8];
    std::snprintf(text, sizeof text, "#%02x%02x%02x", colour_byte(r), colour_byte(g),
                  colour_byte(b));
    return text;
}

std::string ramp_hex(double fraction)
{
    double r = 0, g = 0, b = 0;
    ramp_colour(fraction, r, g, b);
    return hex_colour(r, g, b);
}

void check_map_path(const std::string& path)
{
    const std::string ext = engine::fold(std::filesystem::path(path).extension().string());
    if (ext != ".png" && ext != ".pdf" && ext != ".svg")
        throw Error(Errc::Usage, path + ": maps are written as .png, .pdf or .svg");
}

MapLayout render_map(const MapContent& c, const std::string& path, const MapOptions& options)
{
    check_map_path(path);
    const auto& g = c.surface.grid;
    if (g.cols <= 0 || g.rows <= 0)
        throw Error(Errc::BadData, "map: the surface is empty");
    if (options.width_px < 400 || options.width_px > 20000)
        throw Error(Errc::Usage, "map: the width must be between 400 and 20000 pixels");

    MapLayout layout;
    const engine::Box2 extent = g.extent();
    const double map_w = options.width_px - legend_width - 2 * margin;
    layout.scale = map_w / extent.width();
    layout.map_left = margin;
    layout.map_top = title_height;
    layout.xmin = extent.xmin;
    layout.ymax = extent.ymax;
    layout.width_px = options.width_px;
    layout.height_px =
        static_cast<int>(std::ceil(title_height + extent.height() * layout.scale + footer_height));

    // The surface as an image: values from 0 to the peak along the ramp; the faintest clear so the
    // boundaries show through. Over a base map the density lets the streets show through too.
    const double peak = std::isnan(c.legend_max) ? detail::surface_peak(c.surface.values, c.nodata)
                                                  : c.legend_max;
    layout.legend_min = 0;
    layout.legend_max = peak;
    const auto density =
        detail::density_image(c.surface.values, static_cast<int>(g.cols), static_cast<int>(g.rows),
                              c.nodata, peak, c.categories, c.basemap.empty() ? 1.0 : 0.8);
    detail::CairoSurfacePtr basemap;
    if (!c.basemap.empty())
    {
        const auto frame_w = static_cast<int>(std::ceil(map_w));
        const auto frame_h = static_cast<int>(std::ceil(extent.height() * layout.scale));
        basemap = detail::cairo_image(read_basemap(c.basemap, c.crs, extent, frame_w, frame_h));
    }

    detail::write_drawing(path, options.overwrite, layout.width_px, layout.height_px,
                          [&](cairo_t* cr) { draw(cr, c, layout, density.get(), basemap.get()); });
    return layout;
}

namespace detail
{
void write_drawing(const std::string& path, bool overwrite, int width, int height,
                   const std::function<void(cairo_t*)>& draw)
{
    check_map_path(path);
    const std::string ext = engine::fold(std::filesystem::path(path).extension().string());
    write_atomically(
        path, overwrite,
        [&](const std::string& tmp)
        {
            CairoSurfacePtr surface(
                ext == ".png" ? cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height)
                : ext == ".pdf" ? cairo_pdf_surface_create(tmp.c_str(), width, height)
                                : cairo_svg_surface_create(tmp.c_str(), width, height));
            std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface.get()));
            draw(cr.get());
            cairo_surface_flush(surface.get());
            if (ext == ".png" &&
                cairo_surface_write_to_png(surface.get(), tmp.c_str()) != CAIRO_STATUS_SUCCESS)
                throw Error(Errc::Io, path + ": cannot be written");
            cr.reset();
            cairo_surface_finish(surface.get());
            if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
                throw Error(Errc::Io,
                            path + ": cannot be written (" +
                                cairo_status_to_string(cairo_surface_status(surface.get())) + ")");
        });
}

double surface_peak(std::span<const double> values, double nodata)
{
    double peak = 0;
    for (const double v : values)
        if (v != nodata && std::isfinite(v))
            peak = std::max(peak, v);
    return peak;
}

CairoSurfacePtr density_image(std::span<const double> values, int cols, int rows, double nodata,
                              double peak, const std::vector<MapCategory>& categories,
                              double max_alpha)
{
    CairoSurfacePtr image(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, cols, rows));
    cairo_surface_flush(image.get());
    unsigned char* pixels = cairo_image_surface_get_data(image.get());
    const int stride = cairo_image_surface_get_stride(image.get());
    for (std::int64_t row = 0; row < rows; ++row)
    {
        auto* line = reinterpret_cast<std::uint32_t*>(pixels + row * stride);
        for (std::int64_t col = 0; col < cols; ++col)
        {
            const double v = values[static_cast<std::size_t>(row * cols + col)];
            const double f = peak > 0 ? v / peak : 0;
            double alpha = v == nodata || !(v > 0) ? 0.0 : std::clamp((f - 0.02) / 0.08, 0.0, 1.0);
            double r, gr, b;
            ramp_colour(f, r, gr, b);
            if (!categories.empty())
            {
                const bool known =
                    v >= 0 && v < static_cast<double>(categories.size()) && v == std::floor(v);
                const MapCategory* k = known ? &categories[static_cast<std::size_t>(v)] : nullptr;
                alpha = k ? k->opacity : 0.0;
                r = k ? k->r : 0;
                gr = k ? k->g : 0;
                b = k ? k->b : 0;
            }
            alpha = std::min(alpha, max_alpha);
            // Cairo's ARGB32 is premultiplied.
            const auto channel = [&](double x)
            { return static_cast<std::uint32_t>(std::lround(x * alpha * 255.0)); };
            line[col] = (static_cast<std::uint32_t>(std::lround(alpha * 255.0)) << 24) |
                        (channel(r) << 16) | (channel(gr) << 8) | channel(b);
        }
    }
    cairo_surface_mark_dirty(image.get());
    return image;
}

CairoSurfacePtr cairo_image(const RgbaImage& image)
{
    CairoSurfacePtr out(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, image.width, image.height));
    cairo_surface_flush(out.get());
    unsigned char* pixels = cairo_image_surface_get_data(out.get());
    const int stride = cairo_image_surface_get_stride(out.get());
    for (int row = 0; row < image.height; ++row)
    {
        auto* line = reinterpret_cast<std::uint32_t*>(pixels + row * stride);
        for (int col = 0; col < image.width; ++col)
        {
            const std::uint8_t* p =
                &image.rgba[4 * (static_cast<std::size_t>(row) * image.width + col)];
            const auto channel = [&](std::uint8_t x)
            { return static_cast<std::uint32_t>((x * p[3] + 127) / 255); };
            line[col] = (static_cast<std::uint32_t>(p[3]) << 24) | (channel(p[0]) << 16) |
                        (channel(p[1]) << 8) | channel(p[2]);
        }
    }
    cairo_surface_mark_dirty(out.get());
    return out;
}

std::string png_bytes(cairo_surface_t* image)
{
    std::string bytes;
    const auto append = [](void* closure, const unsigned char* data, unsigned int length)
    {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
    };
    if (cairo_surface_write_to_png_stream(image, append, &bytes) != CAIRO_STATUS_SUCCESS)
        throw Error(Errc::Io, "an image cannot be encoded as PNG");
    return bytes;
}
} // namespace detail

} // namespace hotspot::io
