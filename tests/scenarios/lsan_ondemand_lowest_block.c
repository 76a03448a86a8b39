// Issue 10 item 1/3 (on-demand checks), in the manner of compiler-rt's
// recoverable_leak_check.cpp: the check must not scan the checking
// thread's own tool frames, whose scan state holds addresses of blocks
// (e.g. the lowest block of the heap). The program's first block -- the
// lowest address of its heap -- and a block near the top are dropped;
// 100 blocks in between are kept by a global array. An on-demand check
// (recoverable) must report both and return non-zero; so must
// leaktrace_check-style __lsan_do_leak_check at the end.
// TRUTH: definite 2 blocks (24 B + 40 B); reachable the array and its
// 100 blocks. (No ORACLE: the final report comes from
// __lsan_do_leak_check, which valgrind does not know; its exit report
// would say the same.)
// EXPECT: definite 64/2 indirect 0/0 possible 0/0 reachable 4000/101
// EXPECT-LINE: 24 bytes in 1 blocks are definitely lost
// EXPECT-LINE: 40 bytes in 1 blocks are definitely lost
// OPTIONS: --show-leak-kinds=all
#include "scenario.h"

int __lsan_do_recoverable_leak_check(void) __attribute__((weak));
void __lsan_do_leak_check(void) __attribute__((weak));
void **arr;

static NOINLINE void build(void)
{
    void *first = malloc(24);
    memset(first, 0, 24);
    arr = calloc(100, sizeof *arr);
    for (int i = 0; i < 100; i++)
        arr[i] = calloc(1, 32);
    void *last = malloc(40);
    memset(last, 0, 40);
    launder_ptr(first);
    launder_ptr(last);
}

int main(void)
{
    build();
    scrub();
    if (__lsan_do_recoverable_leak_check)
        SCN_CHECK(__lsan_do_recoverable_leak_check() != 0);
    scrub();
    if (__lsan_do_leak_check)
        __lsan_do_leak_check();
    return 0;
}
