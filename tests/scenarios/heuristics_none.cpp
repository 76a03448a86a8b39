// --leak-check-heuristics=none: the interior pointers that the default
// heuristics accept (a second base of a multiply-inherited object; the
// element pointer of a new[] of objects with a destructor) count as plain
// interior pointers, so both blocks are possibly lost and no "reachable
// via heuristic" lines are printed.
// OPTIONS: --leak-check-heuristics=none
// EXPECT: definite 0/0 indirect 0/0 possible 88/2 reachable 0/0
// EXPECT-RECORD: 40 bytes in 1 blocks are possibly lost | operator new(unsigned long) | keep() | main
// EXPECT-RECORD: 48 bytes in 1 blocks are possibly lost | operator new[](unsigned long) | keep() | main
// ORACLE: valgrind --leak-check-heuristics=none
#include "scenario.h"

struct A { virtual ~A() {} long a = 1; };
struct B { virtual ~B() {} long b = 2; };
struct C : A, B { ~C() override {} long c = 3; };
struct D {
    long x = 7;
    ~D() { x = 0; }
};

B *g_second;
D *g_objs;

static NOINLINE void keep()
{
    g_second = new C;
    g_objs = new D[5];
}

int main()
{
    keep();
    scrub();
    return g_second->b == 2 && g_objs[4].x == 7 ? 0 : 1;
}
