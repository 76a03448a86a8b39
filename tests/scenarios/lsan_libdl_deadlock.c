// Ported from LLVM compiler-rt/test/lsan/TestCases/Linux/libdl_deadlock.cpp
// (idea): the check at exit starts while another thread is inside a
// dl_iterate_phdr callback (so it holds the loader's write lock) and
// calls malloc and free as fast as it can. LSan once deadlocked there: it
// took its allocator lock and then called dl_iterate_phdr. The thread
// runs 20,000 rounds of 1,000 malloc(16)/free pairs inside the callback
// (about a second under the tool: longer than its check), tells main
// after the first round, and after the last returns from dl_iterate_phdr
// and waits forever holding nothing. main returns as soon as it is told. A deadlock shows as the
// runner's 60 s timeout (LLVM's watchdog thread would be stopped with the
// others, so there is none). At the check the thread holds at most the one
// 16-byte block it has between its malloc and its free (reachable: in a
// register or its stack), or none.
// TRUTH: nothing lost; reachable 16/1 or nothing, plus the running
// thread's DTV (see live_thread_stack.c; valgrind, checked by hand,
// serialises the threads: possible 288/1, no other block). No valgrind
// oracle because of the DTV, hence six accepted shapes.
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 272..800/1 reachable 0/0
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 272..800/1
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 0/0
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 272..800/1 reachable 16/1
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 288..816/2
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 16/1
#include "scenario.h"
#include <link.h>
#include <pthread.h>

static volatile int started;

static int churn(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)info, (void)size, (void)data;
    for (int round = 0; round < 20000; round++) {
        for (int i = 0; i < 1000; i++) {
            void *p = malloc(16);
            SCN_CHECK(p != NULL);
            __asm__ volatile("" : : "r"(p) : "memory");
            free(p);
        }
        if (round == 0)
            started = 1;
    }
    return 1;                                      /* the first object only */
}

static void *worker(void *arg)
{
    (void)arg;
    dl_iterate_phdr(churn, NULL);
    scrub();
    for (;;)
        pause();
    return NULL;
}

int main(void)
{
    pthread_attr_t attr;
    SCN_CHECK(pthread_attr_init(&attr) == 0);
    SCN_CHECK(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0);
    pthread_t t;
    SCN_CHECK(pthread_create(&t, &attr, worker, NULL) == 0);
    pthread_attr_destroy(&attr);
    while (!started)
        sched_yield();
    scrub();
    return 0;
}
