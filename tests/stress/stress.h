/* stress.h — shared bits of the stress programs (tests/cli/test_stress.py).
 *
 * Each program counts its own allocations and frees (Valgrind's way: calloc
 * and realloc(NULL, n) are one alloc, realloc(p, n > 0) is one alloc and one
 * free) and prints them as `counts: allocs=A frees=F live=L`, so the test
 * can compare them with the report's "total heap usage" and "in use at
 * exit". Blocks of a distinctive size come from a function of their own, so
 * their loss record (or its absence) can be found by the frame name. */
#ifndef STRESS_H
#define STRESS_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline, noclone))

static _Atomic unsigned long st_allocs, st_frees;

static inline void count_alloc(void) { st_allocs++; }
static inline void count_free(void) { st_frees++; }

static inline void print_counts(void)
{
    unsigned long a = st_allocs, f = st_frees;
    printf("counts: allocs=%lu frees=%lu live=%lu\n", a, f, a - f);
    fflush(stdout);
}

/* xorshift64*, one state per thread. */
static inline uint64_t rnd(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* An optimisation barrier so the compiler keeps allocations it could prove
 * unused. */
static inline void touch(void *p) { __asm__ volatile("" : : "r"(p) : "memory"); }

#endif
