// police.uk street-level CSV files, found by their header, named as the bulk download names them.
#include "offences_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    hotspot::fuzz::fuzz_offences(hotspot::fuzz::text_of(data, size), "2019-09-kent-street.csv", {},
                                 true);
    return 0;
}
