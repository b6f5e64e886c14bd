// Offences from an OGR source (GeoJSON here): the attribute fields hotspot reads from features,
// whatever their OGR type, and geometries that are not points or have no coordinates.
#include "offences_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto source = hotspot::fuzz::with_every_field();
    hotspot::fuzz::fuzz_offences(hotspot::fuzz::text_of(data, size), "offences.geojson", source,
                                 false);
    return 0;
}
