// pvalloc(0). glibc 2.36 rounds 0 up to a chunk of the smallest size
// (malloc_usable_size 24), not to a whole page: its pvalloc is
// _mid_memalign(pagesize, ALIGN_UP(0, pagesize)). The block is written
// up to its usable size and freed, then small blocks are allocated and
// freed next to it. The tool must not write past the chunk glibc gave
// (a fill of a whole page overwrote the next chunk's header and glibc
// aborted: "malloc(): corrupted top size" or "malloc_consolidate():
// invalid chunk size"). No ORACLE: valgrind 3.19 aborts on pvalloc.
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 0/0
#include "scenario.h"
#include <malloc.h>

static NOINLINE void work(void)
{
    void *p = pvalloc(0);
    SCN_CHECK(p != NULL && ((uintptr_t)p & 4095) == 0);
    size_t n = malloc_usable_size(p);
    SCN_CHECK(n >= 1);
    memset(p, 0xab, n);
    free(p);
    void *a[64];
    for (int i = 0; i < 64; i++)
        a[i] = malloc(24 + (size_t)i * 8);
    for (int i = 0; i < 64; i++)
        free(a[i]);
}

int main(void)
{
    work();
    scrub();
    return 0;
}
