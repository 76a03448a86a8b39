// Ported from LLVM compiler-rt/test/lsan/TestCases/many_tls_keys_thread.cpp
// (idea): 10 threads each keep five blocks (1111 .. 5555 B) only in
// __thread variables of the executable (static TLS, in each thread's
// descriptor area at the top of its stack mapping) and never exit; main
// calls exit() once all have stored theirs. All 50 blocks are reachable;
// the LSan run with use_tls=0 (leaks expected) has no counterpart here.
// TRUTH: reachable 10 x 16,665 = 166,650 B in 50 blocks, plus the 10
// running threads' DTVs. valgrind agrees on the blocks (checked by hand:
// reachable 166,650/50, possible 2,880/10); no ORACLE because of the DTVs
// (see live_thread_stack.c), hence the three accepted shapes.
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 2720..8000/10 reachable 166650/50
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 169370..174650/60
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 166650/50
#include "scenario.h"
#include <pthread.h>

#define NTHREADS 10

static __thread void *volatile t1, *volatile t2, *volatile t3, *volatile t4, *volatile t5;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int finished;

static NOINLINE void *block(size_t n)
{
    void *p = malloc(n);
    SCN_CHECK(p != NULL);
    memset(p, 0, n);
    return p;
}

static NOINLINE void store(void)
{
    t1 = block(1111);
    t2 = block(2222);
    t3 = block(3333);
    t4 = block(4444);
    t5 = block(5555);
}

static void *worker(void *arg)
{
    (void)arg;
    store();
    scrub();
    pthread_mutex_lock(&mu);
    finished++;
    pthread_mutex_unlock(&mu);
    for (;;)
        pause();
    return NULL;
}

int main(void)
{
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        SCN_CHECK(pthread_create(&t[i], NULL, worker, NULL) == 0);
    for (;;) {
        pthread_mutex_lock(&mu);
        int done = finished;
        pthread_mutex_unlock(&mu);
        if (done == NTHREADS)
            break;
        usleep(1000);
    }
    scrub();
    exit(0);
}
