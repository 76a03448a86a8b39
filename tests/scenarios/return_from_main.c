// main returns while a block is held only by one of main's locals: after
// the return main's frame is dead, so the block is definitely lost
// (Valgrind: KDE bug 457860; verified with valgrind 3.19). A block a
// global holds stays reachable. The return value (4) is the exit status.
// EXPECT: definite 55/1 indirect 0/0 possible 0/0 reachable 66/1
// EXPECT-EXIT: 4
// ORACLE: valgrind
#include "scenario.h"

void *kept;
static NOINLINE void *make(size_t n) { return malloc(n); }

int main(void)
{
    void *volatile local = make(55);
    kept = make(66);
    scrub();
    (void)local;
    return 4;
}
