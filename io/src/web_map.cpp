#include "hotspot/io/web_map.hpp"

#include "gdal_util.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/files.hpp"
#include "map_image.hpp"
#include "markup.hpp"
#include "web_assets.hpp"

#include <cpl_string.h>
#include <gdal_alg.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace hotspot::io
{

namespace
{
using nlohmann::json;

std::string base64(const std::string& bytes)
{
    char* text = CPLBase64Encode(static_cast<int>(bytes.size()),
                                 reinterpret_cast<const GByte*>(bytes.data()));
    std::string out(text);
    CPLFree(text);
    return out;
}

std::string png_data_uri(cairo_surface_t* image)
{
    return "data:image/png;base64," + base64(detail::png_bytes(image));
}

std::string hex_to_bytes(const char* hex)
{
    std::string bytes;
    for (const char* p = hex; p[0] && p[1]; p += 2)
        bytes.push_back(static_cast<char>(std::stoi(std::string(p, 2), nullptr, 16)));
    return bytes;
}

std::string html_escape(const std::string& text)
{
    return detail::markup_escaped(text);
}

// Leaflet's stylesheet with its layer-control icons inlined: the page asks for no file.
std::string leaflet_css()
{
    std::string css = detail::leaflet_css;
    for (const auto& [name, hex] :
         {std::pair{"images/layers-2x.png", detail::leaflet_layers_2x_png_hex},
          std::pair{"images/layers.png", detail::leaflet_layers_png_hex}})
    {
        const std::string uri = "data:image/png;base64," + base64(hex_to_bytes(hex));
        for (auto at = css.find(name); at != std::string::npos; at = css.find(name, at))
            css.replace(at, std::char_traits<char>::length(name), uri);
    }
    return css;
}

// Leaflet lays out lon/lat in Web Mercator, and stretches an image overlay linearly between its
// corners there: the density is warped to EPSG:3857 so that its cells land where they are.
struct MercatorImage
{
    std::vector<double> values;
    int width = 0, height = 0;
    engine::Box2 extent; ///< EPSG:3857 metres
};

MercatorImage to_mercator(const engine::Raster<double>& surface, double nodata, const Crs& crs,
                          int max_px)
{
    const detail::DatasetPtr source =
        detail::memory_raster(surface, crs, GDT_Float64, "web map: the surface");
    source->GetRasterBand(1)->SetNoDataValue(nodata);
    // At GDAL's suggested size a pixel is about a cell, and nearest-neighbour sampling would skip
    // some cells (the peak among them): twice as many pixels a side give every cell at least one,
    // up to `max_px`.
    void* transformer = GDALCreateGenImgProjTransformer2(
        GDALDataset::ToHandle(source.get()), nullptr,
        CPLStringList().SetNameValue("DST_SRS", "EPSG:3857").List());
    double suggested[6];
    int suggested_cols = 0, suggested_rows = 0;
    const bool sized =
        transformer && GDALSuggestedWarpOutput(GDALDataset::ToHandle(source.get()),
                                               GDALGenImgProjTransform, transformer, suggested,
                                               &suggested_cols, &suggested_rows) == CE_None;
    if (transformer)
        GDALDestroyGenImgProjTransformer(transformer);
    const std::string failure = "web map: the surface cannot be reprojected to Web Mercator";
    if (!sized)
        throw Error(Errc::Io, failure + " (" + detail::gdal_error() + ")");
    const double factor =
        std::min(2.0, static_cast<double>(max_px) / std::max(suggested_cols, suggested_rows));
    const auto side = [&](int n)
    { return std::to_string(std::max(1, static_cast<int>(std::lround(n * factor)))); };
    const detail::DatasetPtr warped =
        detail::warp(*source,
                     {"-of", "MEM", "-t_srs", "EPSG:3857", "-r", "near", "-dstnodata",
                      std::to_string(nodata), "-ts", side(suggested_cols), side(suggested_rows)},
                     failure);
    MercatorImage image;
    image.width = warped->GetRasterXSize();
    image.height = warped->GetRasterYSize();
    double t[6];
    warped->GetGeoTransform(t);
    image.extent = {t[0], t[3] + t[5] * image.height, t[0] + t[1] * image.width, t[3]};
    image.values.resize(static_cast<std::size_t>(image.width) * image.height);
    if (warped->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, image.width, image.height,
                                           image.values.data(), image.width, image.height,
                                           GDT_Float64, 0, 0) != CE_None)
        throw Error(Errc::Io, "web map: the reprojected surface cannot be read (" +
                                  detail::gdal_error() + ")");
    return image;
}

double rounded(double degrees)
{
    return std::round(degrees * 1e6) / 1e6; // about 0.1 m: enough for any map, half the bytes
}

json ring_json(const engine::Ring& ring, const Reprojector& to_lonlat)
{
    json out = json::array();
    for (const auto& p : ring)
    {
        const auto q = to_lonlat.transform(p);
        out.push_back({rounded(q.x), rounded(q.y)});
    }
    if (!ring.empty() && !(ring.front().x == ring.back().x && ring.front().y == ring.back().y))
        out.push_back(out.front()); // GeoJSON rings are closed
    return out;
}

json multipolygon_json(const engine::MultiPolygon& shape, const Reprojector& to_lonlat)
{
    json polygons = json::array();
    for (const auto& polygon : shape)
    {
        json rings = json::array({ring_json(polygon.outer, to_lonlat)});
        for (const auto& hole : polygon.holes)
            rings.push_back(ring_json(hole, to_lonlat));
        polygons.push_back(std::move(rings));
    }
    return {{"type", "MultiPolygon"}, {"coordinates", std::move(polygons)}};
}

// The page's own code: everything it shows is built from the data object `d`.
constexpr const char* page_script = R"js(
(function () {
  'use strict';
  const map = L.map('map', {zoomSnap: 0.25});
  const overlays = {};
  if (d.tiles) {
    overlays['Base map'] = L.tileLayer(d.tiles.url, {attribution: d.tiles.attribution, maxZoom: 19}).addTo(map);
  }
  if (d.basemap) {
    overlays['Base map'] = L.imageOverlay(d.basemap.image, d.basemap.bounds,
      {attribution: d.basemap.attribution, className: 'basemap-overlay'}).addTo(map);
  }
  overlays['Density'] = L.imageOverlay(d.density.image, d.density.bounds,
    {opacity: d.density.opacity, className: 'density-overlay'}).addTo(map);
  overlays['Boundaries'] = L.geoJSON(d.boundaries, {
    style: {color: '#555', weight: 1, fill: false},
    className: 'boundary-outline',
    onEachFeature: function (f, layer) { if (f.properties.name) layer.bindTooltip(f.properties.name, {sticky: true}); }
  }).addTo(map);
  overlays['Places'] = L.layerGroup(d.places.map(function (p) {
    return L.circleMarker([p.lat, p.lon], {radius: 3, color: '#000', weight: 1, fillOpacity: 1})
      .bindTooltip(p.name, {permanent: true, direction: 'right', className: 'place-label'});
  })).addTo(map);
  const spots = {};
  function cell(tag, text) { const e = document.createElement(tag); e.textContent = text; return e; }
  function popup(values, hours) {
    const table = document.createElement('table');
    d.fields.forEach(function (name, i) {
      if (values[i] === '') return;
      const row = table.insertRow();
      row.appendChild(cell('th', name));
      row.appendChild(cell('td', values[i]));
    });
    if (!hours) return table;
    // When: hours of the day across, Monday to Sunday down.
    const box = document.createElement('div');
    box.appendChild(table);
    box.appendChild(cell('div', 'When (hours 00-23 across, Mon-Sun down):'));
    const canvas = document.createElement('canvas');
    canvas.width = 24 * 9; canvas.height = 7 * 9; canvas.className = 'hour-chart';
    const g = canvas.getContext('2d');
    hours.forEach(function (colour, k) {
      g.fillStyle = colour;
      g.fillRect((k % 24) * 9, Math.floor(k / 24) * 9, 8, 8);
    });
    box.appendChild(canvas);
    return box;
  }
  overlays['Hotspots'] = L.geoJSON(d.hotspots, {
    style: {color: '#d91a1a', weight: 2, fillOpacity: 0}, // filled, so a click inside opens it; clear, so the density's colours stay true
    className: 'hotspot-outline',
    onEachFeature: function (f, layer) {
      spots[f.properties.rank] = layer;
      layer.bindPopup(popup(f.properties.values, f.properties.hours), {maxWidth: 420});
      layer.bindTooltip(String(f.properties.rank), {permanent: true, direction: 'center', className: 'rank-label'});
    }
  }).addTo(map);
  L.control.layers(null, overlays, {collapsed: false}).addTo(map);
  L.control.scale({imperial: false, position: 'topleft'}).addTo(map);
  map.attributionControl.addAttribution(d.attribution);

  const legend = L.control({position: 'bottomright'});
  legend.onAdd = function () {
    const box = L.DomUtil.create('div', 'legend');
    box.appendChild(cell('div', d.legend.units)).className = 'legend-units';
    const body = L.DomUtil.create('div', 'legend-body', box);
    const bar = L.DomUtil.create('div', 'legend-bar', body);
    if (d.legend.categories.length) {
      bar.remove();
      d.legend.categories.forEach(function (k) {
        const row = L.DomUtil.create('div', 'legend-category', body);
        L.DomUtil.create('span', 'swatch', row).style.background = k.colour;
        row.appendChild(document.createTextNode(k.label));
      });
      return box;
    }
    bar.style.background = 'linear-gradient(to top, ' + d.legend.colours.join(', ') + ')';
    const ticks = L.DomUtil.create('div', 'legend-ticks', body);
    const text = function (v) { return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2); };
    for (let t = 4; t >= 0; --t) {
      const v = d.legend.min + (d.legend.max - d.legend.min) * t / 4;
      const tick = ticks.appendChild(cell('div', text(v)));
      if (t === 4) { tick.id = 'legend-max'; tick.dataset.value = String(d.legend.max); }
    }
    return box;
  };
  legend.addTo(map);

  // The patrol list: a row per hotspot; a click zooms to it.
  const list = document.getElementById('patrol-list');
  const head = list.createTHead().insertRow();
  d.fields.slice(0, d.table_fields).forEach(function (name) { head.appendChild(cell('th', name)); });
  const body = list.createTBody();
  d.hotspots.features.forEach(function (f) {
    const row = body.insertRow();
    row.className = 'spot';
    f.properties.values.slice(0, d.table_fields).forEach(function (v) { row.appendChild(cell('td', v)); });
    row.addEventListener('click', function () { show(f.properties.rank, true); });
  });
  function show(rank, open) {
    const layer = spots[rank];
    if (!layer) return false;
    map.fitBounds(layer.getBounds(), {padding: [30, 30], animate: false});
    if (open) layer.openPopup();
    history.replaceState(null, '', '#hotspot=' + rank);
    return true;
  }
  // A link to page.html#hotspot=3 opens on hotspot 3; #hotspot=3&popup with its popup open.
  const wanted = /^#hotspot=(\d+)(&popup)?$/.exec(location.hash);
  if (!(wanted && show(Number(wanted[1]), Boolean(wanted[2]))))
    map.fitBounds(d.density.bounds, {animate: false});
})();
)js";

