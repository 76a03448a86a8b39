/* unwmask.h — one signal mask around each libunwind walk of the tool's,
 * instead of two system calls per frame.
 *
 * Debian's libunwind keeps its register-state cache global behind a lock
 * even under UNW_CACHE_PER_THREAD (built without per-thread caching), and
 * blocks every signal around each use of it (lock_acquire: sigprocmask
 * SIG_SETMASK to the full mask, then back) and around each
 * dl_iterate_phdr: two rt_sigprocmask calls per frame, 24 for a 12-frame
 * stack — most of a short process's unwinding time (3,800 of 4,300 system
 * calls of `bash -c 'x=$(echo hi)'`). The blocking itself must stay: a
 * handler of the program's that unwinds (a profiler's SIGPROF, a crash
 * handler) would deadlock on the lock the tool holds. So inside a walk of
 * the tool's (lt_unw_walk_begin/end) the sigprocmask interposer
 * (unwmask.c) blocks every signal at libunwind's first call and answers the
 * rest without a system call; the walk's end restores the mask. Signals
 * stay blocked from libunwind's first lock to the walk's end: longer than
 * libunwind asks, never shorter; a walk libunwind's trace cache answers
 * without a lock makes no system call at all.
 *
 * One case this cannot tell apart: a handler that interrupts the walk
 * before that first call and itself unwinds with libunwind — its call
 * would be taken for the walk's, and the walk's end would restore the
 * handler's mask. Handlers that unwind are samplers' (profilers), on the
 * signals signals.c lists: once the program installs one of those, every
 * walk blocks signals at its start instead (two system calls per walk), so
 * no handler runs inside it. glibc never lets a program block SIGCANCEL
 * (32) and SIGSETXID (33) (sysdeps/unix/sysv/linux/internal-signals.h);
 * neither is blocked here. */
#ifndef LT_UNWMASK_H
#define LT_UNWMASK_H
#include "lt.h"
#include <stdint.h>
#include <sys/syscall.h>

typedef struct { uint64_t bits; } lt_sigmask_t;

static inline long lt_raw_sigmask(int how, const lt_sigmask_t *set, lt_sigmask_t *old)
{
#if defined(__x86_64__)
    long r;
    register long size __asm__("r10") = sizeof(uint64_t);
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "0"((long)SYS_rt_sigprocmask), "D"((long)how), "S"(set), "d"(old), "r"(size)
                     : "rcx", "r11", "memory");
    return r;
#else
    return syscall(SYS_rt_sigprocmask, how, set, old, sizeof(uint64_t));
#endif
}

/* Whether a return address lies in libunwind's code (its executable
 * segments, found by lt_unwmask_init at start-up, or at the first call). */
bool lt_from_libunwind(const void *ra) LT_HIDDEN;
void lt_unwmask_init(void) LT_HIDDEN;

extern int lt_sampler_handlers LT_HIDDEN;     /* lt.c, set by signals.c */

static inline void lt_unw_walk_mask(void)
{
    static const lt_sigmask_t all = { ~((UINT64_C(1) << 31) | (UINT64_C(1) << 32)) };
    if (!lt_tls.unw_masked) {
        lt_raw_sigmask(2 /* SIG_SETMASK */, &all, (lt_sigmask_t *)&lt_tls.unw_saved_mask);
        lt_tls.unw_masked = 1;
    }
}

/* Brackets a walk of the tool's through libunwind (not nested). */
static inline void lt_unw_walk_begin(void)
{
    if (__atomic_load_n(&lt_sampler_handlers, __ATOMIC_RELAXED))
        lt_unw_walk_mask();
    lt_tls.unw_walk = 1;
}

static inline void lt_unw_walk_end(void)
{
    lt_tls.unw_walk = 0;
    if (lt_tls.unw_masked) {
        lt_tls.unw_masked = 0;
        lt_raw_sigmask(2 /* SIG_SETMASK */, (const lt_sigmask_t *)&lt_tls.unw_saved_mask, NULL);
    }
}
#endif
