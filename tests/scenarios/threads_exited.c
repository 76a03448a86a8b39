// Threads that have finished (joined) leaked what they allocated:
// definitely lost; what they handed to a global: still reachable.
// EXPECT: definite 4006/4 indirect 0/0 possible 0/0 reachable 800/4
// EXPECT-RECORD: 4,006 bytes in 4 blocks are definitely lost | malloc | worker
// ORACLE: valgrind
#include "scenario.h"
#include <pthread.h>

void *handed[4];

static void *worker(void *arg)
{
    long i = (long)arg;
    launder_ptr(malloc(1000 + i));
    handed[i] = malloc(200);
    scrub();
    return NULL;
}

int main(void)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        SCN_CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
    for (int i = 0; i < 4; i++)
        SCN_CHECK(pthread_join(t[i], NULL) == 0);
    for (int i = 0; i < 4; i++)
        SCN_CHECK(handed[i] != NULL);
    scrub();
    return 0;
}
