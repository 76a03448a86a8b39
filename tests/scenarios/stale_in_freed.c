// The only pointers to a block sat in memory that was freed afterwards.
// Freed memory is no root: definitely lost. A small holder (in the brk
// heap) and a 1 MiB holder (mmapped by malloc, unmapped by free).
// EXPECT: definite 66/2 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void leak(size_t holder_size)
{
    void **holder = malloc(holder_size);
    size_t n = holder_size / sizeof(void *);
    for (size_t i = 0; i < n; i++)
        holder[i] = NULL;
    void *victim = malloc(33);
    holder[0] = victim;
    holder[3] = victim;
    holder[n - 1] = victim;
    launder_ptr(victim);
    free(launder_ptr(holder));
}

int main(void)
{
    leak(256);
    leak(1 << 20);
    scrub();
    return 0;
}
