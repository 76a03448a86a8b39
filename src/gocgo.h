/* gocgo.h — allocation stacks that go on past a cgo call into Go.
 *
 * Promises: in a Go program (amd64), when an allocation stack captured on a
 * thread's system stack ends at runtime.asmcgocall (the switch from the
 * goroutine's stack to the system stack for a cgo call), the frames of the
 * goroutine that made the call are appended — runtime.cgocall,
 * main._Cfunc_CString, main.main, runtime.main — found through what
 * asmcgocall saved (the g and the goroutine stack depth, on the system
 * stack) and the goroutine's frame-pointer chain (Go keeps frame pointers
 * on amd64). Never allocates; reads only memory that the checks below show
 * to be the thread's stack or the goroutine's. */
#ifndef LT_GOCGO_H
#define LT_GOCGO_H
#include "lt.h"

/* Called once at start-up for a Go program (resolves the layout). */
void lt_gocgo_init(void) LT_HIDDEN;

/* ips[0..depth) is a captured stack and `sp` a stack pointer of the
 * capturing frame on the current thread. Returns the new depth (<= max). */
uint32_t lt_gocgo_extend(uintptr_t *ips, uint32_t depth, uint32_t max, uintptr_t sp) LT_HIDDEN;

/* Nonzero once lt_gocgo_init found what it needs (a cheap test for the
 * capture path). */
extern int lt_gocgo_on LT_HIDDEN;
#endif
