#include "hotspot/io/basemap.hpp"

#include "gdal_util.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace hotspot::io
{

namespace
{
std::string replace_all(std::string text, const std::string& from, const std::string& to)
{
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

std::string xml_escape(const std::string& text)
{
    return replace_all(replace_all(replace_all(text, "&", "&amp;"), "<", "&lt;"), ">", "&gt;");
}

detail::DatasetPtr open_source(const Basemap& basemap)
{
    detail::ensure_gdal();
    if (!basemap.is_url() && !std::filesystem::exists(basemap.source))
        throw Error(Errc::Io, basemap.source + ": base map not found");
    const std::string name = basemap.is_url() ? xyz_gdal_source(basemap.source) : basemap.source;
    detail::DatasetPtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!ds)
        throw Error(Errc::Io, basemap.source + ": cannot be opened as a base map raster (" +
                                  detail::gdal_error() + ")");
    if (!ds->GetSpatialRef() || ds->GetSpatialRef()->IsEmpty())
        throw Error(Errc::BadData, basemap.source + ": the base map has no CRS; hotspot cannot "
                                                    "place it");
    return ds;
}
} // namespace

bool Basemap::is_url() const
{
    for (const std::string_view scheme : {"http://", "https://", "file://"})
        if (engine::same_text(std::string_view(source).substr(0, scheme.size()), scheme))
            return true;
    return false;
}

std::string xyz_gdal_source(const std::string& url)
{
    std::string server = url;
    for (const char* axis : {"z", "x", "y"})
        server = replace_all(server, std::string("{") + axis + "}", std::string("${") + axis + "}");
    server = replace_all(server, "{s}", "a");
    // The whole Web Mercator square, 256-pixel tiles, zoom levels 0 to 19; GDAL reads the level
    // nearest the map's scale. Missing tiles (404, 204) are left clear.
    return "<GDAL_WMS><Service name=\"TMS\"><ServerUrl>" + xml_escape(server) +
           "</ServerUrl></Service><DataWindow><UpperLeftX>-20037508.34</UpperLeftX>"
           "<UpperLeftY>20037508.34</UpperLeftY><LowerRightX>20037508.34</LowerRightX>"
           "<LowerRightY>-20037508.34</LowerRightY><TileLevel>19</TileLevel>"
           "<TileCountX>1</TileCountX><TileCountY>1</TileCountY><YOrigin>top</YOrigin>"
           "</DataWindow><Projection>EPSG:3857</Projection><BlockSizeX>256</BlockSizeX>"
           "<BlockSizeY>256</BlockSizeY><BandsCount>4</BandsCount>"
           "<UserAgent>hotspot/" HOTSPOT_VERSION_STRING "</UserAgent>"
           "<ZeroBlockHttpCodes>204,404</ZeroBlockHttpCodes></GDAL_WMS>";
}

void check_basemap(const Basemap& basemap)
{
    if (basemap.is_url())
    {
        for (const char* axis : {"{z}", "{x}", "{y}"})
            if (basemap.source.find(axis) == std::string::npos)
                throw Error(Errc::Usage, "--basemap " + basemap.source +
                                             ": a tile URL needs {z}, {x} and {y}, e.g. "
                                             "https://tiles.example.org/{z}/{x}/{y}.png");
        return;
    }
    open_source(basemap);
}

RgbaImage read_basemap(const Basemap& basemap, const Crs& crs, const engine::Box2& extent,
                       int width, int height)
{
    detail::DatasetPtr source = open_source(basemap);
    // A paletted raster (a scanned map, many GeoTIFF base maps) is expanded to colours first.
    if (source->GetRasterCount() == 1 && source->GetRasterBand(1)->GetColorTable())
    {
        source = detail::translate(*source, {"-of", "VRT", "-expand", "rgba"},
                                   basemap.source + ": its colour table cannot be read");
    }
    const detail::DatasetPtr warped = detail::warp(
        *source,
        {"-of", "MEM", "-t_srs", crs.wkt, "-te", std::to_string(extent.xmin),
         std::to_string(extent.ymin), std::to_string(extent.xmax), std::to_string(extent.ymax),
         "-ts", std::to_string(width), std::to_string(height), "-r", "bilinear", "-dstalpha"},
        basemap.source + ": the base map cannot be read");

    // The last band is the alpha GDAL added; one colour band is grey, three or more are RGB.
    const int bands = warped->GetRasterCount();
    const int colours = bands - 1 >= 3 ? 3 : 1;
    const std::size_t pixels = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
    std::vector<std::uint8_t> planes(pixels * 4);
    for (int b = 0; b < 4; ++b)
    {
        const int band = b == 3 ? bands : std::min(b, colours - 1) + 1;
        if (warped->GetRasterBand(band)->RasterIO(GF_Read, 0, 0, width, height,
                                                  planes.data() + pixels * b, width, height,
                                                  GDT_Byte, 0, 0) != CE_None)
            throw Error(Errc::Io, basemap.source + ": the base map cannot be read (" +
                                      detail::gdal_error() + ")");
    }
    RgbaImage image{width, height, std::vector<std::uint8_t>(pixels * 4)};
    for (std::size_t p = 0; p < pixels; ++p)
    {
        const double r = planes[p], g = planes[pixels + p], b = planes[2 * pixels + p];
        // Muted: a third of its colour left, then washed halfway towards white.
        const double grey = 0.299 * r + 0.587 * g + 0.114 * b;
        const auto mute = [&](double c)
        {
            const double m = 0.35 * c + 0.65 * grey;
            return static_cast<std::uint8_t>(std::lround(m + 0.45 * (255.0 - m)));
        };
        image.rgba[4 * p] = mute(r);
        image.rgba[4 * p + 1] = mute(g);
        image.rgba[4 * p + 2] = mute(b);
        image.rgba[4 * p + 3] = planes[3 * pixels + p];
    }
    return image;
}

} // namespace hotspot::io
