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
 * (unwmask.c) blocks every signal at libunwind's first call and answers
 * the rest without a system call; the walk's end restores the mask. Signals
 * stay blocked from libunwind's first lock to the walk's end: longer than
 * libunwind asks, never shorter. A walk that takes no lock (libunwind's
 * trace cache answering) makes no system call at all. glibc never lets a
 * program block SIGCANCEL (32) and SIGSETXID (33)
 * (sysdeps/unix/sysv/linux/internal-signals.h); neither is blocked here. */
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

/* Brackets a walk of the tool's through libunwind (not nested). */
static inline void lt_unw_walk_begin(void)
{
    lt_tls.unw_walk = 1;
}

static inline void lt_unw_walk_end(void)
{
    lt_tls.unw_walk = 0;
    if (LT_UNLIKELY(lt_tls.unw_masked)) {
        lt_tls.unw_masked = 0;
        lt_raw_sigmask(2 /* SIG_SETMASK */, (const lt_sigmask_t *)&lt_tls.unw_saved_mask, NULL);
    }
}

/* libunwind's first mask request of a walk: every signal the program
 * could handle is blocked, the old mask kept for lt_unw_walk_end. */
static inline void lt_unw_walk_mask(void)
{
    static const lt_sigmask_t all = { ~((UINT64_C(1) << 31) | (UINT64_C(1) << 32)) };
    if (!lt_tls.unw_masked) {
        lt_raw_sigmask(2 /* SIG_SETMASK */, &all, (lt_sigmask_t *)&lt_tls.unw_saved_mask);
        lt_tls.unw_masked = 1;
    }
}
#endif
