/* scenario.h — helpers shared by the scenario programs (tests/scenarios).
 *
 * Each scenario is a small program whose heap state at exit is known
 * exactly; its header comment states the expected LEAK SUMMARY in the
 * directives read by tests/scenario.py. Stale copies of pointers on the
 * stack or in registers would blur the classification (Valgrind scans
 * registers and the live part of every stack), so scenarios:
 *   - allocate inside NOINLINE helpers, whose frames are dead afterwards;
 *   - launder a pointer (launder_ptr) they mean to drop through a volatile per-thread
 *     variable that is cleared again, so the optimizer cannot keep it alive;
 *   - scrub() the dead stack below the caller and the callee-saved
 *     registers just before exiting.
 * SCN_CHECK() makes a scenario check itself: on failure it says why on
 * stderr and exits with status 97, which no scenario expects. */
#ifndef SCENARIO_H
#define SCENARIO_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))
#define SCN_UNUSED __attribute__((unused))

#ifdef __cplusplus
#define SCN_STATIC static inline
#else
#define SCN_STATIC static
#endif

/* Writes zeros over a large piece of the dead stack below the caller. */
SCN_UNUSED SCN_STATIC NOINLINE void scrub_stack(void)
{
    volatile char pad[64 * 1024];
    memset((char *)pad, 0, sizeof pad);
    __asm__ volatile("" ::: "memory");
}

/* Clobbers the callee-saved registers (and a few scratch ones) with zeros. */
SCN_UNUSED SCN_STATIC NOINLINE void scrub_registers(void)
{
#if defined(__x86_64__)
    __asm__ volatile("xor %%ebx,%%ebx\n\txor %%r12d,%%r12d\n\txor %%r13d,%%r13d\n\t"
                     "xor %%r14d,%%r14d\n\txor %%r15d,%%r15d\n\t"
                     "xor %%ecx,%%ecx\n\txor %%edx,%%edx\n\txor %%esi,%%esi\n\t"
                     "xor %%r8d,%%r8d\n\txor %%r9d,%%r9d\n\txor %%r10d,%%r10d\n\txor %%r11d,%%r11d"
                     ::: "rbx", "r12", "r13", "r14", "r15", "rcx", "rdx", "rsi",
                         "r8", "r9", "r10", "r11", "memory");
#elif defined(__aarch64__)
    __asm__ volatile("mov x19, xzr\n\tmov x20, xzr\n\tmov x21, xzr\n\tmov x22, xzr\n\t"
                     "mov x23, xzr\n\tmov x24, xzr\n\tmov x25, xzr\n\tmov x26, xzr\n\t"
                     "mov x27, xzr\n\tmov x28, xzr"
                     ::: "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26",
                         "x27", "x28", "memory");
#endif
}

SCN_UNUSED SCN_STATIC NOINLINE void scrub(void)
{
    scrub_stack();
    scrub_registers();
}

/* Forgets a pointer in a way the optimizer cannot see through. The sink is
 * per thread: a shared one let a thread read back another thread's pointer,
 * or the NULL it had just stored (many_threads: memset(NULL) in the plain
 * run, 1 run in a few hundred). */
static __thread void *volatile scn_sink;
SCN_UNUSED SCN_STATIC NOINLINE void *launder_ptr(void *p)
{
    scn_sink = p;
    p = scn_sink;
    scn_sink = NULL;
    return p;
}

/* Self-check: a scenario that finds its own premise false stops with 97. */
#define SCN_CHECK(cond)                                                        \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "SCENARIO SELF-CHECK FAILED: %s (%s:%d)\n", #cond,  \
                    __FILE__, __LINE__);                                       \
            fflush(stderr);                                                    \
            _exit(97);                                                         \
        }                                                                      \
    } while (0)

/* Writes a line to stdout without stdio (no buffer allocated, nothing left
 * unflushed by _exit); scenarios that print compare their stdout under the
 * shim with a plain run. */
SCN_UNUSED SCN_STATIC void say(const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(1, s, n);
        if (w <= 0)
            break;
        s += w;
        n -= (size_t)w;
    }
}
#endif
