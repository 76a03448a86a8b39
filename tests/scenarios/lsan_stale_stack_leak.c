// Ported from LLVM compiler-rt/test/lsan/TestCases/stale_stack_leak.cpp
// (idea): a pointer left in the frame of a function that has returned sits
// below the stack pointer: not a root. Here the stale copy is made
// deliberately (a volatile local in a returned frame, not scrubbed),
// and main then calls exit() from a shallower frame.
// TRUTH (= valgrind, which scans from the stack pointer up): definitely
// lost (1337 B).
// EXPECT: definite 1337/1 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void deep(int n)
{
    volatile char pad[512];
    void *volatile slot = malloc(1337);
    pad[0] = (char)n;
    (void)pad[0];
    launder_ptr(slot);
}

int main(void)
{
    scrub_registers();
    deep(1);
    scrub_registers();
    exit(0);
}
