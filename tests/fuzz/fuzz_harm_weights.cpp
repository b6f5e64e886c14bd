// Harm weight tables (key,weight with a header comment), as --harm FILE reads them.
#include "fuzz_support.hpp"

#include "hotspot/io/harm.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace hotspot;
    fuzz::expect_clean_refusal(
        [&]
        {
            const auto table = io::parse_harm_table(fuzz::text_of(data, size), "fuzz.csv");
            for (const auto& [key, weight] : table.weight)
                if (!table.find(key) || !(*table.find(key) >= 0))
                {
                    std::fprintf(stderr,
                                 "a key read is not found again, or its weight is negative\n");
                    std::abort();
                }
        });
    return 0;
}
