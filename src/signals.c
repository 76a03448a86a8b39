/* signals.c — fatal signals as an exit path (see signals.h).
 *
 * For each signal of `fatal[]` whose disposition is SIG_DFL when we start,
 * a stand-in handler is installed. The program's view of that signal is
 * kept in `view[]`: sigaction() and signal() are interposed so that asking
 * returns the view (SIG_DFL while we stand in), setting SIG_DFL keeps the
 * stand-in, and setting anything else installs it for real (we step
 * aside). glibc's signal() calls its internal __sigaction, so signal() is
 * interposed too; with BSD semantics, as glibc's (SA_RESTART).
 *
 * An asynchronous signal (si_code <= 0: kill, tgkill, sigqueue, raise)
 * that lands while the thread is inside the tool (busy: a tool or allocator
 * lock may be held) is remembered and handled when the thread leaves the
 * tool (lt_signals_run_pending, from the leave path): the report is written
 * and the process dies of that signal. A synchronous fault inside the tool
 * dies without a report (the heap or the table may be inconsistent).
 *
 * As PID 1 (a container's entrypoint) the kernel drops every signal whose
 * action is the default one, unless the kernel itself raises it for a
 * fault (signal(7), pid_namespaces(7)); a stand-in handler would turn that
 * dropped SIGTERM into a report and a death. So for PID 1 only the
 * synchronous fault signals get a stand-in, and one of them sent by a
 * process is dropped as the kernel would. */
#include "signals.h"
#include "interpose.h"
#include "lifecycle.h"
#include "threads.h"
#include "unwmask.h"
#include <dlfcn.h>
#include <ucontext.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static const int fatal[] = { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
                             SIGSEGV, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2, SIGXCPU,
                             SIGXFSZ, SIGVTALRM, SIGPROF, SIGSYS };

static bool as_init;                       /* we are PID 1 */
static volatile int standing_in[NSIG];     /* our handler is installed for this signal */
static struct sigaction view[NSIG];        /* what the program believes is installed */

static bool is_fatal(int sig)
{
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        if (fatal[i] == sig)
            return true;
    return false;
}

#define real_sigaction lt_sigaction_real

static void die_of(int sig)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    real_sigaction(sig, &dfl, NULL);
    standing_in[sig] = 0;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    /* A synchronous fault returns here and re-executes the faulting
     * instruction, which now meets the default action. */
}

/* Raised by the kernel for a fault of the instruction stream. */
static bool synchronous(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP || sig == SIGSYS;
}

static void stand_in(int sig, siginfo_t *info, void *uc)
{
    int code = info ? info->si_code : SI_USER;
    if (as_init && code <= 0)
        return;                        /* PID 1: the kernel would have dropped it */
    if (code <= 0 && (lt_tls.busy || lt_tls.locked || lt_tls.nopark)) {
        /* Inside the tool: handled when the thread leaves it. */
        if (!lt_tls.pending_signal) {
            lt_tls.pending_signal = sig;
            lt_tls.pending_code = code;
        }
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        lt_tls.park_pending = 1;
        return;
    }
    lt_lifecycle_fatal_signal(sig, code, info ? (uintptr_t)info->si_addr : 0, uc);
    die_of(sig);
}

void lt_signals_run_pending(void)
{
    int sig = lt_tls.pending_signal;
    if (!sig)
        return;
    lt_tls.pending_signal = 0;
    if (!standing_in[sig]) {
        /* The program took the signal over meanwhile: its handler gets it. */
        raise(sig);
        return;
    }
    /* As in a handler: nothing else runs on this thread while we report. */
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    ucontext_t uc;
    getcontext(&uc);
    lt_lifecycle_fatal_signal(sig, lt_tls.pending_code, 0, &uc);
    die_of(sig);
}

static int install_stand_in(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = stand_in;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sigfillset(&sa.sa_mask);   /* nothing else runs on this thread while we report */
    int rc = real_sigaction(sig, &sa, NULL);
    if (rc == 0)
        standing_in[sig] = 1;
    return rc;
}

void lt_signals_init(void)
{
    as_init = getpid() == 1;
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        int sig = fatal[i];
        if (as_init && !synchronous(sig))
            continue;
        struct sigaction cur;
        if (real_sigaction(sig, NULL, &cur) != 0)
            continue;
        view[sig] = cur;
        if (!(cur.sa_flags & SA_SIGINFO) && cur.sa_handler == SIG_DFL)
            install_stand_in(sig);
    }
}

/* A null handler is SIG_DFL whether or not SA_SIGINFO is set: the kernel
 * reads one field (Go's setsig(sig, _SIG_DFL) before it re-raises a fatal
 * signal passes SA_SIGINFO). */
static bool wants_default(const struct sigaction *act)
{
    return act->sa_handler == SIG_DFL;
}

/* The signals profilers and samplers take, at a rate, at any point of the
 * program: the timers' (gperftools, async-profiler: SIGPROF, SIGVTALRM;
 * SIGALRM), the user and real-time signals (sampling agents). */
static bool samples(int sig)
{
    return sig == SIGPROF || sig == SIGVTALRM || sig == SIGALRM || sig == SIGUSR1 || sig == SIGUSR2
        || (sig >= SIGRTMIN && sig <= SIGRTMAX);
}

LT_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    /* A sampler's handler (a profiler's, which may unwind) may run inside
     * a walk of the tool's through libunwind: from now on each walk blocks
     * signals from its start (unwmask.h). */
    if (act && act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN && samples(sig))
        __atomic_store_n(&lt_sampler_handlers, 1, __ATOMIC_RELAXED);
    if (sig <= 0 || sig >= NSIG || !is_fatal(sig) || lt_state == LT_STATE_OFF)
        return real_sigaction(sig, act, old);
    if (!standing_in[sig]) {
        int rc = real_sigaction(sig, act, old);
        if (rc == 0 && act) {
            view[sig] = *act;
            if (wants_default(act) && lt_state == LT_STATE_TRACKING && (!as_init || synchronous(sig)))
                install_stand_in(sig);      /* back to default: stand in again */
        }
        return rc;
    }
    /* We stand in for SIG_DFL: the program sees its own view. */
    struct sigaction before = view[sig];
    if (act) {
        if (wants_default(act)) {
            view[sig] = *act;
        } else {
            int rc = real_sigaction(sig, act, NULL);
            if (rc != 0)
                return rc;
            standing_in[sig] = 0;
            view[sig] = *act;
        }
    }
    if (old)
        *old = before;
    return 0;
}

/* glibc's signal(): BSD semantics (handler stays installed, SA_RESTART,
 * the signal blocked while its handler runs). */
static __sighandler_t bsd_signal_impl(int sig, __sighandler_t handler)
{
    struct sigaction act, old;
    if (handler == SIG_ERR || sig <= 0 || sig >= NSIG) {
        errno = EINVAL;
        return SIG_ERR;
    }
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    sigemptyset(&act.sa_mask);
    sigaddset(&act.sa_mask, sig);
    act.sa_flags = SA_RESTART;
    if (sigaction(sig, &act, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

LT_EXPORT __sighandler_t signal(int sig, __sighandler_t handler) { return bsd_signal_impl(sig, handler); }
LT_EXPORT __sighandler_t bsd_signal(int sig, __sighandler_t handler) { return bsd_signal_impl(sig, handler); }

/* The tool's alternate signal stack of a thread is not the program's
 * (threads.c). */
LT_EXPORT int sigaltstack(const stack_t *ss, stack_t *old) { return lt_threads_sigaltstack(ss, old); }
