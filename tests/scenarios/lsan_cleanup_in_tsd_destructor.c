// Ported from LLVM compiler-rt/test/lsan/TestCases/
// cleanup_in_tsd_destructor.c (idea): a thread's TSD destructor frees the
// block stored under the key, and one the block points to, while the
// thread exits; a check made after the join sees nothing left.
// TRUTH (= valgrind): no leaks at all.
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"
#include <pthread.h>

static pthread_key_t key;

static void dtor(void *v)
{
    void **b = v;
    free(b[0]);
    free(b);
}

static void *worker(void *arg)
{
    (void)arg;
    void **b = malloc(2 * sizeof *b);
    b[0] = malloc(1337);
    b[1] = NULL;
    SCN_CHECK(pthread_setspecific(key, b) == 0);
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
