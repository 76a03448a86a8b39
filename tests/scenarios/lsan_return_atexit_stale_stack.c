// Ported from LLVM compiler-rt/test/lsan/TestCases/Linux/
// exit_atexit_stale_stack.cpp (implicit-exit form), issue 10 item 1: as
// lsan_exit_atexit_stale_stack.c, but main returns and libc calls exit
// for it. The slots below main's frame are dead once main has returned;
// the scan of the exiting thread must start at the frame that called exit
// (libc's), so none of them counts.
// TRUTH (= valgrind): definitely lost (100 B).
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
    return 0;
}
