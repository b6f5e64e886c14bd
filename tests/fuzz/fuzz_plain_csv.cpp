// Plain CSV files with coordinate columns and every optional field named.
#include "offences_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    hotspot::io::OffenceSource source;
    source.x_field = "x";
    source.y_field = "y";
    source.crs = "EPSG:27700";
    source.date_field = "date";
    source.type_field = "type";
    source.id_field = "id";
    source.weight_field = "weight";
    source.code_field = "beat";
    hotspot::fuzz::fuzz_offences(hotspot::fuzz::text_of(data, size), "offences.csv", source, true);
    return 0;
}
