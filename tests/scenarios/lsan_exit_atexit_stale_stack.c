// Ported from LLVM compiler-rt/test/lsan/TestCases/Linux/
// exit_atexit_stale_stack.cpp (explicit-exit form), issue 10 item 1: a
// helper copies a block's only pointer into 64 slots of its own frame
// and returns; main then calls exit(0). exit's own frames (atexit
// handlers, stdio flush, the tool's check) grow down over that dead
// frame, and whichever slots they leave unwritten still hold the
// pointer. The scan of the exiting thread must start at the frame that
// called exit, so none of them counts.
// TRUTH (= valgrind, whose V-bits mark the dead slots undefined):
// definitely lost (100 B).
// EXPECT: definite 100/1 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void leak_to_dead_frame(void)
{
    volatile uintptr_t slots[64];
    void *p = malloc(100);
    memset(p, 0, 100);
    for (int i = 0; i < 64; i++)
        slots[i] = (uintptr_t)p;
    launder_ptr(p);
    __asm__ volatile("" : : "r"(slots) : "memory");
}

int main(void)
{
    scrub();
    leak_to_dead_frame();
    scrub_registers();
    exit(0);
}
