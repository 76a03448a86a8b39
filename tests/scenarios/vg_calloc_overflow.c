// Ported from Valgrind memcheck/tests/calloc-overflow.c and
// malloc3.c (idea): requests that cannot be met return NULL and leave no
// block behind -- calloc whose product overflows, malloc(-1),
// realloc(p, -1) (p stays valid and is freed). One ordinary leak (10 B).
// TRUTH (= valgrind): definite 10/1.
// EXPECT: definite 10/1 indirect 0/0 possible 0/0 reachable 0/0
// CFLAGS: -fno-builtin
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void build(void)
{
    volatile size_t big = (size_t)1 << 62, huge = (size_t)-1;
    SCN_CHECK(calloc(big, 16) == NULL);
    SCN_CHECK(malloc(huge) == NULL);
    void *p = malloc(20);
    SCN_CHECK(realloc(p, huge) == NULL);
    free(p);
    launder_ptr(malloc(10));
}

int main(void)
{
    build();
    scrub();
    return 0;
}
