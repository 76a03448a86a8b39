/* signals.h — fatal signals as an exit path.
 *
 * Promises: when a signal whose disposition is the default "terminate" or
 * "core" action ends the process (abort(), a crash, SIGTERM from a CI
 * timeout, SIGPIPE in a pipeline), the report is written first, as Valgrind
 * writes it ("Process terminating with default action of signal N"), and
 * the process then dies of the same signal. The program always sees its own
 * dispositions: sigaction() and signal() report SIG_DFL where our handler
 * stands in for it, and a handler the program installs replaces ours. */
#ifndef LT_SIGNALS_H
#define LT_SIGNALS_H
#include "lt.h"

#include <signal.h>

/* Installs the stand-in handler on fatal signals left at SIG_DFL. */
void lt_signals_init(void) LT_HIDDEN;
/* An asynchronous fatal signal (kill, raise, a CI timeout's SIGTERM) that
 * arrives while the thread is inside the tool is remembered; when the
 * thread leaves the tool this writes the report and dies of it. */
void lt_signals_run_pending(void) LT_HIDDEN;

#endif
