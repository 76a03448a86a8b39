// Issue 10 item 2 (the idea of Valgrind's V-bits, cf. memcheck/tests
// malloc_free_fill.c): a fresh malloc that reuses a freed chunk still
// holds the old contents. Block A (64 B) gets a pointer to B at word 2,
// A is freed (glibc's tcache overwrites words 0 and 1 only), and the next
// malloc(64) gets the same chunk back, which the program keeps in a
// global but never writes. B is then dropped.
// TRUTH: B is definitely lost -- the word in the new block was never
// written since it was allocated, so the program cannot use it as a
// pointer (reading it is undefined). Valgrind says the same (its malloc
// does not reuse the chunk at once, and its V-bits mark the word
// undefined anyway); the new block is still reachable.
// EXPECT: definite 32/1 indirect 0/0 possible 0/0 reachable 64/1
// ORACLE: valgrind
#include "scenario.h"

void *kept;

static NOINLINE void build(void)
{
    void **a = malloc(64);
    memset(a, 0, 64);
    a[2] = malloc(32);
    launder_ptr(a[2]);
    free(launder_ptr(a));
    kept = malloc(64);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
