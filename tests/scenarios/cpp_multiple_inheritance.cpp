// An object of a class with virtual destructors and two bases, held only
// through a pointer to its second base (an interior pointer): Valgrind's
// multipleinheritance heuristic makes it reachable ("of which reachable
// via heuristic"). The same kind of object dropped: definitely lost. With
// --leak-check-heuristics=none the held one would be possibly lost.
// EXPECT: definite 40/1 indirect 0/0 possible 0/0 reachable 40/1
// EXPECT-LINE: of which reachable via heuristic:
// EXPECT-LINE: multipleinheritance: 40 bytes in 1 blocks
// ORACLE: valgrind
#include "scenario.h"

struct A { virtual ~A() {} long a = 1; };
struct B { virtual ~B() {} long b = 2; };
struct C : A, B { ~C() override {} long c = 3; };

B *g_second;

static NOINLINE void keep()
{
    C *c = new C;
    g_second = c;
    SCN_CHECK((void *)g_second != (void *)c);
}

static NOINLINE void leak()
{
    B *b = new C;
    launder_ptr(b);
}

int main()
{
    keep();
    leak();
    scrub();
    return g_second->b == 2 ? 0 : 1;
}
