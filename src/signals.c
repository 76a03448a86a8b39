/* signals.c — fatal signals as an exit path (see signals.h).
 *
 * For each signal of `fatal[]` whose disposition is SIG_DFL when we start,
 * a stand-in handler is installed. The program's view of that signal is
 * kept in `view[]`: sigaction() and signal() are interposed so that asking
 * returns the view (SIG_DFL while we stand in), setting SIG_DFL keeps the
 * stand-in, and setting anything else installs it for real (we step
 * aside). glibc's signal() calls its internal __sigaction, so signal() is
 * interposed too; with BSD semantics, as glibc's (SA_RESTART). */
#include "signals.h"
#include "interpose.h"
#include "lifecycle.h"
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static const int fatal[] = { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
                             SIGSEGV, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2, SIGXCPU,
                             SIGXFSZ, SIGVTALRM, SIGPROF, SIGSYS };

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

static void stand_in(int sig, siginfo_t *info, void *uc)
{
    lt_lifecycle_fatal_signal(sig, info ? info->si_code : SI_USER, info ? (uintptr_t)info->si_addr : 0, uc);
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
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        int sig = fatal[i];
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

LT_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (sig <= 0 || sig >= NSIG || !is_fatal(sig) || lt_state == LT_STATE_OFF)
        return real_sigaction(sig, act, old);
    if (!standing_in[sig]) {
        int rc = real_sigaction(sig, act, old);
        if (rc == 0 && act) {
            view[sig] = *act;
            if (wants_default(act) && lt_state == LT_STATE_TRACKING)
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
