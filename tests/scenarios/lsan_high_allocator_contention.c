// Ported from LLVM compiler-rt/test/lsan/TestCases/high_allocator_contention.cpp
// (idea): threads released together hammer malloc/free pairs in parallel
// (LSan: a benchmark that must not deadlock or crash; its
// use_ld_allocations=0 flag has no counterpart). Here it also has a
// known heap at exit: ARGS give 5 threads and 1,000,000 pairs in all; each
// thread keeps every 20,000th block of 10 B in its row of a global table
// (10 per thread) and, once done, drops one 10-byte block; all threads
// are joined before main returns.
// TRUTH (= valgrind): reachable 5 x 10 x 10 B = 500/50, definite 5 x 10 B
// = 50/5 in one record.
// EXPECT: definite 50/5 indirect 0/0 possible 0/0 reachable 500/50
// EXPECT-RECORD: 50 bytes in 5 blocks are definitely lost | malloc | drop | worker | ...
// ARGS: 5 1000000
// ORACLE: valgrind
// CFLAGS: -fno-builtin
#include "scenario.h"
#include <pthread.h>

#define MAX_THREADS 64
#define KEEP_EVERY 20000

static int nthreads, per_thread;
void *kept[MAX_THREADS][64];   /* not static: -O2 must keep the stores */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int go;

static NOINLINE void drop(void)
{
    void *p = malloc(10);
    memset(p, 0, 10);
    launder_ptr(p);
}

static void *worker(void *arg)
{
    int me = (int)(intptr_t)arg, k = 0;
    pthread_mutex_lock(&mu);
    while (!go)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < per_thread; i++) {
        void *p = malloc(10);
        SCN_CHECK(p != NULL);
        __asm__ volatile("" : : "r"(p) : "memory");
        if (i % KEEP_EVERY == KEEP_EVERY - 1)
            kept[me][k++] = p;
        else
            free(p);
    }
    drop();
    scrub();
    return NULL;
}

int main(int argc, char **argv)
{
    SCN_CHECK(argc == 3);
    nthreads = atoi(argv[1]);
    int total = atoi(argv[2]);
    SCN_CHECK(nthreads > 0 && nthreads <= MAX_THREADS && total > 0);
    per_thread = total / nthreads;
    SCN_CHECK(per_thread / KEEP_EVERY <= 64);
    char line[96];
    snprintf(line, sizeof line, "%d threads, %d allocations in each\n", nthreads, per_thread);
    say(line);
    pthread_t t[MAX_THREADS];
    for (int i = 0; i < nthreads; i++)
        SCN_CHECK(pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i) == 0);
    pthread_mutex_lock(&mu);
    go = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < nthreads; i++)
        SCN_CHECK(pthread_join(t[i], NULL) == 0);
    scrub();
    return 0;
}
