/* goroots.h — Go's heap and goroutine stacks as precise roots.
 *
 * Promises: in a Go program whose runtime metadata golayout.c found, the
 * Go heap arenas are not scanned as one range; instead the roots inside
 * them are exactly the allocated objects of in-use spans (the allocation
 * bits, or the mark bits of a span the last completed GC left unswept) and
 * the live part of each goroutine stack: [sp, stack.hi) of every goroutine
 * not dead, sp being the stopped thread's stack pointer for a running one,
 * syscallsp for one in a system call or cgo call, the saved sched.sp
 * otherwise. Frames that returned, stacks of finished goroutines (Go caches
 * them), old stacks left behind by stack growth and freed objects are not
 * roots. Noscan spans are scanned too: a Go program may keep a C pointer
 * as a uintptr ([]uintptr is noscan), and Valgrind counts it. */
#ifndef LT_GOROOTS_H
#define LT_GOROOTS_H
#include "lt.h"
#include "maps.h"
#include "scan.h"

/* Called with the thread stack pointers known at the check (the checking
 * thread's caller, each stopped thread) and their thread pointers (glibc:
 * pthread_self(); 0 if unknown). A thread idle in Go's scheduler (its g is
 * its M's g0 and the M runs no goroutine) holds only runtime frames on its
 * system stack: [sp, g0.stack.hi) is excluded too. Returns false (nothing done) when
 * the metadata is missing or inconsistent: the caller scans the arenas as
 * ordinary memory. Otherwise calls exclude(arg, lo, hi) for each heap arena
 * and remembers what to scan in lt_goroots_scan. */
bool lt_goroots_prepare(const struct lt_maps *maps, const uintptr_t *sps, const uintptr_t *tps, int nsps,
                        void (*exclude)(void *arg, uintptr_t lo, uintptr_t hi), void *arg) LT_HIDDEN;
/* Scans the live objects and live stack parts found by the last prepare. */
void lt_goroots_scan(struct lt_scan *s) LT_HIDDEN;
#endif
