/* exit_busy.c — threads still allocating (and creating threads, and
 * reallocating) while the main thread calls exit() and the exit scan runs.
 *
 * usage: exit_busy THREADS MILLISECONDS STATUS
 *
 * Each worker keeps one 4093-byte block (keep_site) in a global array
 * before it starts hammering malloc/realloc/free; after MILLISECONDS the
 * main thread prints a line and calls exit(STATUS) with everything running.
 * The report must still come, the status must be STATUS, and the kept
 * blocks must be in it. */
#include "stress.h"
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

void *kept[64];     /* not static: the stores must stay */
static atomic_int ready;

NOINLINE static void *keep_site(void) { return malloc(4093); }

static void *leaf(void *arg) { free(malloc((size_t)(long)arg)); return NULL; }

static void *worker(void *arg)
{
    long id = (long)arg;
    uint64_t r = (uint64_t)id * 1234567 + 1;
    kept[id] = keep_site();
    atomic_fetch_add(&ready, 1);
    void *local[32] = { 0 };
    for (unsigned long i = 0;; i++) {
        unsigned k = (unsigned)(rnd(&r) % 32);
        if (rnd(&r) % 3 == 0)
            local[k] = realloc(local[k], 1 + rnd(&r) % 1000);
        else {
            free(local[k]);
            local[k] = malloc(1 + rnd(&r) % 300);
        }
        if (id == 0 && i % 1000 == 0) {   /* one worker also creates threads */
            pthread_t t;
            if (pthread_create(&t, NULL, leaf, (void *)(long)(1 + i % 100)) == 0)
                pthread_detach(t);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    int nt = atoi(argv[1]), ms = atoi(argv[2]), status = atoi(argv[3]);
    if (nt > 64)
        return 2;
    pthread_t t;
    for (long i = 0; i < nt; i++)
        pthread_create(&t, NULL, worker, (void *)i);
    while (atomic_load(&ready) < nt)
        usleep(1000);
    usleep((useconds_t)ms * 1000);
    printf("exit_busy: exit(%d) with %d threads allocating\n", status, nt);
    exit(status);
}
