// A thread that is still running at exit keeps a block in its __thread
// variable (its static TLS lives in its stack mapping): still reachable.
// A block whose pointer sat in the TLS of a thread that has exited (and
// been joined) is definitely lost. No ORACLE, because of the running
// thread's DTV (see live_thread_stack.c).
// EXPECT-ANY: definite 33/1 indirect 0/0 possible 272..800/1 reachable 77/1
// EXPECT-ANY: definite 33/1 indirect 0/0 possible 0/0 reachable 349..877/2
// EXPECT-ANY: definite 33/1 indirect 0/0 possible 0/0 reachable 77/1
#include "scenario.h"
#include <pthread.h>

static __thread void *mine;
static volatile int ready;

static void *short_lived(void *arg)
{
    (void)arg;
    mine = malloc(33);
    return NULL;
}

static void *long_lived(void *arg)
{
    (void)arg;
    mine = malloc(77);
    scrub();
    ready = 1;
    for (;;)
        pause();
    return NULL;
}

int main(void)
{
    pthread_t a, b;
    SCN_CHECK(pthread_create(&a, NULL, short_lived, NULL) == 0);
    SCN_CHECK(pthread_join(a, NULL) == 0);
    SCN_CHECK(pthread_create(&b, NULL, long_lived, NULL) == 0);
    while (!ready)
        usleep(1000);
    SCN_CHECK(mine == NULL);
    scrub();
    return 0;
}
