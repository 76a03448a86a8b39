// Ported from LLVM compiler-rt/test/lsan/TestCases/
// new_array_with_dtor_0.cpp (idea): `new T[0]` of a type with a
// destructor allocates just the 8-byte element count and returns the
// address right after it -- one past the end of the block. LSan and
// memcheck do not count a pointer to the end as pointing into the block:
// held by a global it keeps nothing alive.
// TRUTH (= valgrind): the 8-byte cookie block is definitely lost; a
// new T[2] held the same way is reachable (newarray heuristic).
// EXPECT: definite 8/1 indirect 0/0 possible 0/0 reachable 24/1
// ORACLE: valgrind
#include "scenario.h"

struct T { long v; ~T() { v = 0; } };
T *zero, *two;

static NOINLINE void build()
{
    zero = new T[0];
    two = new T[2];
}

int main()
{
    build();
    scrub();
    return 0;
}
