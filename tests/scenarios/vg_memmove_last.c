// Issue 10 item 1: the last call before exit() is memmove from a block
// whose only pointer is then cleared. memmove returns with its source
// possibly still in rsi, a caller-saved register, dead at the call of
// exit; the block must be definitely lost. The copy is made in a helper
// whose frame is dead by the time main calls exit (no local of main holds
// the source). -fno-builtin keeps the memmove call.
// TRUTH (= valgrind): definite 4096/1, reachable 4096/1 (the destination,
// held by a global).
// EXPECT: definite 4096/1 indirect 0/0 possible 0/0 reachable 4096/1
// CFLAGS: -fno-builtin
// ORACLE: valgrind
#include "scenario.h"

void *volatile src;
void *dst;

static NOINLINE void move(void)
{
    void *s = src;
    src = NULL;
    memmove(dst, s, 4096);
}

int main(void)
{
    src = malloc(4096);
    dst = malloc(4096);
    memset(src, 7, 4096);
    scrub();
    move();
    exit(0);
}
