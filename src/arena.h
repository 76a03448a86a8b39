/* arena.h — the tool's own memory.
 *
 * Promises: every byte the tool keeps (tables, depot, symbol caches, report
 * buffers) comes from here, never from the program's heap; the arena is one
 * or a few reserved address ranges that the root scan excludes (DESIGN,
 * decision 2). Thread-safe; allocation never calls malloc. Memory is
 * reserved PROT_NONE and committed in chunks, so it works under strict
 * overcommit (vm.overcommit_memory=2) and does not inflate RSS. */
#ifndef LT_ARENA_H
#define LT_ARENA_H
#include "lt.h"

/* Returns zeroed memory aligned to 16 bytes, or NULL (warned once) when no
 * more address space can be had. Sizes are rounded up to a power of two. */
void *lt_arena_alloc(size_t size) LT_HIDDEN;
/* Gives memory back; `size` must be the size passed to lt_arena_alloc. */
void lt_arena_free(void *p, size_t size) LT_HIDDEN;
char *lt_arena_strdup(const char *s) LT_HIDDEN;
/* From now on large frees keep their pages (zeroed again when reused):
 * for the exit check, after which the process ends. */
void lt_arena_keep_pages(void) LT_HIDDEN;
/* Bump allocation that is never freed (depot records, strings). Zeroed. */
void *lt_arena_bump(size_t size) LT_HIDDEN;

/* True if p lies inside the arena. */
bool lt_arena_contains(uintptr_t p) LT_HIDDEN;
/* Enumerates the reserved ranges (for the root scan's exclusion list). */
int lt_arena_ranges(uintptr_t *lo, uintptr_t *hi, int max) LT_HIDDEN;
/* True once a reservation has failed: the tool is short of memory. */
bool lt_arena_exhausted(void) LT_HIDDEN;
/* Lets the next allocation try to reserve address space again (the check
 * starts with it: the program may have given memory back since). */
void lt_arena_retry(void) LT_HIDDEN;
/* Makes sure `size` more bytes can be had (reserving address space if
 * needed, committing nothing); false if that is impossible. */
bool lt_arena_headroom(size_t size) LT_HIDDEN;
/* Bytes currently committed (for statistics). */
size_t lt_arena_committed(void) LT_HIDDEN;

/* True if this thread holds the arena lock (a nested call must not
 * allocate through the normal path). */
bool lt_arena_held(void) LT_HIDDEN;

/* fork support: lock/unlock around fork, reset in the child. */
void lt_arena_lock(void) LT_HIDDEN;
void lt_arena_unlock(void) LT_HIDDEN;
void lt_arena_reset_child(void) LT_HIDDEN;
#endif
