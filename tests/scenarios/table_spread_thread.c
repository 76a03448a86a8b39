// The table keeps every block in one stripe while the process has one
// thread, and spreads them over its 512 stripes when the first thread is
// created (src/table.c). Blocks recorded before the spread must still be
// found after it: 400 blocks of 32 bytes made by main, then 4 threads, each
// freeing its quarter of them except 10 (leaked: the pointers are dropped)
// and leaking 5 blocks of 48 bytes of its own. Main keeps 50 blocks of 24
// bytes from before the threads (still reachable).
// Truth: 40 x 32 + 20 x 48 definitely lost; 50 x 24 still reachable.
// EXPECT: definite 2240/60 indirect 0/0 possible 0/0 reachable 1200/50
// ORACLE: valgrind
#include "scenario.h"
#include <pthread.h>

static void *early[400];
void *kept[50];               /* global: -O2 may not drop the stores */

static NOINLINE void make_early(void)
{
    for (int i = 0; i < 400; i++)
        early[i] = malloc(32);
    for (int i = 0; i < 50; i++)
        kept[i] = malloc(24);
}

static NOINLINE void leak_own(void)
{
    void *p = launder_ptr(malloc(48));
    memset(p, 0, 48);
}

static void *worker(void *arg)
{
    long id = (long)arg;
    for (int i = (int)id * 100; i < (int)id * 100 + 100; i++) {
        if (i % 100 < 90)
            free(early[i]);
        early[i] = NULL;          /* the other 10 of each quarter: dropped, lost */
    }
    for (int i = 0; i < 5; i++)
        leak_own();
    for (int i = 0; i < 2000; i++)    /* churn on the spread table */
        free(malloc((size_t)(8 + i % 300)));
    scrub();
    return NULL;
}

int main(void)
{
    make_early();
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        SCN_CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
    for (int i = 0; i < 4; i++)
        SCN_CHECK(pthread_join(t[i], NULL) == 0);
    scrub();
    return 0;
}
