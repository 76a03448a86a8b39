// One definitely lost block from each allocation function (pvalloc has its
// own scenario: valgrind 3.19 does not support it). Blocks come from ten
// call sites: ten records, all shown. Frame 0 is given where valgrind's
// name for it is the function called; valgrind 3.19 names realloc(NULL, n)
// and reallocarray "malloc", aligned_alloc and valloc "memalign", and shows
// posix_memalign as memalign + posix_memalign, so there only the frames
// from leak_all on are checked.
// EXPECT: definite 4593/10 indirect 0/0 possible 0/0 reachable 0/0
// EXPECT-RECORD: 10 bytes in 1 blocks are definitely lost | malloc | leak_all | main
// EXPECT-RECORD: 21 bytes in 1 blocks are definitely lost | calloc | leak_all | main
// EXPECT-RECORD: 30 bytes in 1 blocks are definitely lost | * | leak_all | main
// EXPECT-RECORD: 4,000 bytes in 1 blocks are definitely lost in loss record 10 of 10 | realloc | leak_all | main
// EXPECT-RECORD: 100 bytes in 1 blocks are definitely lost | ... | leak_all | main
// EXPECT-RECORD: 256 bytes in 1 blocks are definitely lost | * | leak_all | main
// EXPECT-RECORD: 50 bytes in 1 blocks are definitely lost | memalign | leak_all | main
// EXPECT-RECORD: 70 bytes in 1 blocks are definitely lost | * | leak_all | main
// EXPECT-RECORD: 20 bytes in 1 blocks are definitely lost | malloc | strdup | leak_all | main
// EXPECT-RECORD: 36 bytes in 1 blocks are definitely lost | * | leak_all | main
// ORACLE: valgrind
#include "scenario.h"
#include <malloc.h>

static NOINLINE void leak_all(void)
{
    void *p;
    launder_ptr(malloc(10));
    launder_ptr(calloc(3, 7));
    launder_ptr(realloc(NULL, 30));
    p = malloc(5);
    p = realloc(p, 4000);
    launder_ptr(p);
    p = NULL;
    SCN_CHECK(posix_memalign(&p, 64, 100) == 0);
    SCN_CHECK(((uintptr_t)p & 63) == 0);
    launder_ptr(p);
    p = NULL;
    p = aligned_alloc(128, 256);
    SCN_CHECK(p && ((uintptr_t)p & 127) == 0);
    launder_ptr(p);
    p = memalign(32, 50);
    SCN_CHECK(p && ((uintptr_t)p & 31) == 0);
    launder_ptr(p);
    p = valloc(70);
    SCN_CHECK(p && ((uintptr_t)p & 4095) == 0);
    launder_ptr(p);
    p = strdup("a string that leaks");
    SCN_CHECK(p && strcmp(p, "a string that leaks") == 0);
    launder_ptr(p);
    launder_ptr(reallocarray(NULL, 4, 9));
    p = NULL;
}

int main(void)
{
    leak_all();
    scrub();
    return 0;
}
