// Gazetteers of named places: CSV with longitude/latitude, or x/y with a crs column.
#include "fuzz_support.hpp"

#include "hotspot/io/places.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace hotspot;
    static const io::Crs target = io::parse_crs("EPSG:27700");
    const auto path = fuzz::write_input(fuzz::text_of(data, size), "places.csv");
    fuzz::expect_clean_refusal(
        [&]
        {
            const auto places = io::read_places(path, target);
            if (!places.empty())
            {
                double distance = 0;
                io::nearest_place(places, places.front().location, distance);
                io::find_places(places, places.back().name);
            }
        });
    return 0;
}
