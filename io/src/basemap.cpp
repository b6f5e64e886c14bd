#include "hotspot/io/basemap.hpp"

#include "gdal_util.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"

#include <gdal_utils.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace hotspot::io
{

namespace
{
bool starts_with_folded(const std::string& text, const char* prefix)
{
    return engine::fold(text.substr(0, std::char_traits<char>::length(prefix))) == prefix;
}

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

struct OptionsDeleter
{
    void operator()(GDALWarpAppOptions* o) const { GDALWarpAppOptionsFree(o); }
    void operator()(GDALTranslateOptions* o) const { GDALTranslateOptionsFree(o); }
};

// GDAL's utilities take their options as an argv list.
std::vector<char*> argv_of(std::vector<std::string>& args)
{
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    return argv;
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
    return starts_with_folded(source, "http://") || starts_with_folded(source, "https://") ||
           starts_with_folded(source, "file://");
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
        std::vector<std::string> args{"-of", "VRT", "-expand", "rgba"};
        auto argv = argv_of(args);
        std::unique_ptr<GDALTranslateOptions, OptionsDeleter> options(
            GDALTranslateOptionsNew(argv.data(), nullptr));
        detail::DatasetPtr expanded(GDALDataset::FromHandle(
            GDALTranslate("", GDALDataset::ToHandle(source.get()), options.get(), nullptr)));
        if (!expanded)
            throw Error(Errc::Io, basemap.source + ": its colour table cannot be read (" +
                                      detail::gdal_error() + ")");
        source = std::move(expanded);
    }
    std::vector<std::string> args{"-of",
                                  "MEM",
                                  "-t_srs",
                                  crs.wkt,
                                  "-te",
                                  std::to_string(extent.xmin),
                                  std::to_string(extent.ymin),
                                  std::to_string(extent.xmax),
                                  std::to_string(extent.ymax),
                                  "-ts",
                                  std::to_string(width),
                                  std::to_string(height),
                                  "-r",
                                  "bilinear",
                                  "-dstalpha"};
    auto argv = argv_of(args);
    std::unique_ptr<GDALWarpAppOptions, OptionsDeleter> options(
        GDALWarpAppOptionsNew(argv.data(), nullptr));
    GDALDatasetH sources[] = {GDALDataset::ToHandle(source.get())};
    int usage_error = 0;
    detail::DatasetPtr warped(
        GDALDataset::FromHandle(GDALWarp("", nullptr, 1, sources, options.get(), &usage_error)));
    if (!warped)
        throw Error(Errc::Io, basemap.source + ": the base map cannot be read (" +
                                  detail::gdal_error() + ")");

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
