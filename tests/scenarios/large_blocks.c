// Large blocks: 64 MiB from malloc held by a global (reachable) and a
// 100 MiB calloc dropped (definitely lost); both are mmapped by malloc.
// EXPECT: definite 104857600/1 indirect 0/0 possible 0/0 reachable 67108864/1
// EXPECT-RECORD: 104,857,600 bytes in 1 blocks are definitely lost in loss record 2 of 2 | calloc | leak | main
// The oracle runs valgrind with --aspace-minaddr=0x100000000: by default
// valgrind puts the heap at low addresses (0x4a42040 here), where a 100 MiB
// block spans values that the loader's data happens to hold, and reports it
// as possibly lost; natively (and with that option) it is definitely lost.
// ORACLE: valgrind --aspace-minaddr=0x100000000
#include "scenario.h"

char *big;

static NOINLINE void keep(void)
{
    big = malloc(64u << 20);
    SCN_CHECK(big != NULL);
    memset(big, 1, 4096);
}

static NOINLINE void leak(void)
{
    char *p = calloc(100, 1u << 20);
    SCN_CHECK(p != NULL);
    launder_ptr(p);
}

int main(void)
{
    keep();
    leak();
    scrub();
    return 0;
}
