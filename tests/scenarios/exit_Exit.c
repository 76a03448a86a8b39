// _Exit() called from a nested frame that still holds a block: the
// report is still written, the held block is still reachable (the stack is
// scanned from the stack pointer at the call), a dropped one definitely
// lost, and the status (6) kept.
// EXPECT: definite 99/1 indirect 0/0 possible 0/0 reachable 111/1
// EXPECT-EXIT: 6
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void drop(void) { launder_ptr(malloc(99)); }

static NOINLINE void work(void)
{
    void *volatile held = malloc(111);
    drop();
    scrub_stack();
    _Exit(6);
    (void)held;
}

int main(void)
{
    work();
    return 0;
}
