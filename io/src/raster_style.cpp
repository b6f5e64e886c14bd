#include "hotspot/io/raster_style.hpp"

#include "hotspot/io/map.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace hotspot::io
{

namespace
{
std::string xml_escaped(const std::string& text)
{
    std::string out;
    for (const char c : text)
        switch (c)
        {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    return out;
}

std::string number(double v)
{
    char text[40];
    std::snprintf(text, sizeof text, "%.10g", v);
    return text;
}

std::string hex_colour(double fraction)
{
    double r = 0, g = 0, b = 0;
    ramp_colour(fraction, r, g, b);
    char text[8];
    std::snprintf(text, sizeof text, "#%02x%02x%02x", static_cast<int>(std::lround(r * 255)),
                  static_cast<int>(std::lround(g * 255)), static_cast<int>(std::lround(b * 255)));
    return text;
}
} // namespace

std::string raster_style_qml(double legend_min, double legend_max, const std::string& unit)
{
    if (!(legend_max > legend_min))
        legend_max = legend_min + 1; // a flat surface: one colour
    const std::string lo = number(legend_min), hi = number(legend_max);
    const std::string suffix = unit.empty() ? std::string() : " " + unit;
    std::string items;
    const auto item = [&](double value, double fraction, int alpha, const std::string& label)
    {
        items += "          <item alpha=\"" + std::to_string(alpha) + "\" value=\"" + number(value) +
                 "\" label=\"" + xml_escaped(label) + "\" color=\"" + hex_colour(fraction) +
                 "\"/>\n";
    };
    // The minimum clear, then the ramp's ten anchors: a millionth of the range above it, the
    // surface is opaque.
    const double span = legend_max - legend_min;
    item(legend_min, 0, 0, number(legend_min) + suffix);
    item(legend_min + 1e-6 * span, 0, 255, number(legend_min + 1e-6 * span));
    for (int i = 1; i <= 9; ++i)
    {
        const double value = legend_min + span * i / 9.0;
        item(value, i / 9.0, 255, number(value) + (i == 9 ? suffix : std::string()));
    }
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
           "<qgis version=\"3.22.0\" styleCategories=\"AllStyleCategories\">\n"
           "  <pipe>\n"
           "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"1\" "
           "alphaBand=\"-1\" classificationMin=\"" + lo + "\" classificationMax=\"" + hi +
           "\" nodataColor=\"\">\n"
           "      <rasterTransparency/>\n"
           "      <minMaxOrigin>\n"
           "        <limits>None</limits>\n"
           "        <extent>WholeRaster</extent>\n"
           "        <statAccuracy>Estimated</statAccuracy>\n"
           "        <cumulativeCutLower>0.02</cumulativeCutLower>\n"
           "        <cumulativeCutUpper>0.98</cumulativeCutUpper>\n"
           "        <stdDevFactor>2</stdDevFactor>\n"
           "      </minMaxOrigin>\n"
           "      <rastershader>\n"
           "        <colorrampshader colorRampType=\"INTERPOLATED\" classificationMode=\"1\" "
           "clip=\"0\" minimumValue=\"" + lo + "\" maximumValue=\"" + hi +
           "\" labelPrecision=\"4\">\n" +
           items +
           "        </colorrampshader>\n"
           "      </rastershader>\n"
           "    </rasterrenderer>\n"
           "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
           "    <huesaturation saturation=\"0\" grayscaleMode=\"0\" invertColors=\"0\" "
           "colorizeOn=\"0\" colorizeRed=\"255\" colorizeGreen=\"128\" colorizeBlue=\"128\" "
           "colorizeStrength=\"100\"/>\n"
           "    <rasterresampler maxOversampling=\"2\"/>\n"
           "  </pipe>\n"
           "  <blendMode>0</blendMode>\n"
           "</qgis>\n";
}

std::string style_path_for(const std::string& raster_path)
{
    return std::filesystem::path(raster_path).replace_extension(".qml").string();
}

} // namespace hotspot::io
