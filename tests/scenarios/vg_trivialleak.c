// Ported from Valgrind memcheck/tests/trivialleak.c (idea): the same call
// site leaks in a loop: one loss record of all the blocks.
// TRUTH (= valgrind): 10 blocks of 1000 B definitely lost, one record.
// EXPECT: definite 10000/10 indirect 0/0 possible 0/0 reachable 0/0
// EXPECT-RECORD: 10,000 bytes in 10 blocks are definitely lost in loss record 1 of 1 | malloc | leak_one | *
// CFLAGS: -fno-optimize-sibling-calls
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void leak_one(void)
{
    void *p = launder_ptr(malloc(1000));
    memset(p, 0, 1000);
}

int main(void)
{
    for (volatile int i = 0; i < 10; i++)     /* not unrolled: one call site */
        leak_one();
    scrub();
    return 0;
}
