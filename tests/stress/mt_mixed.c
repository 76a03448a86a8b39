/* mt_mixed.c — T threads x N mixed malloc/calloc/realloc/free operations
 * with cross-thread frees (blocks travel through a shared slot array and are
 * freed by whichever thread picks them up).
 *
 * usage: mt_mixed THREADS OPS_PER_THREAD KEEP_PER_THREAD
 *
 * At exit: KEEP_PER_THREAD blocks of 4093 bytes per thread are still
 * reachable (global array), all from keep_site(); every block of 4091 bytes
 * (freed_site()) has been freed. Prints its own counts. */
#include "stress.h"
#include <pthread.h>
#include <stdatomic.h>

#define KEEP_SIZE 4093
#define FREED_SIZE 4091
#define NSLOTS 4096
#define NLOCAL 64

static _Atomic(void *) slots[NSLOTS];
void **kept;     /* not static: the stores must stay */
static int nthreads;
static long ops, keep;
static pthread_barrier_t start;

NOINLINE static void *keep_site(void) { count_alloc(); void *p = malloc(KEEP_SIZE); memset(p, 0x4b, KEEP_SIZE); return p; }
NOINLINE static void *freed_site(void) { count_alloc(); void *p = malloc(FREED_SIZE); touch(p); return p; }

static size_t small(uint64_t *r) { return 1 + rnd(r) % 512; }

static void drop(void *p)
{
    if (p) {
        count_free();
        free(p);
    }
}

static void *worker(void *arg)
{
    long id = (long)arg;
    uint64_t r = 0x9E3779B97F4A7C15ULL * (uint64_t)(id + 1);
    void *local[NLOCAL] = { 0 };
    pthread_barrier_wait(&start);
    for (long i = 0; i < ops; i++) {
        unsigned k = (unsigned)(rnd(&r) % NLOCAL);
        unsigned op = (unsigned)(rnd(&r) % 10);
        switch (op) {
        case 0: case 1:
            drop(local[k]);
            count_alloc();
            local[k] = malloc(small(&r));
            break;
        case 2:
            drop(local[k]);
            count_alloc();
            local[k] = calloc(1 + rnd(&r) % 8, 1 + rnd(&r) % 64);
            break;
        case 3: {
            size_t n = 1 + rnd(&r) % 2048;
            void *q = realloc(local[k], n);
            if (local[k])
                count_free();
            count_alloc();
            local[k] = q;
            break;
        }
        case 4:
            drop(local[k]);
            local[k] = NULL;
            break;
        case 5: case 6: {   /* hand the block to whichever thread comes next */
            unsigned s = (unsigned)(rnd(&r) % NSLOTS);
            local[k] = atomic_exchange(&slots[s], local[k]);
            break;
        }
        case 7:             /* free what another thread left */
            drop(atomic_exchange(&slots[rnd(&r) % NSLOTS], NULL));
            break;
        default:
            drop(local[k]);
            local[k] = freed_site();
            break;
        }
    }
    for (int k = 0; k < NLOCAL; k++)
        drop(local[k]);
    for (long j = 0; j < keep; j++)
        kept[id * keep + j] = keep_site();
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s THREADS OPS KEEP\n", argv[0]);
        return 2;
    }
    nthreads = atoi(argv[1]);
    ops = atol(argv[2]);
    keep = atol(argv[3]);
    printf("mt_mixed: %d threads x %ld operations, %ld kept blocks of %d bytes per thread\n",
           nthreads, ops, keep, KEEP_SIZE);
    fflush(stdout);
    kept = calloc((size_t)(nthreads * keep) + 1, sizeof *kept);
    count_alloc();
    pthread_t *t = calloc((size_t)nthreads, sizeof *t);
    count_alloc();
    pthread_barrier_init(&start, NULL, (unsigned)nthreads);
    for (long i = 0; i < nthreads; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
    drop(t);
    for (int s = 0; s < NSLOTS; s++)
        drop(atomic_exchange(&slots[s], NULL));
    print_counts();
    return 0;
}
