// Ported from LLVM compiler-rt/test/lsan/TestCases/disabler.cpp (idea):
// blocks allocated between __lsan_disable and __lsan_enable (nested
// twice) are not leaks, in main and in another thread; allocations after
// the last enable are tracked again. Disabling is per thread: a block a
// second thread allocates meanwhile is a leak.
// TRUTH: definite 1336 B (after enable) + 1335 B (other thread);
// reachable 1337+1338 B (ignored). (No ORACLE: valgrind knows no LSan
// annotations.)
// EXPECT: definite 2671/2 indirect 0/0 possible 0/0 reachable 2675/2
// OPTIONS: --show-leak-kinds=all
#include "scenario.h"
#include <pthread.h>

void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));

static NOINLINE void drop(size_t n)
{
    void *p = launder_ptr(malloc(n));
    memset(p, 0, n);
}

static void *other(void *arg)
{
    (void)arg;
    drop(1335);
    return NULL;
}

int main(void)
{
    if (__lsan_disable) {
        __lsan_disable();
        __lsan_disable();
    }
    drop(1337);
    pthread_t t;
    SCN_CHECK(pthread_create(&t, NULL, other, NULL) == 0);
    SCN_CHECK(pthread_join(t, NULL) == 0);
    if (__lsan_enable)
        __lsan_enable();
    drop(1338);
    if (__lsan_enable)
        __lsan_enable();
    drop(1336);
    scrub();
    return 0;
}
