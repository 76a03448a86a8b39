/* fill.h — memory the program receives uninitialised gets a fixed byte.
 *
 * Promises (issue 10, "What must be true" 2): a fresh block from malloc,
 * the memalign family, operator new (every variant) and the grown tail of
 * realloc holds no word the program did not write, so a stale pointer left
 * in a reused chunk cannot keep a leaked block alive. Valgrind gets this
 * from its V-bits; we get it as glibc's MALLOC_PERTURB_ and Valgrind's
 * --malloc-fill do, by writing a byte that is no pointer: 0x00 by default,
 * the --malloc-fill byte when given, nothing with --malloc-fill=none.
 * --free-fill=<byte> writes a freed block before it goes back (Valgrind's
 * memcheck option; off by default with glibc). calloc is zero already and
 * is not touched. */
#ifndef LT_FILL_H
#define LT_FILL_H
#include "lt.h"
#include "options.h"

/* Fills bytes [from, to) of the fresh block p. */
void lt_fill_range(void *p, size_t from, size_t to) LT_HIDDEN;
/* Fills the `size` bytes of freed block p with the --free-fill byte (with
 * another allocator than glibc's, zero by default: see fill.c). */
void lt_fill_freed(void *p, size_t size) LT_HIDDEN;

static inline void lt_fill_new(void *p, size_t size)
{
    if (lt_opt.malloc_fill >= 0 && size)
        lt_fill_range(p, 0, size);
}

/* realloc grew a block from usable size `old_usable` (what the program
 * could have written in the old block, and the allocator copied) to `size`. */
static inline void lt_fill_grown(void *p, size_t old_usable, size_t size)
{
    if (lt_opt.malloc_fill >= 0 && size > old_usable)
        lt_fill_range(p, old_usable, size);
}
#endif
