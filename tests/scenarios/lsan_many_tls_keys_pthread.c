// Ported from LLVM compiler-rt/test/lsan/TestCases/many_tls_keys_pthread.cpp
// (idea): main creates as many pthread keys as it can (all
// PTHREAD_KEYS_MAX = 1024: the tool holds none the program can see, and
// the count is printed, so a key taken by the tool shows as a stdout
// difference from the plain run); 10 threads each store a fresh 123-byte
// block under every key and then never exit. Values of keys 0..31 live in
// the thread descriptor (specific_1stblock, at the top of the thread's
// stack mapping), the others in 31 second-level arrays per thread that
// glibc callocs (32 entries x 16 B = 512 B) and hangs from the descriptor.
// Everything is reachable; the LSan run with use_tls=0 (leaks expected)
// has no counterpart, TLS is always a root here.
// TRUTH: reachable 10 x (1024 x 123 + 31 x 512) = 1,418,240 B in 10,550
// blocks, plus the 10 running threads' DTVs. valgrind agrees on the
// blocks (checked by hand: reachable 1,418,240/10,550, possible
// 2,880/10); no ORACLE because of the DTVs (see live_thread_stack.c),
// hence the three accepted shapes.
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 2720..8000/10 reachable 1418240/10550
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 1420960..1426240/10560
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 1418240/10550
#include "scenario.h"
#include <limits.h>
#include <pthread.h>

#define NTHREADS 10

static pthread_key_t keys[PTHREAD_KEYS_MAX];
static int nkeys;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int finished;

static void never(void *arg)
{
    (void)arg;
    SCN_CHECK(!"a TSD destructor ran");
}

static NOINLINE void store_all(void)
{
    for (int i = 0; i < nkeys; i++) {
        void *p = malloc(123);
        SCN_CHECK(p != NULL);
        memset(p, 0, 123);
        SCN_CHECK(pthread_setspecific(keys[i], p) == 0);
    }
}

static void *worker(void *arg)
{
    (void)arg;
    store_all();
    pthread_mutex_lock(&mu);
    finished++;
    pthread_mutex_unlock(&mu);
    for (;;)
        pause();
    return NULL;
}

int main(void)
{
    while (nkeys < PTHREAD_KEYS_MAX && pthread_key_create(&keys[nkeys], never) == 0)
        nkeys++;
    char line[64];
    snprintf(line, sizeof line, "keys: %d\n", nkeys);
    say(line);
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
