// Alias files (old_code,new_code) and the code book built from them.
#include "fuzz_support.hpp"

#include "hotspot/engine/areas/reconcile.hpp"
#include "hotspot/io/areas.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace hotspot;
    const auto path = fuzz::write_input(fuzz::text_of(data, size), "aliases.csv");
    fuzz::expect_clean_refusal(
        [&]
        {
            const auto aliases = io::read_aliases(path);
            const engine::CodeBook book({"MA01", "MA02", "MA03", "SW10"}, aliases);
            for (const auto& [from, to] : aliases)
                book.find(engine::normalise_code(from));
        });
    return 0;
}
