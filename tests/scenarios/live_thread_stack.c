// A thread still running at exit holds a block in a local variable: still
// reachable. A block it dropped: definitely lost. No ORACLE: Valgrind also
// reports the running thread's glibc TLS vector (DTV, known only by an
// interior pointer from the thread descriptor) as possibly lost; a tool may
// instead count it as reachable or leave it out, so each of those three
// outcomes is accepted. The DTV's size is 16 bytes per slot, 17 slots plus
// one per extra module with TLS: 272 bytes under valgrind, more under a
// preloaded tool whose own libraries have TLS (336 seen), hence a range.
// EXPECT-ANY: definite 21/1 indirect 0/0 possible 272..800/1 reachable 300/1
// EXPECT-ANY: definite 21/1 indirect 0/0 possible 0/0 reachable 572..1100/2
// EXPECT-ANY: definite 21/1 indirect 0/0 possible 0/0 reachable 300/1
// EXPECT-RECORD: 21 bytes in 1 blocks are definitely lost | malloc | drop | worker
#include "scenario.h"
#include <pthread.h>

static volatile int ready;

static NOINLINE void drop(void) { launder_ptr(malloc(21)); }

static void *worker(void *arg)
{
    (void)arg;
    void *volatile mine = malloc(300);
    drop();
    scrub();
    ready = 1;
    for (;;) {
        pause();
        (void)mine;
    }
    return NULL;
}

int main(void)
{
    pthread_t t;
    SCN_CHECK(pthread_create(&t, NULL, worker, NULL) == 0);
    while (!ready)
        usleep(1000);
    scrub();
    return 0;
}
