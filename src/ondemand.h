/* ondemand.h — a report on request, for long-running servers.
 *
 * Promises: with --report-signal=SIG, each arrival of SIG writes a full
 * report (as leaktrace_check() does) while the program goes on. The
 * handler only wakes a reporter thread of the tool's (an atomic increment
 * and a futex wake: no allocation, no lock), which runs the check on its
 * own stack, allocated in tool memory so it is never a root. */
#ifndef LT_ONDEMAND_H
#define LT_ONDEMAND_H
#include "lt.h"

/* Starts the reporter thread and installs the handler. 0 or -1. */
int lt_ondemand_init(int sig) LT_HIDDEN;
#endif
