// Ported from LLVM compiler-rt/test/lsan/TestCases/leak_check_at_exit.cpp
// (idea): with leak_check_at_exit=0 (here from __lsan_default_options)
// there is no check at exit, but an explicit __lsan_do_leak_check still
// reports. The program leaks 1337 B, checks, then leaks 1338 B more,
// which no report may show.
// TRUTH of the one report: definite 1337/1. (No ORACLE: valgrind knows no
// LSan options and checks at exit.)
// EXPECT: definite 1337/1 indirect 0/0 possible 0/0 reachable 0/0
// EXPECT-LINE: 1,337 bytes in 1 blocks are definitely lost
#include "scenario.h"

void __lsan_do_leak_check(void) __attribute__((weak));
const char *__lsan_default_options(void) { return "leak_check_at_exit=0"; }

static NOINLINE void drop(size_t n)
{
    void *p = launder_ptr(malloc(n));
    memset(p, 0, n);
}

int main(void)
{
    drop(1337);
    scrub();
    if (__lsan_do_leak_check)
        __lsan_do_leak_check();
    drop(1338);
    scrub();
    return 0;
}
