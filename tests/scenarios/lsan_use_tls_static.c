// Ported from LLVM compiler-rt/test/lsan/TestCases/use_tls_static.cpp
// (idea): pointers in initial-exec (static) TLS -- of main and of a
// thread blocked at exit -- are roots.
// TRUTH: both blocks reachable (1337 B + 1338 B); valgrind agrees on them
// (no ORACLE because of the running thread's DTV, see
// live_thread_stack.c).
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 272..800/1 reachable 2675/2
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 2947..3600/3
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 2675/2
#include "scenario.h"
#include <pthread.h>

__thread void *volatile tls_ptr __attribute__((tls_model("initial-exec")));
static int fds[2];
static volatile int ready;

static NOINLINE void keep(size_t n)
{
    tls_ptr = malloc(n);
    memset(tls_ptr, 0, n);
}

static void *worker(void *arg)
{
    (void)arg;
    keep(1338);
    scrub();
    ready = 1;
    char c;
    (void)!read(fds[0], &c, 1);
    return NULL;
}

int main(void)
{
    SCN_CHECK(pipe(fds) == 0);
    keep(1337);
    pthread_t t;
    SCN_CHECK(pthread_create(&t, NULL, worker, NULL) == 0);
    while (!ready)
        sched_yield();
    scrub();
    exit(0);
}
