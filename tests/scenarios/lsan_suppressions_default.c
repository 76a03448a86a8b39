// Ported from LLVM compiler-rt/test/lsan/TestCases/
// suppressions_default.cpp (idea): a program that defines
// __lsan_default_suppressions gets its leak: lines applied (issue 10
// item 6): the leak from LSanTestLeakingFunc is suppressed, the other one
// is reported.
// TRUTH: definite 1337/1 shown, 1338/1 suppressed. (No ORACLE: valgrind
// knows no LSan callbacks and would show both.)
// EXPECT: definite 1337/1 indirect 0/0 possible 0/0 reachable 0/0 suppressed 1338/1
#include "scenario.h"

const char *__lsan_default_suppressions(void) { return "leak:*LSanTestLeakingFunc*"; }

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