constexpr const char* page_style = R"css(
html, body { margin: 0; height: 100%; font-family: "DejaVu Sans", Arial, sans-serif; color: #222; }
#page { display: flex; height: 100%; }
#side { width: 380px; overflow-y: auto; overflow-x: hidden; padding: 10px 14px; box-sizing: border-box; border-right: 1px solid #bbb; }
#side h1 { font-size: 17px; margin: 4px 0 6px; }
#side p { font-size: 12px; line-height: 1.35; margin: 0 0 8px; }
#map { flex: 1; background: #fff; }
.density-overlay, .basemap-overlay { image-rendering: pixelated; }
#patrol-list { border-collapse: collapse; font-size: 12px; width: 100%; }
#patrol-list th, #patrol-list td { padding: 3px 4px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
#patrol-list tr.spot { cursor: pointer; }
#patrol-list tr.spot:hover { background: #fde8e8; }
.leaflet-popup-content table { border-collapse: collapse; font-size: 12px; }
.leaflet-popup-content th { text-align: left; padding: 1px 8px 1px 0; vertical-align: top; white-space: nowrap; }
.rank-label { background: none; border: none; box-shadow: none; color: #a00; font-weight: bold; font-size: 15px;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
.place-label { background: none; border: none; box-shadow: none; font-weight: bold; text-shadow: 0 0 3px #fff; }
.legend { background: rgba(255, 255, 255, 0.92); padding: 6px 8px; font-size: 12px; border-radius: 4px; }
.legend-units { font-weight: bold; margin-bottom: 4px; }
.legend-body { display: flex; }
.legend-bar { width: 18px; height: 140px; margin-right: 6px; }
.legend-ticks { display: flex; flex-direction: column; justify-content: space-between; height: 140px; }
.legend-category { display: flex; align-items: center; margin: 1px 0; }
.swatch { display: inline-block; width: 14px; height: 12px; margin-right: 6px; border: 1px solid #888; }
)css";
} // namespace

void check_web_map_path(const std::string& path)
{
    const std::string ext = engine::fold(std::filesystem::path(path).extension().string());
    if (ext != ".html" && ext != ".htm")
        throw Error(Errc::Usage, path + ": web maps are written as .html");
    if (!detail::have_leaflet)
        throw Error(Errc::Usage, path + ": this hotspot was built without Leaflet; install "
                                        "Debian's libjs-leaflet (make deps) and build again");
}

WebMapSummary write_web_map(const WebMapContent& c, const std::string& path,
                            const WebMapOptions& options)
{
    check_web_map_path(path);
    const MapContent& m = c.map;
    if (m.surface.grid.cols <= 0 || m.surface.grid.rows <= 0)
        throw Error(Errc::BadData, "web map: the surface is empty");
    if (c.details.size() != m.hotspots.size())
        throw Error(Errc::Internal, "web map: a hotspot without its details");

    WebMapSummary summary;
    summary.legend_max =
        std::isnan(m.legend_max) ? detail::surface_peak(m.surface.values, m.nodata) : m.legend_max;
    const MercatorImage density = to_mercator(m.surface, m.nodata, m.crs, options.max_image_px);
    summary.image_width = density.width;
    summary.image_height = density.height;
    const Crs mercator = parse_crs("EPSG:3857");
    const Reprojector mercator_to_lonlat(mercator, wgs84());
    const auto bounds_of = [&](const engine::Box2& box)
    {
        const auto sw = mercator_to_lonlat.transform({box.xmin, box.ymin});
        const auto ne = mercator_to_lonlat.transform({box.xmax, box.ymax});
        return json::array({{sw.y, sw.x}, {ne.y, ne.x}});
    };

    const bool over_basemap = !m.basemap.empty();
    json d;
    d["density"] = {
        {"image", png_data_uri(detail::density_image(density.values, density.width, density.height,
                                                     m.nodata, summary.legend_max, m.categories)
                                   .get())},
        {"bounds", bounds_of(density.extent)},
        {"opacity", over_basemap ? 0.8 : 1.0}};
    d["tiles"] = nullptr;
    d["basemap"] = nullptr;
    if (over_basemap && m.basemap.is_url())
        d["tiles"] = {{"url", m.basemap.source}, {"attribution", m.basemap.attribution}};
    else if (over_basemap)
    {
        // Streets need more pixels than the density: the longer side at 2048.
        const double aspect = density.extent.width() / density.extent.height();
        const int w = aspect >= 1 ? 2048 : std::max(1, static_cast<int>(2048 * aspect));
        const int h = aspect >= 1 ? std::max(1, static_cast<int>(2048 / aspect)) : 2048;
        d["basemap"] = {
            {"image", png_data_uri(detail::cairo_image(
                                       read_basemap(m.basemap, mercator, density.extent, w, h))
                                       .get())},
            {"bounds", bounds_of(density.extent)},
            {"attribution", m.basemap.attribution}};
    }

    const Reprojector to_lonlat(m.crs, wgs84());
    json spots = json::array();
    for (std::size_t i = 0; i < m.hotspots.size(); ++i)
    {
        json properties = {{"rank", std::stoi(m.hotspots[i].label)},
                           {"values", c.details[i].values}};
        if (!c.details[i].hour_colours.empty())
            properties["hours"] = c.details[i].hour_colours;
        spots.push_back({{"type", "Feature"},
                         {"properties", std::move(properties)},
                         {"geometry", multipolygon_json(m.hotspots[i].shape, to_lonlat)}});
    }
    summary.hotspots = spots.size();
    d["hotspots"] = {{"type", "FeatureCollection"}, {"features", std::move(spots)}};
    json boundaries = json::array();
    for (const auto& b : m.boundaries)
        boundaries.push_back({{"type", "Feature"},
                              {"properties", {{"name", b.label}}},
                              {"geometry", multipolygon_json(b.shape, to_lonlat)}});
    d["boundaries"] = {{"type", "FeatureCollection"}, {"features", std::move(boundaries)}};
    json places = json::array();
    for (const auto& [name, at] : m.places)
    {
        const auto q = to_lonlat.transform(at);
        places.push_back({{"name", name}, {"lat", rounded(q.y)}, {"lon", rounded(q.x)}});
    }
    d["places"] = std::move(places);
    d["fields"] = c.fields;
    d["table_fields"] = std::min(c.table_fields, c.fields.size());
    json colours = json::array();
    for (int i = 0; i < 10; ++i)
        colours.push_back(ramp_hex(i / 9.0));
    json categories = json::array();
    for (const auto& k : m.categories)
    {
        categories.push_back({{"label", k.label}, {"colour", hex_colour(k.r, k.g, k.b)}});
    }
    d["legend"] = {{"units", m.units},
                   {"min", summary.legend_min},
                   {"max", summary.legend_max},
                   {"colours", std::move(colours)},
                   {"categories", std::move(categories)}};
    d["attribution"] = m.attribution;

    // Inside a <script>, "</" could end it early: JSON allows "<\/" for it.
    std::string data = d.dump();
    for (auto at = data.find("</"); at != std::string::npos; at = data.find("</", at))
        data.replace(at, 2, "<\\/");

    std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<meta name=\"generator\" content=\"hotspot " HOTSPOT_VERSION_STRING "\">\n"
                       "<title>" +
                       html_escape(m.title) + "</title>\n<style>\n" + leaflet_css() +
                       "</style>\n<style>" + page_style +
                       "</style>\n</head>\n<body>\n"
                       "<div id=\"page\">\n<div id=\"side\">\n<h1>" +
                       html_escape(m.title) + "</h1>\n<p>" + html_escape(m.subtitle) +
                       "</p>\n<table id=\"patrol-list\"></table>\n<p><small>" +
                       html_escape(m.attribution) +
                       "</small></p>\n</div>\n<div id=\"map\"></div>\n</div>\n<script>\n" +
                       detail::leaflet_js + "\n</script>\n<script>\nconst d = " + data + ";\n" +
                       page_script + "</script>\n</body>\n</html>\n";
    summary.bytes = html.size();
    write_text_file(path, html, options.overwrite);
    return summary;
}

} // namespace hotspot::io
