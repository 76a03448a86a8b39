/* unit.h — the unit tests' tiny assertion kit.
 *
 * CHECK(cond, fmt, ...) prints "FAIL file:line: expression -- message" and
 * counts the failure (thread-safe); UNIT_DONE() prints the tally and is what
 * main returns: non-zero if any check failed. CHECK_EQ_U64 and CHECK_STR
 * print both values. RUN(test) runs one test function and names it. */
#ifndef LT_UNIT_H
#define LT_UNIT_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int unit_failures_, unit_checks_;

#define CHECK(cond, ...)                                                              \
    do {                                                                              \
        __atomic_fetch_add(&unit_checks_, 1, __ATOMIC_RELAXED);                       \
        if (!(cond)) {                                                                \
            __atomic_fetch_add(&unit_failures_, 1, __ATOMIC_RELAXED);                 \
            fprintf(stderr, "FAIL %s:%d: %s -- ", __FILE__, __LINE__, #cond);         \
            fprintf(stderr, __VA_ARGS__);                                             \
            fputc('\n', stderr);                                                      \
            fflush(stderr);                                                           \
        }                                                                             \
    } while (0)

#define CHECK_EQ_U64(got, want)                                                       \
    do {                                                                              \
        unsigned long long g_ = (unsigned long long)(got);                            \
        unsigned long long w_ = (unsigned long long)(want);                           \
        CHECK(g_ == w_, "%s == %llu (0x%llx), expected %llu (0x%llx)", #got, g_, g_,  \
              w_, w_);                                                                \
    } while (0)

#define CHECK_STR(got, want)                                                          \
    do {                                                                              \
        const char *g_ = (got), *w_ = (want);                                         \
        CHECK(g_ && strcmp(g_, w_) == 0, "%s == \"%s\", expected \"%s\"", #got,       \
              g_ ? g_ : "(null)", w_);                                                \
    } while (0)

#define RUN(test)                                                                     \
    do {                                                                              \
        int before_ = unit_failures_;                                                 \
        test();                                                                       \
        printf("%-40s %s\n", #test, unit_failures_ == before_ ? "ok" : "FAILED");     \
        fflush(stdout);                                                               \
    } while (0)

#define UNIT_DONE()                                                                   \
    (printf("%d checks, %d failed\n", unit_checks_, unit_failures_),                  \
     unit_failures_ ? 1 : 0)

/* A small deterministic PRNG (xorshift64*), one state per user. */
static inline uint64_t unit_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}
#endif
