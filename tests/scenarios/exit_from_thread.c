// A second thread calls exit() while main waits in pthread_join. main's
// local is reachable (main is alive, blocked), so is the exiting thread's
// held local; the block the thread dropped is definitely lost. No ORACLE:
// the exiting thread is alive at the check, and Valgrind counts its glibc
// TLS vector (DTV: 272 bytes under valgrind, more under a preloaded tool
// whose libraries have TLS, see live_thread_stack.c) as possibly lost; a
// tool may count it as reachable or leave it out instead.
// EXPECT-ANY: definite 9/1 indirect 0/0 possible 272..800/1 reachable 700/2
// EXPECT-ANY: definite 9/1 indirect 0/0 possible 0/0 reachable 972..1500/3
// EXPECT-ANY: definite 9/1 indirect 0/0 possible 0/0 reachable 700/2
// EXPECT-EXIT: 2
#include "scenario.h"
#include <pthread.h>

static NOINLINE void drop(void) { launder_ptr(malloc(9)); }

static void *worker(void *arg)
{
    (void)arg;
    void *volatile mine = malloc(300);
    drop();
    scrub();
    exit(2);
    (void)mine;
    return NULL;
}

static NOINLINE void wait_for(pthread_t t) { pthread_join(t, NULL); }

int main(void)
{
    pthread_t t;
    void *volatile held = malloc(400);
    SCN_CHECK(pthread_create(&t, NULL, worker, NULL) == 0);
    scrub();
    wait_for(t);
    (void)held;
    return 0;
}
