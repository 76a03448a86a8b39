// Ported from Valgrind memcheck/tests/realloc1.c, realloc2.c, realloc3.c
// (idea): chains of realloc. Only the last block of a chain exists.
//   - a block grown and shrunk 200 times, then held by a global: reachable
//     (its final size 1000);
//   - a chain of 200 reallocs, then dropped: one definitely lost block of
//     its final size (777);
//   - realloc(NULL, 33), dropped: definitely lost;
//   - realloc(p, 0) frees p (glibc) -- nothing left.
// Every byte of every block is written (memset), so no stale word can be
// at play (that is vg_realloc_grow_stale.c).
// TRUTH (= valgrind): definite 810/2, reachable 1000/1.
// EXPECT: definite 810/2 indirect 0/0 possible 0/0 reachable 1000/1
// CFLAGS: -fno-builtin
// ORACLE: valgrind
#include "scenario.h"

void *kept;

static NOINLINE void *chain(size_t final)
{
    void *p = NULL;
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)(1 + (i * 37) % 3000);
        p = realloc(p, n);
        memset(p, 0, n);
    }
    p = realloc(p, final);
    memset(p, 0, final);
    return p;
}

static NOINLINE void build(void)
{
    kept = chain(1000);
    launder_ptr(chain(777));
    void *q = launder_ptr(realloc(NULL, 33));
    memset(q, 0, 33);
    void *r = malloc(50);
    r = realloc(r, 0);
    SCN_CHECK(r == NULL);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
