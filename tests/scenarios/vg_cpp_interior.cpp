// Ported from Valgrind memcheck/tests/leak_cpp_interior.cpp (idea): C++
// objects whose only pointers are interior, recognised by memcheck's
// heuristics (all on by default in 3.19), so the blocks are still
// reachable (each through "reachable via heuristic"):
//   - newarray: `new T[3]` of a type with a destructor; the pointer
//     skips the 8-byte element count;
//   - multipleinheritance: a pointer to the second base of a class
//     with virtual functions;
//   - length64: a block starting with its payload length, pointer past
//     that length word.
// A plain interior pointer with none of these shapes: possibly lost.
// TRUTH (= valgrind): reachable 3 blocks (80 + 40 + 40 B), possible 1.
// EXPECT: definite 0/0 indirect 0/0 possible 64/1 reachable 160/3
// CFLAGS: -std=c++17
// ORACLE: valgrind
#include "scenario.h"

struct WithDtor { long v[3]; ~WithDtor() { v[0] = 0; } };
struct A { virtual ~A() {} long a = 1; };
struct B { virtual ~B() {} long b = 2; };
struct C : A, B { long c = 3; };

WithDtor *arr;
B *second;
char *len64;
char *plain;

static NOINLINE void build()
{
    arr = new WithDtor[3];
    second = new C;
    long *l = static_cast<long *>(malloc(40));
    l[0] = 32;
    memset(l + 1, 0, 32);
    len64 = reinterpret_cast<char *>(l + 1);
    char *p = static_cast<char *>(malloc(64));
    memset(p, 0x11, 64);
    plain = p + 24;
}

int main()
{
    build();
    scrub();
    return 0;
}
