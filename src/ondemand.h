/* ondemand.h — a report on request, for long-running servers.
 *
 * Promises: with --report-signal=SIG, each arrival of SIG writes a full
 * report (as leaktrace_check() does) while the program goes on, with no
 * thread of the tool's: the thread the signal lands on runs the check on
 * the tool stack, or, if it is inside the tool, when it leaves it. Limit:
 * that one thread, if it was blocked in poll/select/epoll_wait, sees EINTR
 * (signal(7): no SA_RESTART for those); leaktrace_check() does not. */
#ifndef LT_ONDEMAND_H
#define LT_ONDEMAND_H
#include "lt.h"
/* Installs the handler. 0 or -1. */
int lt_ondemand_init(int sig) LT_HIDDEN;
/* Runs a request remembered while the thread was inside the tool. */
void lt_ondemand_run_pending(void) LT_HIDDEN;
#endif
