/* bench/exitcheck.c — the cost of the check at exit.
 *
 *   exitcheck live  NBLOCKS MIB     NBLOCKS live blocks, MIB MiB in all, in
 *                                   1000 pointer chains whose heads sit in a
 *                                   global: everything still reachable.  Each
 *                                   block: next pointer, a cross link to an
 *                                   earlier block, a small integer, then
 *                                   0x5a filler (not a pointer)
 *   exitcheck leak  NBLOCKS STACKS  NBLOCKS 32-byte blocks allocated from
 *                                   STACKS distinct call stacks, all dropped:
 *                                   everything definitely lost
 *
 * Both print "rss_start_kb N" and "rss_full_kb N" (VmRSS at the start of main
 * and once every block exists), so a driver can compute the tool's memory per
 * live block with the fixed start-up cost taken out, and "main_return_ns N"
 * (CLOCK_MONOTONIC as main returns), so a driver that notes the same clock
 * when the process has ended knows how long the exit took: the leak check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHAINS 1000

void *heads[CHAINS];
void *volatile sink;

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) { kb = atol(line + 6); break; }
    fclose(f);
    return kb;
}

/* ---- live: chains ---- */
static void live(long n, long mib)
{
    void *tails[CHAINS];
    memset(tails, 0, sizeof tails);
    uint64_t x = 88172645463325252ull;
    long avg = (long)((mib << 20) / n);          /* ~1074 B for 1M in 1 GiB */
    if (avg < 16) avg = 16;
    for (long i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        size_t sz = (size_t)(16 + (long)(x % (uint64_t)(2 * avg - 31)));  /* 16 .. 2*avg-16 */
        void **b = malloc(sz);
        if (!b) { perror("malloc"); exit(1); }
        memset(b, 0x5a, sz);                      /* 0x5a5a...: never a pointer */
        b[0] = 0;                                 /* next in the chain */
        if (sz >= 3 * sizeof(void *)) {
            int o = (int)((x >> 24) % CHAINS);    /* a cross link to some chain's tail */
            b[1] = tails[o];
            b[2] = (void *)(uintptr_t)i;          /* a small integer */
        }
        int c = (int)(i % CHAINS);
        if (tails[c]) *(void **)tails[c] = b; else heads[c] = b;
        tails[c] = b;
    }
}

/* ---- leak: STACKS distinct stacks ---- 
 * A stack is picked by a 10-bit path: level k calls step0 or step1 depending
 * on bit k, so 1024 distinct return-address sequences of equal depth (12 frames
 * with malloc and leaf: the default --num-callers tells them all apart). */
static long per_stack;
__attribute__((noinline)) static void leaf(void)
{
    for (long i = 0; i < per_stack; i++) {
        void *p = malloc(32);
        if (!p) { perror("malloc"); exit(1); }
        memset(p, 0x33, 32);
        sink = p;
    }
    sink = 0;
}
__attribute__((noinline)) static void step0(unsigned path, int level);
__attribute__((noinline)) static void step1(unsigned path, int level);
static void next(unsigned path, int level)
{
    if (level == 10) leaf();
    else if (path >> level & 1) step1(path, level + 1);
    else step0(path, level + 1);
}
/* Different bodies (the counters), so gcc's identical-code folding keeps two
 * functions: each frame then tells its own bit. */
static volatile long taken0, taken1;
__attribute__((noinline)) static void step0(unsigned path, int level) { taken0++; next(path, level); __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) static void step1(unsigned path, int level) { taken1++; next(path, level); __asm__ volatile("" ::: "memory"); }

static void leak(long n, long stacks)
{
    if (stacks < 1 || stacks > 1024) { fprintf(stderr, "exitcheck: 1..1024 stacks\n"); exit(2); }
    per_stack = n / stacks;
    for (long s = 0; s < stacks; s++) next((unsigned)s, 0);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: exitcheck live NBLOCKS MIB | exitcheck leak NBLOCKS STACKS\n");
        return 2;
    }
    long n = atol(argv[2]), m = atol(argv[3]);
    printf("rss_start_kb %ld\n", rss_kb());
    if (!strcmp(argv[1], "live")) live(n, m);
    else if (!strcmp(argv[1], "leak")) leak(n, m);
    else { fprintf(stderr, "exitcheck: unknown mode %s\n", argv[1]); return 2; }
    printf("rss_full_kb %ld\n", rss_kb());
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);   /* the exit phase starts here */
    printf("main_return_ns %lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    fflush(stdout);
    return 0;
}
