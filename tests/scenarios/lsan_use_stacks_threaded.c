// Ported from LLVM compiler-rt/test/lsan/TestCases/use_stacks_threaded.cpp
// (idea): a thread blocked in read() on a pipe keeps the only pointer to a
// block in a local of its live frame while main exits: a root.
// TRUTH: reachable (1337 B) -- valgrind agrees on the block; no ORACLE
// because of the running thread's DTV (see live_thread_stack.c).
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 272..800/1 reachable 1337/1
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 1609..2200/2
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 1337/1
#include "scenario.h"
#include <pthread.h>

static int fds[2];
static volatile int ready;

static void *worker(void *arg)
{
    (void)arg;
    void *local = malloc(1337);
    memset(local, 0, 1337);
    __asm__ volatile("" : : "r"(&local) : "memory");
    ready = 1;
    char c;
    (void)!read(fds[0], &c, 1);                    /* never written */
    __asm__ volatile("" : : "r"(&local) : "memory");
    return NULL;
}

int main(void)
{
    SCN_CHECK(pipe(fds) == 0);
    pthread_t t;
    SCN_CHECK(pthread_create(&t, NULL, worker, NULL) == 0);
    while (!ready)
        sched_yield();
    scrub();
    exit(0);
}
