// No scrubbing: a deep call chain leaves a stale copy of a dropped block's
// pointer in the dead stack, 40 frames below main, and main then calls
// exit(). The dead stack below the stack pointer is no root (valgrind marks
// it unaddressable), so the block is definitely lost. A tool that scans a
// stack from its lowest mapped address instead of from the stack pointer
// would call it reachable.
// EXPECT: definite 48/1 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void deep(int n)
{
    if (n == 0) {
        void *volatile p = malloc(48);
        launder_ptr(p);
        return;
    }
    volatile char pad[40];
    pad[0] = (char)n;
    deep(n - 1);
    (void)pad[0];
}

int main(void)
{
    deep(40);
    exit(0);
}
