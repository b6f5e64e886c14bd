#include "hotspot/io/layer_style.hpp"

#include "hotspot/io/files.hpp"
#include "hotspot/io/map.hpp"

#include "markup.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace hotspot::io
{

namespace
{
std::string xml_escaped(const std::string& text)
{
    return detail::markup_escaped(text);
}

std::string number(double v)
{
    char text[40];
    std::snprintf(text, sizeof text, "%.10g", v);
    return text;
}


// QGIS writes colours as "r,g,b,a".
std::string qgis_colour(const MapCategory& c)
{
    return std::to_string(colour_byte(c.r)) + "," + std::to_string(colour_byte(c.g)) + "," +
           std::to_string(colour_byte(c.b)) + "," + std::to_string(colour_byte(c.opacity));
}

// The legend's stops: the minimum clear, then the ramp's ten anchors; a millionth of the range
// above the minimum, the surface is opaque.
struct Stop
{
    double value;
    std::string colour;
    double opacity;
    std::string label;
};

std::vector<Stop> legend_stops(double legend_min, double& legend_max, const std::string& unit)
{
    if (!(legend_max > legend_min))
        legend_max = legend_min + 1; // a flat surface: one colour
    const std::string suffix = unit.empty() ? std::string() : " " + unit;
    const double span = legend_max - legend_min;
    std::vector<Stop> stops{
        {legend_min, ramp_hex(0), 0, number(legend_min) + suffix},
        {legend_min + 1e-6 * span, ramp_hex(0), 1, number(legend_min + 1e-6 * span)}};
    for (int i = 1; i <= 9; ++i)
    {
        const double value = legend_min + span * i / 9.0;
        stops.push_back(
            {value, ramp_hex(i / 9.0), 1, number(value) + (i == 9 ? suffix : std::string())});
    }
    return stops;
}

const char* sld_header =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<StyledLayerDescriptor version=\"1.1.0\" xmlns=\"http://www.opengis.net/sld\" "
    "xmlns:se=\"http://www.opengis.net/se\" xmlns:ogc=\"http://www.opengis.net/ogc\" "
    "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
    "xsi:schemaLocation=\"http://www.opengis.net/sld "
    "http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd\">\n";

std::string sld_document(const std::string& layer_name, const std::string& rules)
{
    return std::string(sld_header) + "  <NamedLayer>\n    <se:Name>" + xml_escaped(layer_name) +
           "</se:Name>\n    <UserStyle>\n      <se:Name>" + xml_escaped(layer_name) +
           "</se:Name>\n      <se:FeatureTypeStyle>\n" + rules +
           "      </se:FeatureTypeStyle>\n    </UserStyle>\n  </NamedLayer>\n"
           "</StyledLayerDescriptor>\n";
}
} // namespace

std::string raster_style_qml(double legend_min, double legend_max, const std::string& unit)
{
    std::string items;
    for (const Stop& stop : legend_stops(legend_min, legend_max, unit))
        items += "          <item alpha=\"" + std::to_string(colour_byte(stop.opacity)) +
                 "\" value=\"" + number(stop.value) + "\" label=\"" + xml_escaped(stop.label) +
                 "\" color=\"" + stop.colour + "\"/>\n";
    const std::string lo = number(legend_min), hi = number(legend_max);
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
           "<qgis version=\"3.22.0\" styleCategories=\"AllStyleCategories\">\n"
           "  <pipe>\n"
           "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"1\" "
           "alphaBand=\"-1\" classificationMin=\"" +
           lo + "\" classificationMax=\"" + hi +
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
           "clip=\"0\" minimumValue=\"" +
           lo + "\" maximumValue=\"" + hi + "\" labelPrecision=\"4\">\n" + items +
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

std::string sld_path_for(const std::string& path)
{
    return std::filesystem::path(path).replace_extension(".sld").string();
}

std::string raster_style_sld(double legend_min, double legend_max, const std::string& unit,
                             const std::string& layer_name)
{
    std::string entries;
    for (const Stop& stop : legend_stops(legend_min, legend_max, unit))
        entries += "              <se:ColorMapEntry color=\"" + stop.colour + "\" quantity=\"" +
                   number(stop.value) + "\" opacity=\"" + number(stop.opacity) + "\" label=\"" +
                   xml_escaped(stop.label) + "\"/>\n";
    return sld_document(layer_name, "        <se:Rule>\n          <se:RasterSymbolizer>\n"
                                    "            <se:Opacity>1</se:Opacity>\n"
                                    "            <se:ColorMap type=\"ramp\">\n" +
                                        entries +
                                        "            </se:ColorMap>\n"
                                        "          </se:RasterSymbolizer>\n        </se:Rule>\n");
}

namespace
{
std::string qml_option(const std::string& name, const std::string& value)
{
    return "            <Option type=\"QString\" name=\"" + name + "\" value=\"" +
           xml_escaped(value) + "\"/>\n";
}

// One symbol: a polygon filled with `fill` (opacity 0: none) and outlined, or a round marker.
std::string qml_symbol(int index, GeometryKind kind, const MapCategory& fill,
                       const MapCategory& outline, double outline_mm)
{
    const bool polygon = kind == GeometryKind::MultiPolygon;
    std::string options;
    if (polygon)
        options = qml_option("color", qgis_colour(fill)) +
                  qml_option("style", fill.opacity > 0 ? "solid" : "no") +
                  qml_option("outline_color", qgis_colour(outline)) +
                  qml_option("outline_style", outline_mm > 0 ? "solid" : "no") +
                  qml_option("outline_width", number(outline_mm)) +
                  qml_option("outline_width_unit", "MM") + qml_option("joinstyle", "miter");
    else
        options = qml_option("name", "circle") + qml_option("color", qgis_colour(fill)) +
                  qml_option("size", "2") + qml_option("size_unit", "MM") +
                  qml_option("outline_color", "255,255,255,255") +
                  qml_option("outline_width", "0.2") + qml_option("outline_width_unit", "MM");
    return std::string("      <symbol type=\"") + (polygon ? "fill" : "marker") + "\" name=\"" +
           std::to_string(index) +
           "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
           "        <layer class=\"" +
           (polygon ? "SimpleFill" : "SimpleMarker") +
           "\" enabled=\"1\" pass=\"0\" locked=\"0\">\n          <Option type=\"Map\">\n" +
           options + "          </Option>\n        </layer>\n      </symbol>\n";
}

std::string qml_labels(const VectorStyle& style)
{
    if (style.label_field.empty())
        return "";
    return "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n"
           "      <text-style fieldName=\"" +
           xml_escaped(style.label_field) +
           "\" isExpression=\"0\" fontFamily=\"DejaVu Sans\" namedStyle=\"Bold\" "
           "fontWeight=\"75\" fontSize=\"11\" fontSizeUnit=\"Point\" textColor=\"" +
           qgis_colour(style.outline) +
           "\" textOpacity=\"1\">\n"
           "        <text-buffer bufferDraw=\"1\" bufferSize=\"1\" bufferSizeUnits=\"MM\" "
           "bufferColor=\"255,255,255,255\" bufferOpacity=\"1\" bufferNoFill=\"1\" "
           "bufferJoinStyle=\"128\"/>\n      </text-style>\n"
           "      <placement placement=\"1\" dist=\"0\" priority=\"5\" "
           "centroidInside=\"1\" centroidWhole=\"0\" fitInPolygonOnly=\"0\"/>\n"
           "      <rendering obstacle=\"1\" scaleVisibility=\"0\" upsidedownLabels=\"0\" "
           "displayAll=\"1\"/>\n    </settings>\n  </labeling>\n";
}

std::string sld_colour(const MapCategory& c)
{
    return hex_colour(c.r, c.g, c.b);
}

std::string sld_symbolizer(GeometryKind kind, const MapCategory& fill, const MapCategory& outline,
                           double outline_mm)
{
    // SLD widths are pixels at 0.28 mm.
    const std::string stroke = "              <se:Stroke>\n"
                               "                <se:SvgParameter name=\"stroke\">" +
                               sld_colour(outline) +
                               "</se:SvgParameter>\n"
                               "                <se:SvgParameter name=\"stroke-width\">" +
                               number(outline_mm / 0.28) +
                               "</se:SvgParameter>\n              </se:Stroke>\n";
    const std::string fill_part =
        fill.opacity > 0
            ? "              <se:Fill>\n"
              "                <se:SvgParameter name=\"fill\">" +
                  sld_colour(fill) +
                  "</se:SvgParameter>\n"
                  "                <se:SvgParameter name=\"fill-opacity\">" +
                  number(fill.opacity) + "</se:SvgParameter>\n              </se:Fill>\n"
            : "";
    if (kind == GeometryKind::MultiPolygon)
        return "          <se:PolygonSymbolizer>\n" + fill_part + (outline_mm > 0 ? stroke : "") +
               "          </se:PolygonSymbolizer>\n";
    return "          <se:PointSymbolizer>\n            <se:Graphic>\n"
           "              <se:Mark>\n                "
           "<se:WellKnownName>circle</se:WellKnownName>\n" +
           fill_part +
           "              </se:Mark>\n              <se:Size>7</se:Size>\n"
           "            </se:Graphic>\n          </se:PointSymbolizer>\n";
}
} // namespace

std::string vector_style_qml(const VectorStyle& style, GeometryKind kind)
{
    std::string renderer;
    if (style.categories.empty())
    {
        MapCategory clear = style.outline;
        clear.opacity = 0;
        renderer = "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
                   "forceraster=\"0\">\n    <symbols>\n" +
                   qml_symbol(0, kind, clear, style.outline, style.outline_mm) +
                   "    </symbols>\n  </renderer-v2>\n";
    }
    else
    {
        std::string categories, symbols;
        for (std::size_t i = 0; i < style.categories.size(); ++i)
        {
            const MapCategory& c = style.categories[i];
            categories += "      <category render=\"true\" symbol=\"" + std::to_string(i) +
                          "\" value=\"" + xml_escaped(c.label) + "\" label=\"" +
                          xml_escaped(c.label) + "\"/>\n";
            MapCategory edge = c;
            edge.opacity = 1;
            symbols += qml_symbol(static_cast<int>(i), kind, c, edge, 0.1);
        }
        renderer = "  <renderer-v2 type=\"categorizedSymbol\" attr=\"" +
                   xml_escaped(style.category_field) +
                   "\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
                   "    <categories>\n" +
                   categories + "    </categories>\n    <symbols>\n" + symbols +
                   "    </symbols>\n  </renderer-v2>\n";
    }
    const std::string display = style.display_field.empty()
                                    ? ""
                                    : "  <previewExpression>\"" + xml_escaped(style.display_field) +
                                          "\"</previewExpression>\n";
    return std::string("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                       "<qgis version=\"3.22.0\" styleCategories=\"AllStyleCategories\" "
                       "labelsEnabled=\"") +
           (style.label_field.empty() ? "0" : "1") + "\">\n" + renderer + qml_labels(style) +
           display + "</qgis>\n";
}

std::string vector_style_sld(const VectorStyle& style, GeometryKind kind,
                             const std::string& layer_name)
{
    std::string rules;
    const std::string label =
        style.label_field.empty()
            ? ""
            : "          <se:TextSymbolizer>\n            <se:Label>\n"
              "              <ogc:PropertyName>" +
                  xml_escaped(style.label_field) +
                  "</ogc:PropertyName>\n            </se:Label>\n"
                  "            <se:Font>\n"
                  "              <se:SvgParameter name=\"font-family\">DejaVu "
                  "Sans</se:SvgParameter>\n"
                  "              <se:SvgParameter name=\"font-size\">14</se:SvgParameter>\n"
                  "              <se:SvgParameter name=\"font-weight\">bold</se:SvgParameter>\n"
                  "            </se:Font>\n            <se:Halo>\n"
                  "              <se:Radius>2</se:Radius>\n              <se:Fill>\n"
                  "                <se:SvgParameter name=\"fill\">#ffffff</se:SvgParameter>\n"
                  "              </se:Fill>\n            </se:Halo>\n"
                  "            <se:Fill>\n                <se:SvgParameter name=\"fill\">" +
                  sld_colour(style.outline) +
                  "</se:SvgParameter>\n            </se:Fill>\n          </se:TextSymbolizer>\n";
    if (style.categories.empty())
    {
        MapCategory clear = style.outline;
        clear.opacity = 0;
        rules = "        <se:Rule>\n" +
                sld_symbolizer(kind, clear, style.outline, style.outline_mm) + label +
                "        </se:Rule>\n";
    }
    else
        for (const MapCategory& c : style.categories)
            rules += "        <se:Rule>\n          <se:Name>" + xml_escaped(c.label) +
                     "</se:Name>\n          <ogc:Filter>\n            <ogc:PropertyIsEqualTo>\n"
                     "              <ogc:PropertyName>" +
                     xml_escaped(style.category_field) +
                     "</ogc:PropertyName>\n              <ogc:Literal>" + xml_escaped(c.label) +
                     "</ogc:Literal>\n            </ogc:PropertyIsEqualTo>\n"
                     "          </ogc:Filter>\n" +
                     sld_symbolizer(kind, c, c, 0.1) + label + "        </se:Rule>\n";
    return sld_document(layer_name, rules);
}

VectorStyle ranked_outlines(const std::string& display_field)
{
    VectorStyle style;
    style.label_field = "rank";
    style.display_field = display_field;
    return style;
}

void apply_style(VectorWriter& writer, const VectorStyle& style, GeometryKind kind,
                 const std::string& path, const std::string& layer_name, bool sld, bool overwrite)
{
    const std::string sld_text = vector_style_sld(style, kind, layer_name);
    writer.set_default_style(vector_style_qml(style, kind), sld_text);
    if (sld)
        write_text_file(sld_path_for(path), sld_text, overwrite);
}

void check_sld_output(const std::string& path, bool sld, bool overwrite)
{
    if (sld)
        check_output_path(sld_path_for(path), overwrite);
}

} // namespace hotspot::io
