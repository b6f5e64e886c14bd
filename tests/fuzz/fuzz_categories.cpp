// Offence category tables (category, source, ho_codes, police_uk_types, description).
#include "fuzz_support.hpp"

#include "hotspot/io/categories.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace hotspot;
    fuzz::expect_clean_refusal([&]
                               { io::parse_categories(fuzz::text_of(data, size), "fuzz.csv"); });
    return 0;
}
