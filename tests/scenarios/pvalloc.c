// pvalloc(70) leaked. No ORACLE: valgrind 3.19 aborts the program on
// pvalloc ("Program aborting because of call to pvalloc"). Stated
// semantics: glibc's pvalloc allocates whole pages, so the block is one
// page (4096 bytes on this machine) and definitely lost; the record's
// frame 0 is pvalloc.
// EXPECT: definite 4096/1 indirect 0/0 possible 0/0 reachable 0/0
// EXPECT-RECORD: 4,096 bytes in 1 blocks are definitely lost | pvalloc | leak | main
#include "scenario.h"
#include <malloc.h>

static NOINLINE void leak(void)
{
    void *p = pvalloc(70);
    SCN_CHECK(p && ((uintptr_t)p & 4095) == 0);
    SCN_CHECK(sysconf(_SC_PAGESIZE) == 4096);
    launder_ptr(p);
}

int main(void)
{
    leak();
    scrub();
    return 0;
}
