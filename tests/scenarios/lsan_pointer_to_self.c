// Ported from LLVM compiler-rt/test/lsan/TestCases/pointer_to_self.cpp
// (idea): a block whose only pointer is stored inside itself is a leak --
// a block cannot keep itself alive.
// TRUTH (= valgrind): definite 1337/1.
// EXPECT: definite 1337/1 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void build(void)
{
    void **p = malloc(1337);
    memset(p, 0, 1337);
    p[0] = p;
    p[5] = (char *)p + 100;
    launder_ptr(p);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
