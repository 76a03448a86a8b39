// Ported from Valgrind memcheck/tests/big_blocks_freed_list.c (idea): big
// blocks (mmap'd by glibc above its threshold) and small ones are freed
// and allocated in turn; only what is left at exit counts.
//   - 10 blocks of 1 MiB allocated and freed, 5 of them kept by a global
//     array (reachable), 2 dropped (definitely lost);
//   - 100 small blocks freed, 3 small ones dropped.
// TRUTH (= valgrind): definite 2 MiB + 3x24 B, reachable 5 MiB + 80 B
// (the array).
// EXPECT: definite 2097224/5 indirect 0/0 possible 0/0 reachable 5242960/6
// ORACLE: valgrind
#include "scenario.h"

void **big;

static NOINLINE void build(void)
{
    big = calloc(10, sizeof *big);
    for (int i = 0; i < 10; i++) {
        void *p = malloc(1 << 20);
        memset(p, 0, 64);
        free(p);
    }
    for (int i = 0; i < 5; i++)
        big[i] = malloc(1 << 20);
    for (int i = 0; i < 2; i++)
        launder_ptr(malloc(1 << 20));
    for (int i = 0; i < 100; i++)
        free(malloc((size_t)(i + 1)));
    for (int i = 0; i < 3; i++) {
        void *p = launder_ptr(malloc(24));
        memset(p, 0, 24);
    }
}

int main(void)
{
    build();
    scrub();
    return 0;
}
