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
#endif
