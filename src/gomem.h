/* gomem.h — the Go runtime's own mappings are not roots.
 *
 * Outside its heap arenas the Go runtime keeps its metadata in memory it
 * maps itself (runtime/malloc.go sysAlloc, persistentalloc; mheap.go):
 * span structures, allocation and mark bitmaps, the page allocator's
 * summaries, per-arena heap bitmaps. None of it can hold a pointer to a C
 * block: Go's collector scans none of it, and a program's values live in
 * globals, the heap and goroutine stacks, which goroots.c scans. Read as
 * roots, those words are bit patterns and packed small fields; in a
 * non-PIE Go program the C heap sits in the low 4 GiB, where such words
 * look like pointers: one dropped block in ~200 runs was counted possibly
 * lost or reachable through them (tests/cli/test_go_roots.py).
 *
 * With cgo, runtime.mmap goes through libc's mmap (runtime/cgo/gcc_mmap.c:
 * runtime.callCgoMmap calls x_cgo_mmap, which calls mmap), so the mmap
 * interposer (unwmem.c) sees every such mapping. It asks this module
 * whether its return address is x_cgo_mmap's, decided once per return
 * address by one walk of three frames: the caller's caller must be
 * runtime.callCgoMmap (Go's pclntab, present in stripped binaries too). */
#ifndef LT_GOMEM_H
#define LT_GOMEM_H
#include "lt.h"

/* Nonzero in a cgo program whose runtime.callCgoMmap was found. */
extern int lt_gomem_on LT_HIDDEN;

/* Called once at start-up for a Go program. */
void lt_gomem_init(void) LT_HIDDEN;

/* Whether mmap was called (return address `ra`) by the Go runtime. */
bool lt_gomem_from_runtime(const void *ra) LT_HIDDEN;
#endif
