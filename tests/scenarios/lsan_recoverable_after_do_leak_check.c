// Issue 10 item 6 (LSan's documented interface, cf. compiler-rt's
// recoverable_leak_check.cpp): after __lsan_do_leak_check, which ends
// the at-exit check, __lsan_do_recoverable_leak_check keeps working and
// tracking goes on: a block leaked after the first check is found by the
// recoverable one (which returns non-zero), whose report is the last.
// TRUTH of the last report: definite 1337+1338 B, reachable 1339 B (a
// block allocated after the first check, held by a global).
// EXPECT: definite 2675/2 indirect 0/0 possible 0/0 reachable 1339/1
// EXPECT-LINE: 1,338 bytes in 1 blocks are definitely lost
// OPTIONS: --show-leak-kinds=all
#include "scenario.h"

void __lsan_do_leak_check(void) __attribute__((weak));
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));
void *kept;

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
    kept = malloc(1339);
    scrub();
    if (__lsan_do_recoverable_leak_check)
        SCN_CHECK(__lsan_do_recoverable_leak_check() != 0);
    return 0;
}
