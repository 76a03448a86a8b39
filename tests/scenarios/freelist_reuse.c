// A freed block's address is still held by a global (a stale pointer, as a
// Go object not yet collected holds a freed C block); the next malloc of
// that size would get the same address from glibc. With --freelist-vol
// (Valgrind's default 20,000,000) the address is not reused, so the new,
// truly lost block is definitely lost, as under Valgrind.
// EXPECT: definite 24/1 indirect 0/0 possible 0/0 reachable 0/0
// OPTIONS: --freelist-vol=20000000
// ORACLE: valgrind
#include "scenario.h"

void *stale;

static NOINLINE void lose(void)
{
    void *p = malloc(24);
    launder_ptr(p);
}

int main(void)
{
    stale = malloc(24);
    free(stale);
    lose();
    scrub();
    return 0;
}
