// realloc growing a block step by step: only the final block exists.
// One grown to 10000 bytes and held by a global: reachable; one grown to
// 5000 bytes and dropped: definitely lost; one shrunk back: freed.
// EXPECT: definite 5000/1 indirect 0/0 possible 0/0 reachable 10000/1
// EXPECT-RECORD: 5,000 bytes in 1 blocks are definitely lost | realloc | grow | main
// ORACLE: valgrind
#include "scenario.h"

char *kept;

static NOINLINE char *grow(char *p, int steps, int unit)
{
    for (int i = 1; i <= steps; i++) {
        p = realloc(p, (size_t)i * unit);
        SCN_CHECK(p != NULL);
        p[(size_t)i * unit - 1] = (char)i;
    }
    return p;
}

int main(void)
{
    kept = grow(malloc(1), 100, 100);
    launder_ptr(grow(NULL, 50, 100));
    char *s = grow(NULL, 20, 1000);
    s = realloc(s, 10);
    free(s);
    scrub();
    return 0;
}
