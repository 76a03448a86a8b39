// abort() from a nested frame: the process dies of SIGABRT, and the report
// is still written (Valgrind does so too): the block the frame holds is
// reachable, the one dropped before is definitely lost.
// EXPECT: definite 70/1 indirect 0/0 possible 0/0 reachable 55/1
// EXPECT-EXIT: signal SIGABRT
// ORACLE: valgrind
#include "scenario.h"
#include <signal.h>

static NOINLINE void drop(void) { launder_ptr(malloc(70)); }

static NOINLINE void work(void)
{
    void *volatile held = malloc(55);
    drop();
    scrub_stack();
    abort();
    (void)held;
}

int main(void)
{
    work();
    return 0;
}
