/* ondemand.c — a report on request (see ondemand.h).
 *
 * No thread of the tool's: an extra thread would be visible to the program
 * (/proc/self/task, unshare(CLONE_NEWUSER) and setns() refuse a
 * multi-threaded process). The handler runs the check itself, on the tool
 * stack (lt_check switches to it), with every signal blocked (sa_mask)
 * but the report signal: a second request arriving meanwhile must land on
 * this same thread (it is remembered, as inside the tool), not on another
 * thread, blocked in epoll_wait, which it would interrupt;
 * when the signal lands while the thread is inside the tool (a tool or
 * allocator lock may be held) the request is remembered and run when the
 * thread leaves the tool (threads.c lt_threads_park_self). */
#include "ondemand.h"
#include "interpose.h"
#include "lifecycle.h"
#include <errno.h>
#include <signal.h>
#include <string.h>

static int report_sig;

static void on_report_signal(int sig)
{
    (void)sig;
    if (lt_state != LT_STATE_TRACKING || lt_tls.tool_thread)
        return;
    if (lt_tls.busy || lt_tls.locked || lt_tls.nopark || lt_tls.pending_report) {
        lt_tls.pending_report = 1;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        lt_tls.park_pending = 1;
        return;
    }
    int saved = errno;
    lt_check(false);
    errno = saved;
}

void lt_ondemand_run_pending(void)
{
    lt_tls.pending_report = 0;
    if (lt_state != LT_STATE_TRACKING)
        return;
    sigset_t all, old;
    sigfillset(&all);
    sigdelset(&all, report_sig);
    sigprocmask(SIG_BLOCK, &all, &old);
    int saved = errno;
    lt_check(false);
    errno = saved;
    sigprocmask(SIG_SETMASK, &old, NULL);
}

int lt_ondemand_init(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    report_sig = sig;
    sa.sa_handler = on_report_signal;
    sa.sa_flags = SA_RESTART | SA_ONSTACK | SA_NODEFER;
    sigfillset(&sa.sa_mask);
    sigdelset(&sa.sa_mask, sig);
    return lt_sigaction_real(sig, &sa, NULL);
}
