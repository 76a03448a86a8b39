// Ported from LLVM compiler-rt/test/lsan/TestCases/
// recoverable_leak_check.cpp (idea): __lsan_do_recoverable_leak_check
// reports and returns non-zero while there are leaks, and can be called
// again: first with one leak, then with two. At exit the final report
// shows both.
// TRUTH (= valgrind at exit): definite 1337+1338 B.
// EXPECT: definite 2675/2 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"

int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static NOINLINE void drop(size_t n)
{
    void *p = launder_ptr(malloc(n));
    memset(p, 0, n);
}

int main(void)
{
    drop(1337);
    scrub();
    if (__lsan_do_recoverable_leak_check)
        SCN_CHECK(__lsan_do_recoverable_leak_check() != 0);
    drop(1338);
    scrub();
    if (__lsan_do_recoverable_leak_check)
        SCN_CHECK(__lsan_do_recoverable_leak_check() != 0);
    return 0;
}
