#include "cli.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace
{
// Page faults are the largest single cost of a million-offence run on the virtual machines analysts
// and CI use: backing large allocations with transparent huge pages makes a whole run 2-3x faster.
// glibc does that when its tunable asks, and reads tunables only at process start, so the process
// re-executes itself once with the tunable set. If that fails, it simply runs as it is.
void reexec_with_huge_pages(char** argv)
{
    if (std::getenv("HOTSPOT_TUNED"))
        return;
    ::setenv("HOTSPOT_TUNED", "1", 1);
    std::string tunables = "glibc.malloc.hugetlb=1";
    if (const char* existing = std::getenv("GLIBC_TUNABLES"))
        tunables = std::string(existing) + ":" + tunables;
    ::setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
    ::execv("/proc/self/exe", argv);
}
} // namespace

int main(int argc, char** argv)
{
    reexec_with_huge_pages(argv);
    return hotspot::app::run_cli(argc, argv);
}
