// Large blocks on huge pages. A kde of a million offences spent a quarter of its time in page
// faults, one for each 4 KiB page first written: the file's text and the offence columns. Where
// the kernel gives 2 MiB pages on request (transparent huge pages in "madvise" mode, the usual
// default), asking for them on large blocks makes those faults 512 times fewer. glibc can do the
// same for every block (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), but a program cannot set that for
// itself, and on every block it costs memory. Linked into the `hotspot` executable alone, and not
// under the sanitizers, which own allocation.

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace
{
constexpr std::size_t huge_page = std::size_t{2} << 20;
// Blocks from this size on: whole columns and texts. Smaller ones (a chunk's columns, GDAL's
// buffers) are freed and made again often, where the heap's reuse is worth more.
constexpr std::size_t large_block = std::size_t{8} << 20;
constexpr std::size_t page = 4096;

void* allocate(std::size_t bytes)
{
    if (bytes < large_block)
        return std::malloc(bytes > 0 ? bytes : 1);
    // Starting on a huge page: the whole ones inside the block are asked for. The hint may be
    // refused; nothing changes then.
    void* p = std::aligned_alloc(huge_page, (bytes + page - 1) & ~(page - 1));
    if (p)
        ::madvise(p, bytes & ~(huge_page - 1), MADV_HUGEPAGE);
    return p;
}
} // namespace

// The other forms of operator new (arrays, nothrow) call this one; operator delete's free() fits.
void* operator new(std::size_t bytes)
{
    while (true)
    {
        if (void* p = allocate(bytes))
            return p;
        if (const std::new_handler handler = std::get_new_handler())
            handler();
        else
            throw std::bad_alloc();
    }
}
