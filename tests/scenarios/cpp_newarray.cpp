// new[] of 5 objects with a destructor: the block starts with the element
// count and the program holds a pointer one word in. Valgrind's newarray
// heuristic makes the block reachable (8 + 5*8 = 48 bytes). The same
// dropped: definitely lost. A new[] of a type without destructor has no
// count word and is held by a start pointer: plain reachable.
// EXPECT: definite 48/1 indirect 0/0 possible 0/0 reachable 88/2
// EXPECT-LINE: of which reachable via heuristic:
// EXPECT-LINE: newarray: 48 bytes in 1 blocks
// ORACLE: valgrind
#include "scenario.h"

struct D {
    long x = 7;
    ~D() { x = 0; }
};

D *g_objs;
long *g_plain;

static NOINLINE void keep()
{
    g_objs = new D[5];
    g_plain = new long[5];
}

static NOINLINE void leak() { launder_ptr(new D[5]); }

static NOINLINE void churn()
{
    for (int i = 1; i < 50; i++)
        delete[] new D[i];
}

int main()
{
    churn();
    keep();
    leak();
    scrub();
    return g_objs[4].x == 7 ? 0 : 1;
}
