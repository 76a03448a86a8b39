// One block whose only pointer is dropped: definitely lost.
// EXPECT: definite 17/1 indirect 0/0 possible 0/0 reachable 0/0
// EXPECT-RECORD: 17 bytes in 1 blocks are definitely lost in loss record 1 of 1 | malloc | leak | main
// EXPECT-LINE: definitely lost: 17 bytes in 1 blocks
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void leak(void) { launder_ptr(malloc(17)); }

int main(void)
{
    leak();
    scrub();
    return 0;
}
