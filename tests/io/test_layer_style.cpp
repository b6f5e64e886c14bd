// Styles as a GIS reads them: QGIS's .qml and layer_styles, and SLD 1.1. The documents are parsed
// back with GDAL's XML parser and read as QGIS and GeoServer would (the PyQGIS tests in
// tests/qgis/ open them in QGIS itself).

#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/crs.hpp"
#include "hotspot/io/geotiff.hpp"
#include "hotspot/io/layer_style.hpp"
#include "hotspot/io/vector.hpp"

#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <cpl_minixml.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include <unistd.h>

using namespace hotspot;
using namespace hotspot::io;
using hotspot::testsupport::temp_dir;
namespace fs = std::filesystem;

namespace
{
struct XmlDeleter
{
    void operator()(CPLXMLNode* node) const { CPLDestroyXMLNode(node); }
};
using Xml = std::unique_ptr<CPLXMLNode, XmlDeleter>;

// Parsed, or null when the text is not well-formed XML.
Xml parse(const std::string& text)
{
    CPLPushErrorHandler(CPLQuietErrorHandler);
    Xml xml(CPLParseXMLString(text.c_str()));
    CPLPopErrorHandler();
    return xml;
}

// Every element named `name` under `node`, depth first.
void find_all(const CPLXMLNode* node, const std::string& name, std::vector<const CPLXMLNode*>& out)
{
    for (; node; node = node->psNext)
        if (node->eType == CXT_Element)
        {
            if (name == node->pszValue)
                out.push_back(node);
            find_all(node->psChild, name, out);
        }
}

std::vector<const CPLXMLNode*> all(const Xml& xml, const std::string& name)
{
    std::vector<const CPLXMLNode*> out;
    find_all(xml.get(), name, out);
    return out;
}

std::string attribute(const CPLXMLNode* node, const char* name)
{
    return CPLGetXMLValue(node, name, "");
}

std::string slurp(const fs::path& path)
{
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

VectorStyle two_categories()
{
    VectorStyle style;
    style.category_field = "status";
    style.categories = {{"match", 26 / 255.0, 150 / 255.0, 65 / 255.0, 1},
                        {"outside & far", 215 / 255.0, 25 / 255.0, 28 / 255.0, 0.5}};
    return style;
}
} // namespace

TEST_CASE("Hotspot outlines: red, unfilled, labelled by rank, in QGIS and in SLD", "[style]")
{
    const VectorStyle style = ranked_outlines("name");
    const Xml qml = parse(vector_style_qml(style, GeometryKind::MultiPolygon));
    REQUIRE(qml);
    const auto renderer = all(qml, "renderer-v2");
    REQUIRE(renderer.size() == 1);
    CHECK(attribute(renderer[0], "type") == "singleSymbol");
    std::map<std::string, std::string> options;
    for (const CPLXMLNode* o : all(qml, "Option"))
        if (!attribute(o, "name").empty())
            options[attribute(o, "name")] = attribute(o, "value");
    CHECK(options["style"] == "no"); // the density shows through
    CHECK(options["outline_color"] == "215,25,28,255");
    CHECK(options["outline_width"] == "0.6");
    CHECK(attribute(all(qml, "qgis")[0], "labelsEnabled") == "1");
    CHECK(attribute(all(qml, "text-style")[0], "fieldName") == "rank");
    CHECK(CPLGetXMLValue(all(qml, "previewExpression")[0], "", "") == std::string("\"name\""));

    const Xml sld = parse(vector_style_sld(style, GeometryKind::MultiPolygon, "hotspots"));
    REQUIRE(sld);
    CHECK(all(sld, "se:Rule").size() == 1);
    CHECK(all(sld, "se:Fill").size() == 2); // the label's halo and text only: no polygon fill
    CHECK(CPLGetXMLValue(all(sld, "se:Stroke")[0], "se:SvgParameter", "") ==
          std::string("#d7191c"));
    CHECK(CPLGetXMLValue(all(sld, "se:Label")[0], "ogc:PropertyName", "") == std::string("rank"));
}

TEST_CASE("Categories: a symbol per value in its colour, the same rules in SLD", "[style]")
{
    const VectorStyle style = two_categories();
    for (const GeometryKind kind : {GeometryKind::MultiPolygon, GeometryKind::Point})
    {
        const Xml qml = parse(vector_style_qml(style, kind));
        REQUIRE(qml);
        CHECK(attribute(all(qml, "renderer-v2")[0], "type") == "categorizedSymbol");
        CHECK(attribute(all(qml, "renderer-v2")[0], "attr") == "status");
        const auto categories = all(qml, "category");
        REQUIRE(categories.size() == 2);
        CHECK(attribute(categories[1], "value") == "outside & far"); // escaped and read back
        const auto symbols = all(qml, "symbol");
        REQUIRE(symbols.size() == 2);
        CHECK(attribute(symbols[1], "type") ==
              (kind == GeometryKind::Point ? std::string("marker") : std::string("fill")));
        std::string colour;
        for (const CPLXMLNode* o : all(qml, "Option"))
            if (attribute(o, "name") == "color")
                colour = attribute(o, "value"); // the last symbol's
        CHECK(colour == "215,25,28,128");
        CHECK(attribute(all(qml, "qgis")[0], "labelsEnabled") == "0");
    }
    const Xml sld = parse(vector_style_sld(style, GeometryKind::MultiPolygon, "reconciled"));
    REQUIRE(sld);
    const auto rules = all(sld, "se:Rule");
    REQUIRE(rules.size() == 2);
    CHECK(CPLGetXMLValue(rules[1], "ogc:Filter.ogc:PropertyIsEqualTo.ogc:Literal", "") ==
          std::string("outside & far"));
    CHECK(CPLGetXMLValue(rules[0], "se:PolygonSymbolizer.se:Fill.se:SvgParameter", "") ==
          std::string("#1a9641"));
}

TEST_CASE("A surface's SLD and a fixed legend top", "[style][geotiff]")
{
    const Xml sld = parse(raster_style_sld(0, 9, "offences per km²", "density"));
    REQUIRE(sld);
    const auto entries = all(sld, "se:ColorMapEntry");
    REQUIRE(entries.size() == 11); // the .qml's eleven stops
    CHECK(attribute(entries[0], "opacity") == "0");
    CHECK(attribute(entries[10], "quantity") == "9");
    CHECK(attribute(entries[10], "color") == "#fde725");

    const fs::path dir = temp_dir("legend");
    engine::Raster<double> r(engine::GridSpec{566000, 165800, 25, 4, 3}, 1.0);
    r.values[5] = 40; // above the legend's top: drawn in its top colour
    GeoTiffOptions options;
    options.unit = "offences per km²";
    options.qgis_style = true;
    options.legend_max = 20;
    options.sld = true;
    write_geotiff((dir / "week.tif").string(), r, parse_crs("EPSG:27700"), options);
    CHECK(slurp(dir / "week.qml").find("classificationMin=\"0\" classificationMax=\"20\"") !=
          std::string::npos);
    const Xml written = parse(slurp(dir / "week.sld"));
    REQUIRE(written);
    CHECK(attribute(all(written, "se:ColorMapEntry").back(), "quantity") == "20");
    CHECK(CPLGetXMLValue(all(written, "se:Name")[0], "", "") == std::string("week"));
    // Without --overwrite an existing SLD is refused before the raster is written.
    fs::remove(dir / "week.tif");
    fs::remove(dir / "week.qml");
    CHECK_THROWS_AS(write_geotiff((dir / "week.tif").string(), r, parse_crs("EPSG:27700"), options),
                    Error);
    CHECK(!fs::exists(dir / "week.tif"));
    fs::remove_all(dir);
}

TEST_CASE("A GeoPackage carries its layer's default style in layer_styles, as QGIS reads it",
          "[style][vector]")
{
    GDALAllRegister();
    const fs::path dir = temp_dir("gpkg");
    const std::string path = (dir / "hotspots.gpkg").string();
    const VectorStyle style = ranked_outlines("name");
    {
        VectorWriter writer(path, "hotspots", parse_crs("EPSG:27700"), GeometryKind::MultiPolygon,
                            {{"rank", FieldType::Integer}, {"name", FieldType::Text}}, false);
        apply_style(writer, style, GeometryKind::MultiPolygon, path, "hotspots", true, false);
        engine::MultiPolygon square{
            engine::Polygon{{{0, 0}, {0, 10}, {10, 10}, {10, 0}, {0, 0}}, {}}};
        writer.add_polygon(square, {std::int64_t{1}, std::string("Brenchley Gardens")});
        writer.commit();
    }
    CHECK(fs::exists(dir / "hotspots.sld"));
    std::unique_ptr<GDALDataset> ds(
        GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    REQUIRE(ds);
    CHECK(std::string(ds->GetLayer(0)->GetName()) == "hotspots"); // the data stays the first layer
    OGRLayer* styles = ds->GetLayerByName("layer_styles");
    REQUIRE(styles);
    REQUIRE(styles->GetFeatureCount() == 1);
    std::unique_ptr<OGRFeature> row(styles->GetNextFeature());
    CHECK(std::string(row->GetFieldAsString("f_table_name")) == "hotspots");
    CHECK(std::string(row->GetFieldAsString("f_geometry_column")) ==
          ds->GetLayer(0)->GetGeometryColumn());
    CHECK(row->GetFieldAsInteger("useAsDefault") == 1);
    CHECK(row->GetFieldAsString("styleQML") == vector_style_qml(style, GeometryKind::MultiPolygon));
    CHECK(row->GetFieldAsString("styleSLD") == slurp(dir / "hotspots.sld"));

    // Formats without a styles table are written as before.
    const std::string geojson = (dir / "hotspots.geojson").string();
    VectorWriter writer(geojson, "hotspots", parse_crs("EPSG:27700"), GeometryKind::MultiPolygon,
                        {{"rank", FieldType::Integer}}, false);
    apply_style(writer, style, GeometryKind::MultiPolygon, geojson, "hotspots", false, false);
    writer.commit();
    CHECK(slurp(geojson).find("layer_styles") == std::string::npos);
    fs::remove_all(dir);
}
