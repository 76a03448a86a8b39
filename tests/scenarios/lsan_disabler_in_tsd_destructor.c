// Ported from LLVM compiler-rt/test/lsan/TestCases/
// disabler_in_tsd_destructor.c (idea): a thread-specific-data destructor,
// run while the thread exits, disables checking, allocates a block and
// stores it where only that thread could see it, then enables: the block
// is not a leak. The TSD value itself is freed by the destructor.
// TRUTH: reachable 1337 B (ignored); nothing lost. (No ORACLE: valgrind
// knows no LSan annotations.)
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 1337/1
// OPTIONS: --show-leak-kinds=all
#include "scenario.h"
#include <pthread.h>

void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));

static pthread_key_t key;

static void dtor(void *v)
{
    if (__lsan_disable)
        __lsan_disable();
    void *p = launder_ptr(malloc(1337));
    memset(p, 0, 1337);
    if (__lsan_enable)
        __lsan_enable();
    free(v);
}

static void *worker(void *arg)
{
    (void)arg;
    SCN_CHECK(pthread_setspecific(key, malloc(64)) == 0);
    return NULL;
}

int main(void)
{
    SCN_CHECK(pthread_key_create(&key, dtor) == 0);
    pthread_t t;
    SCN_CHECK(pthread_create(&t, NULL, worker, NULL) == 0);
    SCN_CHECK(pthread_join(t, NULL) == 0);
    scrub();
    return 0;
}
