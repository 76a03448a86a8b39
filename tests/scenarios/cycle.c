// Two unreferenced blocks pointing at each other, and an unreferenced ring
// of three: in each orphan cycle the lowest-address block is definitely
// lost and the rest are indirectly lost.
// EXPECT: definite 64/2 indirect 96/3 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"

struct pair { struct pair *other; char pad[24]; };

static NOINLINE struct pair *mk(void) { return malloc(sizeof(struct pair)); }

static NOINLINE void leak_pair(void)
{
    struct pair *a = mk(), *b = mk();
    a->other = b;
    b->other = a;
    launder_ptr(a);
    launder_ptr(b);
}

static NOINLINE void leak_ring(void)
{
    struct pair *a = mk(), *b = mk(), *c = mk();
    a->other = b;
    b->other = c;
    c->other = a;
    launder_ptr(a);
    launder_ptr(b);
    launder_ptr(c);
}

int main(void)
{
    leak_pair();
    leak_ring();
    scrub();
    return 0;
}
