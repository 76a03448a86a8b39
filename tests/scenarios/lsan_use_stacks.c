// Ported from LLVM compiler-rt/test/lsan/TestCases/use_stacks.cpp (idea):
// the only pointer to a block is a local of main, live when main calls
// exit(): a root.
// TRUTH (= valgrind): reachable (1337 B); a block dropped before:
// definitely lost (99 B).
// EXPECT: definite 99/1 indirect 0/0 possible 0/0 reachable 1337/1
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void drop(void) { launder_ptr(malloc(99)); }

int main(void)
{
    drop();
    scrub();
    void *local = malloc(1337);
    __asm__ volatile("" : : "r"(&local) : "memory");   /* local lives in memory */
    exit(0);
}
