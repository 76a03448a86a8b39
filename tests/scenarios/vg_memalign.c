// Ported from Valgrind memcheck/tests/memalign2.c and posix_memalign.c
// (idea): every aligned allocator; blocks are counted at the size asked
// for. Kept by a global: memalign(64, 100), posix_memalign(128, 200),
// aligned_alloc(32, 96). Dropped: valloc(300), memalign(4096, 10),
// posix_memalign(16, 17). Freed: one of each.
// TRUTH (= valgrind): definite 327/3, reachable 396/3.
// EXPECT: definite 327/3 indirect 0/0 possible 0/0 reachable 396/3
// ORACLE: valgrind
#include "scenario.h"
#include <malloc.h>

void *k1, *k2, *k3;

static NOINLINE void build(void)
{
    void *p;
    k1 = memalign(64, 100);
    SCN_CHECK(posix_memalign(&k2, 128, 200) == 0);
    k3 = aligned_alloc(32, 96);
    SCN_CHECK(((uintptr_t)k1 & 63) == 0 && ((uintptr_t)k2 & 127) == 0 && ((uintptr_t)k3 & 31) == 0);
    launder_ptr(valloc(300));
    launder_ptr(memalign(4096, 10));
    SCN_CHECK(posix_memalign(&p, 16, 17) == 0);
    launder_ptr(p);
    p = NULL;
    free(memalign(256, 1000));
    SCN_CHECK(posix_memalign(&p, 64, 64) == 0);
    free(p);
    p = NULL;
    free(aligned_alloc(16, 32));
    free(valloc(10));
}

int main(void)
{
    build();
    scrub();
    return 0;
}
