// Ported from LLVM compiler-rt/test/lsan/TestCases/
// use_globals_initialized.cpp (idea): a pointer in an initialised global
// (.data) is a root.
// TRUTH (= valgrind): reachable (1337 B).
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 1337/1
// ORACLE: valgrind
#include "scenario.h"

void *data_global = (void *)&data_global;   /* non-zero: lands in .data */

static NOINLINE void keep(void)
{
    data_global = malloc(1337);
    memset(data_global, 0, 1337);
}

int main(void)
{
    keep();
    scrub();
    return 0;
}
