// A global keeps only a pointer into the middle of a block: possibly lost.
// The block's first word points at the start of a second block, which is
// reached only from a possibly lost block: possibly lost too.
// EXPECT: definite 0/0 indirect 0/0 possible 150/2 reachable 0/0
// EXPECT-RECORD: 100 bytes in 1 blocks are possibly lost in loss record 2 of 2 | malloc | keep | main
// CFLAGS: -fno-builtin
// ORACLE: valgrind
#include "scenario.h"

char *middle;
static NOINLINE void keep(void)
{
    char *p = malloc(100);
    memset(p, 0, 100);
    ((void **)p)[0] = malloc(50);
    middle = p + 40;
}

int main(void)
{
    keep();
    scrub();
    return 0;
}
