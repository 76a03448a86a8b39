// Issue 10 item 1: the last call before exit() is memmove from a block
// whose only pointer is then cleared. memmove returns with its source
// possibly still in rsi, a caller-saved register, dead at the call of
// exit; the block must be definitely lost. The copy is made in a helper
// whose frame is dead by the time main calls exit (no local of main holds
// the source). The copy is 64 bytes: glibc copies small sizes with
// vector loads and stores and leaves rsi at the source (a large copy with
// `rep movsb` would advance it past the end). -fno-builtin keeps the
// memmove call. (Before the fix: still reachable in all four builds.)
// TRUTH (= valgrind): definite 64/1, reachable 64/1 (the destination,
// held by a global).
// EXPECT: definite 64/1 indirect 0/0 possible 0/0 reachable 64/1
// CFLAGS: -fno-builtin
// ORACLE: valgrind
#include "scenario.h"

void *volatile src;
void *dst;

static NOINLINE void move(void)
{
    void *s = src;
    src = NULL;
    memmove(dst, s, 64);
}

int main(void)
{
    src = malloc(64);
    dst = malloc(64);
    memset(src, 7, 64);
    scrub();
    move();
    exit(0);
}
