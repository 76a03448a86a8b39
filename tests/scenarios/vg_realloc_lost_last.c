// Issue 10 item 1, in the manner of Valgrind's realloc tests: a block is
// resized by realloc and lost right before exit(). glibc's realloc leaves
// the chunk's address in caller-saved registers (r9 among them); those
// are dead at the call of exit (x86-64 psABI: only rbx, rbp, rsp, r12-r15
// survive a call) and must not keep the block alive.
// TRUTH: definitely lost (1,500 B). Valgrind agrees: by the time its
// leak check runs, exit's own code has overwritten those registers.
// EXPECT: definite 1500/1 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"

void *volatile g;

static NOINLINE void grow(void)
{
    g = malloc(100);
    memset(g, 0, 100);
    g = realloc(g, 1500);
    memset(g, 1, 1500);
}

int main(void)
{
    scrub();
    grow();
    g = NULL;
    exit(0);
}
