/* lifecycle.h — start-up, the exit paths, fork, and running a check.
 *
 * Promises: the tool starts in its constructor (and, if an allocation comes
 * first, the tracking core starts then); every way a process ends — return
 * from main, exit(), _exit()/_Exit(), quick_exit(), exit from another
 * thread — writes the report once, for the process that owns it (a vfork
 * or posix_spawn child never reports for its parent; a fork child reports
 * for itself); the report goes to a private duplicate of stderr taken at
 * start-up, or to --log-file / --log-fd. */
#ifndef LT_LIFECYCLE_H
#define LT_LIFECYCLE_H
#include "lt.h"

/* Brings up tracking (real allocator, options, depot). Idempotent. */
void lt_lifecycle_start_core(void) LT_HIDDEN;

/* A fatal signal is about to end the process (called from the stand-in
 * handler, with the interrupted context and the siginfo's si_code and
 * si_addr): writes the final report. */
void lt_lifecycle_fatal_signal(int sig, int code, uintptr_t addr, void *ucontext) LT_HIDDEN;

/* The program ends by a path we do not see as exit() (Go's runtime.exit):
 * records `status` and the stack pointer of the exiting frame, runs the
 * final check. Returns the status to force (error exit code), or -1. */
int lt_lifecycle_exit_from(int status, uintptr_t sp) LT_HIDDEN;

/* Runs a check now and writes its report. `final`: the process is ending
 * (libc caches are released first and tracking stops afterwards).
 * Returns the number of leak errors found (not suppressed). */
uint64_t lt_check(bool final) LT_HIDDEN;

/* Same, for a check the program asked for through an entry stub
 * (callctx.h) that recorded its caller's stack pointer and callee-saved
 * registers: the checking thread's frames below its caller, the tool's
 * included, are not roots. `caller` may be NULL. */
struct lt_exit_ctx;
uint64_t lt_check_from(bool final, const struct lt_exit_ctx *caller) LT_HIDDEN;
#endif
