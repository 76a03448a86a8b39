/* unwmem.h — libunwind's own memory is the tool's, not a root.
 *
 * libunwind takes the memory of its caches with mmap (GET_MEMORY), never
 * malloc: above all the trace cache unw_backtrace keeps per thread, 2^14
 * frame descriptions = 256 KiB for every thread that ever unwinds. Those
 * mappings are anonymous and writable, so the root scan took them for the
 * program's and read them at every check: a third of a forked subshell's
 * scan (issue 14), 25 MiB for a program of 100 threads, and never a
 * pointer to a block (they hold code addresses and frame offsets). The
 * mmap/munmap interposers (unwmem.c) note what libunwind's code maps
 * inside the tool's walks and forget whatever is unmapped; roots.c
 * excludes what is noted. The same interposer notes the mappings the Go
 * runtime makes for its own metadata (gomem.h), which roots.c excludes
 * when Go's heap is scanned from the runtime's metadata. */
#ifndef LT_UNWMEM_H
#define LT_UNWMEM_H
#include "lt.h"
#include <stdint.h>

enum lt_noted_kind { LT_NOTED_UNWIND = 1, LT_NOTED_GO_RUNTIME = 2 };

/* Calls fn(ctx, lo, hi) for each noted mapping of that kind still mapped. */
void lt_unwmem_ranges(enum lt_noted_kind kind, void (*fn)(void *ctx, uintptr_t lo, uintptr_t hi),
                      void *ctx) LT_HIDDEN;
/* Resolves the next mmap/munmap at start-up, before any walk. */
void lt_unwmem_init(void) LT_HIDDEN;
/* Around fork, as the other locks of the tool (lifecycle.c). */
void lt_unwmem_lock(void) LT_HIDDEN;
void lt_unwmem_unlock(void) LT_HIDDEN;
void lt_unwmem_reset_child(void) LT_HIDDEN;
#endif
