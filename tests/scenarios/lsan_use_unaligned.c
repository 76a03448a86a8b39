// Ported from LLVM compiler-rt/test/lsan/TestCases/use_unaligned.cpp
// (idea): a pointer stored at an address that is not a multiple of 8 is
// not seen by a word-aligned scan (memcheck and LSan's default
// use_unaligned=0): the block is definitely lost, though the program
// could still read the pointer back with memcpy. An aligned copy keeps
// the second block reachable.
// TRUTH as memcheck defines it (= valgrind): definite 1337/1,
// reachable 1338/1.
// EXPECT: definite 1337/1 indirect 0/0 possible 0/0 reachable 1338/1
// ORACLE: valgrind
#include "scenario.h"

_Alignas(8) char holder[32];

static NOINLINE void keep(void)
{
    void *p = malloc(1337), *q = malloc(1338);
    memset(p, 0, 1337);
    memset(q, 0, 1338);
    memcpy(holder + 3, &p, sizeof p);
    memcpy(holder + 16, &q, sizeof q);
}

int main(void)
{
    keep();
    scrub();
    return 0;
}
