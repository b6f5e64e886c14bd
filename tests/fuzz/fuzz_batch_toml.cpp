// Batch files: the TOML, its sections, and each query's options as its command parses them, up to
// the checks against the data (a dry run: nothing is computed or written).
#include "fuzz_support.hpp"

#include "batch_command.hpp"
#include "reporter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace hotspot;
    // A small police.uk file beside the batch file, for queries that name it.
    static const bool fixture = []
    {
        fuzz::write_input("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                          "LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
                          "a1,2019-09,Kent Police,Kent Police,0.5225,51.2745,On or near Week "
                          "Street,E01024389,Maidstone 004A,Burglary,,\n"
                          "a2,2019-09,Kent Police,Kent Police,0.5231,51.2729,On or near Gabriel's "
                          "Hill,E01024389,Maidstone 004A,Anti-social behaviour,,\n",
                          "offences.csv");
        return true;
    }();
    (void)fixture;
    app::BatchRequest request;
    request.path = fuzz::write_input(fuzz::text_of(data, size), "batch.toml");
    request.out_dir = (fuzz::scratch_folder() / "out").string();
    request.dry_run = true;
    request.run.quiet = true;
    app::Reporter reporter(true);
    fuzz::expect_clean_refusal([&] { app::run_batch(request, reporter); });
    return 0;
}
