/* bench/storm.c — the allocation storm (shape of shared/research/anchor-peers.md §3).
 *
 *   storm ITERS [THREADS [DEPTH]]     (defaults 2000000, 4, 0)
 *
 * Each thread: ITERS times, free a random slot of its own 1024-entry ring and
 * malloc 16..4096 bytes into it, through a noinline wrapper; then it frees its
 * ring and plants one definite leak.  main plants calloc(333) and realloc(777)
 * leaks and one still-reachable global (4242 B).  So: THREADS*ITERS
 * malloc+free pairs, about THREADS*1024 blocks live at a time, THREADS+2
 * definite leaks and 1 reachable block at exit.  DEPTH > 0 runs each
 * worker's loop DEPTH noinline calls deeper, so every malloc has
 * DEPTH + 5 frames (malloc, wrapper, loop, DEPTH x nest, worker, start_thread,
 * clone3): DEPTH 8 gives at least the default 12 frames to unwind.
 * Build: -O2 -g -pthread -fomit-frame-pointer (no frame pointers).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING 1024

static long iters = 2000000;
void *reachable_global;
void *volatile sink;

__attribute__((noinline)) static void *alloc_one(size_t n)
{
    void *p = malloc(n);
    if (p) *(volatile char *)p = 1;
    return p;
}

__attribute__((noinline)) static void plant_leak(int id)
{
    sink = alloc_one(100 + (size_t)id);
    sink = 0;
}

__attribute__((noinline)) static void storm_loop(uintptr_t id)
{
    uint64_t x = 0x9E3779B97F4A7C15ull * (uint64_t)(id + 1);
    void *ring[RING];
    memset(ring, 0, sizeof ring);
    for (long i = 0; i < iters; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        unsigned slot = (unsigned)(x >> 20) & (RING - 1);
        free(ring[slot]);
        ring[slot] = alloc_one(16 + (size_t)((x >> 40) % 4081));
    }
    for (int i = 0; i < RING; i++) free(ring[i]);
    plant_leak((int)id);
}

static int depth;
__attribute__((noinline)) static void nest(uintptr_t id, int d)
{
    if (d > 0) nest(id, d - 1);
    else storm_loop(id);
    __asm__ volatile("" ::: "memory");   /* no tail call */
}

static void *worker(void *arg)
{
    if (depth > 0) nest((uintptr_t)arg, depth - 1);
    else storm_loop((uintptr_t)arg);      /* the anchor's shape: worker -> loop -> wrapper */
    return 0;
}

int main(int argc, char **argv)
{
    int threads = 4;
    if (argc > 1) iters = atol(argv[1]);
    if (argc > 2) threads = atoi(argv[2]);
    if (argc > 3) depth = atoi(argv[3]);
    if (threads < 1 || threads > 64 || iters < 0 || depth < 0 || depth > 1000) {
        fprintf(stderr, "usage: storm ITERS [THREADS [DEPTH]]\n");
        return 2;
    }
    pthread_t t[64];
    for (int i = 0; i < threads; i++)
        if (pthread_create(&t[i], 0, worker, (void *)(uintptr_t)i)) { perror("pthread_create"); return 1; }
    for (int i = 0; i < threads; i++) pthread_join(t[i], 0);
    sink = calloc(1, 333); sink = 0;
    void *r = malloc(10); sink = r;
    sink = realloc(r, 777); sink = 0;
    reachable_global = malloc(4242);
    printf("storm: %d threads x %ld pairs done\n", threads, iters);
    return 0;
}
