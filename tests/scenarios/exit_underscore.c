// The program ends with _exit() from main: the report must still be
// written, and the status (5) kept. A block a global holds: reachable;
// one dropped: definitely lost.
// EXPECT: definite 123/1 indirect 0/0 possible 0/0 reachable 45/1
// EXPECT-EXIT: 5
// ORACLE: valgrind
#include "scenario.h"

void *kept;
static NOINLINE void work(void)
{
    launder_ptr(malloc(123));
    kept = malloc(45);
}

int main(void)
{
    work();
    scrub();
    _exit(5);
}
