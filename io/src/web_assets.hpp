#pragma once
// Leaflet, compiled in from Debian's libjs-leaflet (see io/CMakeLists.txt).

namespace hotspot::io::detail
{
extern const bool have_leaflet;
extern const char* const leaflet_js;
extern const char* const leaflet_css;
extern const char* const leaflet_layers_png_hex; ///< the layer control's icons, as hex
extern const char* const leaflet_layers_2x_png_hex;
} // namespace hotspot::io::detail
