// Ported from LLVM compiler-rt/test/lsan/TestCases/suppressions_file.cpp
// (idea): an LSan suppression file (leak:PATTERN lines) given with
// --suppressions hides the leak from LSanTestLeakingFunc; the other one
// is reported.
// TRUTH: definite 1337/1 shown, 1338/1 suppressed. (No ORACLE: valgrind
// reads only its own suppression format.)
// OPTIONS: --suppressions={srcdir}/lsan_suppressions_file.supp
// EXPECT: definite 1337/1 indirect 0/0 possible 0/0 reachable 0/0 suppressed 1338/1
#include "scenario.h"

NOINLINE void LSanTestLeakingFunc(void)
{
    void *p = launder_ptr(malloc(1338));
    memset(p, 0, 1338);
    __asm__ volatile("");
}

static NOINLINE void other(void)
{
    void *p = launder_ptr(malloc(1337));
    memset(p, 0, 1337);
    __asm__ volatile("");
}

int main(void)
{
    LSanTestLeakingFunc();
    other();
    scrub();
    return 0;
}
