/* table.h — the live-block table: address -> {size, stack id}.
 *
 * Promises: lock-striped (no global lock on the malloc/free path); entries
 * are 16 bytes, addresses stored encoded so the table never looks like a
 * root; storage comes from the arena. Also keeps Valgrind's
 * "total heap usage" counters, per stripe. */
#ifndef LT_TABLE_H
#define LT_TABLE_H
#include "lt.h"

struct lt_block {
    uintptr_t addr;
    size_t size;
    uint32_t stack;
    bool ignored;          /* not to be reported; its contents are roots (LSan's ignore) */
};

/* Sizes are kept in 50 bits (1 PiB); the 51st is the `ignored` flag. */
#define LT_TABLE_MAX_SIZE ((UINT64_C(1) << 50) - 1)

void lt_table_init(void) LT_HIDDEN;
/* Spreads the blocks over the stripes, once: to be called while the
 * caller is the only thread, before it creates another (table.c: one
 * table while single-threaded). */
void lt_table_spread(void) LT_HIDDEN;
/* Records a new live block; counts one allocation of `size` bytes.
 * Returns false if the tool could not store it (out of arena memory). */
bool lt_table_insert(uintptr_t addr, size_t size, uint32_t stack) LT_HIDDEN;
/* Same, for a block to be ignored from the start (leaktrace_disable). */
bool lt_table_insert_ignored(uintptr_t addr, size_t size, uint32_t stack) LT_HIDDEN;
/* Marks the live block starting at `addr` ignored; false if unknown. */
bool lt_table_set_ignored(uintptr_t addr) LT_HIDDEN;
/* Marks ignored the live block containing `addr` (start or interior). */
bool lt_table_set_ignored_containing(uintptr_t addr) LT_HIDDEN;
/* Puts back a block removed by lt_table_remove (a failed realloc), undoing
 * the free it counted. */
void lt_table_restore(uintptr_t addr, size_t size, uint32_t stack, bool ignored) LT_HIDDEN;
/* Forgets a block; counts one free if it was known. Returns whether it was. */
bool lt_table_remove(uintptr_t addr, struct lt_block *out) LT_HIDDEN;
bool lt_table_lookup(uintptr_t addr, struct lt_block *out) LT_HIDDEN;

/* Snapshot of every live block, sorted by address, in arena memory
 * (*n blocks; free with lt_arena_free(v, *bytes)). Takes every stripe lock
 * while copying, unless `quiescent`: every other thread is stopped outside
 * the tool (threads.h all_stopped), so no stripe can change or be held —
 * and a forked child does not copy the 512 stripes' pages to write locks. */
struct lt_block *lt_table_snapshot(size_t *n, size_t *bytes, bool quiescent) LT_HIDDEN;

struct lt_heap_usage { uint64_t allocs, frees, bytes_allocated; };
void lt_table_usage(struct lt_heap_usage *u) LT_HIDDEN;
/* Bytes of table storage (for the memory-per-block figure). */
size_t lt_table_storage_bytes(void) LT_HIDDEN;
size_t lt_table_count(void) LT_HIDDEN;

void lt_table_lock_all(void) LT_HIDDEN;
void lt_table_unlock_all(void) LT_HIDDEN;
void lt_table_reset_child(void) LT_HIDDEN;
#endif
