/* cancel.c — pthread_cancel of threads that allocate.
 *
 * usage: cancel ROUNDS THREADS
 *
 * Each round starts THREADS threads and cancels them after a short while:
 * half allocate in a loop whose only cancellation points are inside
 * malloc/free (if any) and a pthread_testcancel every 64 iterations, half
 * sleep in nanosleep holding a block a cleanup handler frees. Then the main
 * thread allocates on (a lock left held by a cancelled thread would hang
 * here). Blocks of 4091 bytes (freed_site) are all freed by cleanup
 * handlers; each cancelled thread leaves exactly one 4093-byte block
 * (keep_site) in a global array.
 *
 * usage: cancel pending N
 *
 * The deterministic form: N times, a thread is cancelled while it spins
 * (no cancellation point), then calls malloc, which is not a cancellation
 * point: malloc must return in every one of them. */
#include "stress.h"
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#define MAXT 64
void *kept[1 << 14];   /* not static: the stores must stay */
static atomic_int nkept;

NOINLINE static void *keep_site(void) { void *p = malloc(4093); count_alloc(); return p; }
NOINLINE static void *freed_site(void) { void *p = malloc(4091); count_alloc(); touch(p); return p; }

static void cleanup(void *arg)
{
    void **slot = arg;
    if (*slot) {
        free(*slot);
        count_free();
        *slot = NULL;
    }
}

static void *spinner(void *arg)
{
    uint64_t r = (uint64_t)(long)arg + 5;
    void *held = freed_site();
    kept[atomic_fetch_add(&nkept, 1)] = keep_site();
    pthread_cleanup_push(cleanup, &held);
    void *local[8] = { 0 };
    for (unsigned long i = 0;; i++) {
        unsigned k = (unsigned)(rnd(&r) % 8);
        void *old = local[k];
        local[k] = NULL;
        if (old) {
            free(old);
            count_free();
        }
        void *p = malloc(1 + rnd(&r) % 100);
        count_alloc();
        local[k] = p;
        if (i % 64 == 0) {
            /* the blocks of `local` are freed before a cancellation point */
            for (int j = 0; j < 8; j++)
                if (local[j]) {
                    free(local[j]);
                    count_free();
                    local[j] = NULL;
                }
            pthread_testcancel();
        }
    }
    pthread_cleanup_pop(1);
    return NULL;
}

static void *sleeper(void *arg)
{
    (void)arg;
    void *held = freed_site();
    kept[atomic_fetch_add(&nkept, 1)] = keep_site();
    pthread_cleanup_push(cleanup, &held);
    for (;;) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    pthread_cleanup_pop(1);
    return NULL;
}

static volatile int go, reached;

NOINLINE static void *one_block(void) { return malloc(100); }

static void *pending_thread(void *arg)
{
    (void)arg;
    while (!go)
        ;                       /* no cancellation point */
    void *p = one_block();      /* malloc is not a cancellation point */
    reached = 1;
    free(p);
    pthread_testcancel();
    return NULL;
}

static int pending(int n)
{
    int returned = 0;
    for (int i = 0; i < n; i++) {
        pthread_t t;
        go = reached = 0;
        pthread_create(&t, NULL, pending_thread, NULL);
        pthread_cancel(t);
        go = 1;
        pthread_join(t, NULL);
        returned += reached;
    }
    printf("malloc returned in %d of %d cancelled threads\n", returned, n);
    return returned == n ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "pending") == 0)
        return pending(atoi(argv[2]));
    if (argc != 3)
        return 2;
    int rounds = atoi(argv[1]), nt = atoi(argv[2]);
    if (nt > MAXT || rounds * nt > (1 << 14))
        return 2;
    printf("cancel: %d rounds x %d threads\n", rounds, nt);
    fflush(stdout);
    int cancelled = 0;
    for (int r = 0; r < rounds; r++) {
        pthread_t t[MAXT];
        for (long i = 0; i < nt; i++)
            pthread_create(&t[i], NULL, i % 2 ? sleeper : spinner, (void *)i);
        usleep(5000);
        for (int i = 0; i < nt; i++)
            pthread_cancel(t[i]);
        for (int i = 0; i < nt; i++) {
            void *res;
            pthread_join(t[i], &res);
            cancelled += res == PTHREAD_CANCELED;
        }
        for (int i = 0; i < 1000; i++) {     /* the allocator still works */
            void *p = malloc(64);
            count_alloc();
            touch(p);
            free(p);
            count_free();
        }
    }
    int live_kept = 0;
    for (int i = 0; i < nkept; i++)
        live_kept += kept[i] != NULL;
    printf("cancelled: %d of %d\n", cancelled, rounds * nt);
    printf("kept: %d\n", live_kept);
    print_counts();
    return cancelled == rounds * nt ? 0 : 1;
}
