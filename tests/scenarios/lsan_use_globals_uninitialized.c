// Ported from LLVM compiler-rt/test/lsan/TestCases/
// use_globals_uninitialized.cpp (idea): a pointer in an uninitialised
// global (.bss) is a root, also a static one reached only through a
// function.
// TRUTH (= valgrind): reachable (1337 B + 1338 B).
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 2675/2
// ORACLE: valgrind
#include "scenario.h"

void *bss_global;
static void *volatile bss_static;

static NOINLINE void keep(void)
{
    bss_global = malloc(1337);
    memset(bss_global, 0, 1337);
    bss_static = malloc(1338);
}

int main(void)
{
    keep();
    scrub();
    return 0;
}
