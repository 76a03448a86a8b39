/* mainstack.h — the main thread's stack bounds without malloc.
 *
 * Promises (issue 11, item 6): the same answer as glibc's
 * pthread_getattr_np for the main thread, found from /proc/self/maps read
 * with raw system calls into the tool's arena (maps.h). pthread_getattr_np
 * reads that file with getline, whose malloc and realloc may be two
 * different allocators when the program defines malloc itself (Valgrind's
 * static_malloc test): the tool's start-up must not hand the program's
 * blocks to glibc. */
#ifndef LT_MAINSTACK_H
#define LT_MAINSTACK_H
#include "lt.h"

/* *lo, *hi: the main thread's stack as pthread_getattr_np reports it
 * (growth limit included), or both 0 if it cannot be found. */
void lt_mainstack_bounds(uintptr_t *lo, uintptr_t *hi) LT_HIDDEN;
/* The same top; the bottom only as low as RLIMIT_STACK allows (0 when
 * unlimited), without reading /proc/self/maps (a read in every process at
 * start-up, about 50 us: issue 14). Enough for bounds that only reject
 * words as frame addresses (the unwind cache); --unwind=fp, which follows
 * frame pointers it cannot otherwise check, uses the exact bounds. */
void lt_mainstack_bounds_loose(uintptr_t *lo, uintptr_t *hi) LT_HIDDEN;
#endif
