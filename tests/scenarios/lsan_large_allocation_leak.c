// Ported from LLVM compiler-rt/test/lsan/TestCases/
// large_allocation_leak.cpp (idea): a 33 MiB block (mmap'ed by glibc) is
// leaked, and one is kept by a global.
// TRUTH: definite 34,603,008/1, reachable 34,603,008/1 -- the program
// holds no pointer into the dropped block. Valgrind 3.19 calls the dropped
// block "possibly lost" (even when it is the only block of the program):
// in its address-space layout some unrelated word of the client falls
// inside the 33 MiB range and counts as an interior pointer -- a
// conservative-scan coincidence, so no ORACLE here (with a 1 MiB block
// valgrind says definitely lost).
// EXPECT: definite 34603008/1 indirect 0/0 possible 0/0 reachable 34603008/1
#include "scenario.h"

void *kept;

static NOINLINE void build(void)
{
    launder_ptr(malloc(33 << 20));
    kept = malloc(33 << 20);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
