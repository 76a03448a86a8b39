// 8 threads run at once; each churns malloc/free and leaks 10 blocks of
// 64 bytes from one call site, then is joined: one record of 80 blocks.
// EXPECT: definite 5120/80 indirect 0/0 possible 0/0 reachable 0/0
// EXPECT-RECORD: 5,120 bytes in 80 blocks are definitely lost in loss record 1 of 1 | malloc | leak_one | worker
// ORACLE: valgrind
#include "scenario.h"
#include <pthread.h>

static pthread_barrier_t barrier;

/* The block is written all over: a reused chunk's stale words (glibc's bin
 * links to other freed chunks, later leaked too) would otherwise chain the
 * leaked blocks together as "indirectly lost" depending on the thread
 * interleaving -- issue 10 item 2, tested deterministically by
 * vg_stale_reuse.c. */
static NOINLINE void leak_one(void)
{
    void *p = launder_ptr(malloc(64));
    memset(p, 0, 64);
}

static void *worker(void *arg)
{
    long id = (long)arg;
    void *slots[16] = {0};
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < 20000; i++) {
        int k = (int)((i * 7 + id) & 15);
        free(slots[k]);
        slots[k] = malloc((size_t)(8 + (i % 200)));
        if (i % 2000 == 0)
            leak_one();
    }
    for (int k = 0; k < 16; k++)
        free(slots[k]);
    scrub();
    return NULL;
}

int main(void)
{
    pthread_t t[8];
    pthread_barrier_init(&barrier, NULL, 8);
    for (long i = 0; i < 8; i++)
        SCN_CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
    for (int i = 0; i < 8; i++)
        SCN_CHECK(pthread_join(t[i], NULL) == 0);
    pthread_barrier_destroy(&barrier);
    scrub();
    return 0;
}
