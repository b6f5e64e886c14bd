// Plain CSV files with coordinate columns and every optional field named.
#include "offences_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto source = hotspot::fuzz::with_every_field();
    source.x_field = "x";
    source.y_field = "y";
    source.crs = "EPSG:27700";
    hotspot::fuzz::fuzz_offences(hotspot::fuzz::text_of(data, size), "offences.csv", source, true);
    return 0;
}
