// Offences from an OGR source (GeoJSON here): the attribute fields hotspot reads from features,
// whatever their OGR type, and geometries that are not points or have no coordinates.
#include "offences_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    hotspot::io::OffenceSource source;
    source.date_field = "month";
    source.type_field = "crime_type";
    source.id_field = "crime_id";
    source.weight_field = "weight";
    source.code_field = "beat";
    hotspot::fuzz::fuzz_offences(hotspot::fuzz::text_of(data, size), "offences.geojson", source,
                                 false);
    return 0;
}
