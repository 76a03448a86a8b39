// exit() is called while a frame still holds a block: still reachable
// (Valgrind scans the stack from the stack pointer at the exit call).
// A block dropped before that: definitely lost. The exit status (3) must
// be kept.
// EXPECT: definite 77/1 indirect 0/0 possible 0/0 reachable 88/1
// EXPECT-EXIT: 3
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void drop(void) { launder_ptr(malloc(77)); }

static NOINLINE void work(void)
{
    void *volatile held = malloc(88);
    drop();
    scrub_stack();
    exit(3);
    (void)held;
}

int main(void)
{
    work();
    return 0;
}
