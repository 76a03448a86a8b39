/* ondemand.c — a report on request (see ondemand.h). */
#include "ondemand.h"
#include "arena.h"
#include "interpose.h"
#include "lifecycle.h"
#include "lock.h"
#include <pthread.h>
#include <signal.h>
#include <string.h>

#define REPORTER_STACK (8u << 20)

static int requests;        /* futex: bumped by the handler */

static void on_report_signal(int sig)
{
    (void)sig;
    __atomic_fetch_add(&requests, 1, __ATOMIC_ACQ_REL);
    lt_futex_wake(&requests, 1);
}

static void *reporter(void *arg)
{
    (void)arg;
    int seen = 0;
    /* This thread is the tool's: its allocations (libdw) pass through. */
    lt_tls.tool_thread = true;
    lt_tls.busy++;
    for (;;) {
        int now = __atomic_load_n(&requests, __ATOMIC_ACQUIRE);
        if (now == seen) {
            lt_futex_wait(&requests, now);
            continue;
        }
        seen = now;
        if (lt_state != LT_STATE_TRACKING)
            break;
        lt_tls.busy--;
        lt_check(false);
        lt_tls.busy++;
    }
    return NULL;
}

int lt_ondemand_init(int sig)
{
    void *stack = lt_arena_alloc(REPORTER_STACK);
    if (!stack)
        return -1;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, stack, REPORTER_STACK);
    pthread_t t;
    /* Not a thread of the program: not registered, and nothing glibc
     * allocates for it (its TLS vector) is tracked. */
    bool was_tool = lt_tls.tool_thread;
    lt_tls.tool_thread = true;
    lt_tls.busy++;
    int rc = lt_real.pthread_create(&t, &attr, reporter, NULL);
    lt_tls.busy--;
    lt_tls.tool_thread = was_tool;
    pthread_attr_destroy(&attr);
    if (rc != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_report_signal;
    sa.sa_flags = SA_RESTART | SA_ONSTACK;
    return lt_sigaction_real(sig, &sa, NULL);
}
