#include "hotspot/io/chart.hpp"

#include "hotspot/io/map.hpp"
#include "map_image.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hotspot::io
{

namespace
{
constexpr double cell = 32, left = 70, top = 112, legend_gap = 24, legend_height = 14;

void text(cairo_t* cr, const std::string& s, double x, double y, double size, bool bold,
          bool centred = false)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    cairo_move_to(cr, centred ? x - e.width / 2 - e.x_bearing : x, y);
    cairo_show_text(cr, s.c_str());
}

std::string number(double v)
{
    char b[32];
    std::snprintf(b, sizeof b, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    return b;
}
} // namespace

void hour_cell_colour(double value, double peak, double& r, double& g, double& b)
{
    r = g = b = 0.94;
    if (peak > 0 && value > 0)
        ramp_colour(value / peak, r, g, b);
}

void render_hour_chart(const HourChart& chart, const std::string& path, bool overwrite)
{
    const double grid_w = 24 * cell, grid_h = 7 * cell;
    const int width = static_cast<int>(left + grid_w + 30);
    const int height = static_cast<int>(top + grid_h + legend_gap + legend_height + 70);
    const double peak = *std::max_element(chart.values.begin(), chart.values.end());
    detail::write_drawing(
        path, overwrite, width, height,
        [&](cairo_t* cr)
        {
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_paint(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            text(cr, chart.title, 20, 30, 18, true);
            text(cr, chart.subtitle, 20, 54, 12, false);
            text(cr, chart.reading, 20, 74, 12, false);
            for (int h = 0; h < 24; ++h)
            {
                char label[16];
                std::snprintf(label, sizeof label, "%02d", h);
                text(cr, label, left + (h + 0.5) * cell, top - 8, 11, false, true);
            }
            for (int row = 0; row < 7; ++row)
            {
                const int first = engine::shown_hour(row * 24, chart.week_start);
                cairo_set_source_rgb(cr, 0, 0, 0);
                text(cr, std::string(engine::weekday_abbreviation(first / 24)), 20,
                     top + (row + 0.5) * cell + 4, 12, false);
                for (int h = 0; h < 24; ++h)
                {
                    const auto k = static_cast<std::size_t>(first + h);
                    double r, g, b;
                    hour_cell_colour(chart.values[k], peak, r, g, b);
                    cairo_set_source_rgb(cr, r, g, b);
                    cairo_rectangle(cr, left + h * cell, top + row * cell, cell - 1, cell - 1);
                    cairo_fill(cr);
                    if (chart.flagged.test(k))
                    {
                        cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
                        cairo_set_line_width(cr, 2.5);
                        cairo_rectangle(cr, left + h * cell + 1.5, top + row * cell + 1.5,
                                        cell - 4, cell - 4);
                        cairo_stroke(cr);
                    }
                }
            }
            // The legend: the ramp from 0 to the busiest hour.
            const double ly = top + grid_h + legend_gap, lw = grid_w / 2;
            for (int k = 0; k < 100; ++k)
            {
                double r, g, b;
                ramp_colour(k / 99.0, r, g, b);
                cairo_set_source_rgb(cr, r, g, b);
                cairo_rectangle(cr, left + k * lw / 100, ly, lw / 100 + 0.5, legend_height);
                cairo_fill(cr);
            }
            cairo_set_source_rgb(cr, 0, 0, 0);
            text(cr, "0", left, ly + legend_height + 14, 11, false, true);
            text(cr, number(peak), left + lw, ly + legend_height + 14, 11, false, true);
            text(cr, chart.unit + " per hour", left + lw + 30, ly + legend_height - 2, 11, false);
            if (chart.flagged.any())
            {
                cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
                text(cr, "outlined: significantly above the rest of the area", left + lw + 30,
                     ly + legend_height + 14, 11, false);
            }
            cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
            text(cr, chart.note, 20, height - 14, 10, false);
        });
}

} // namespace hotspot::io
