// Ported from Valgrind memcheck/tests/leak-0.c (idea): malloc(0) returns a
// unique block of size 0; two are dropped, one is kept by a global.
// TRUTH (= valgrind): "0 bytes in 2 blocks are definitely lost", one
// zero-sized block still reachable.
// EXPECT: definite 0/2 indirect 0/0 possible 0/0 reachable 0/1
// EXPECT-RECORD: 0 bytes in 2 blocks are definitely lost | malloc | drop | main
// CFLAGS: -fno-optimize-sibling-calls
// ORACLE: valgrind
#include "scenario.h"

void *kept;

static NOINLINE void drop(void)
{
    for (volatile int i = 0; i < 2; i++)
        launder_ptr(malloc(0));
}

int main(void)
{
    drop();
    kept = malloc(0);
    SCN_CHECK(kept != NULL);
    scrub();
    return 0;
}
