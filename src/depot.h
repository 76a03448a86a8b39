/* depot.h — allocation stacks: capture (libunwind) and a hash-consed store.
 *
 * Promises: each distinct stack is stored once, immutable, in arena memory,
 * and named by a 32-bit id (ids count up from 1 in order of first sight, so
 * a lower id means an older stack, as Valgrind's ExeContext addresses);
 * frame 0 is the allocation function the program called; tool-internal
 * frames never appear. Lookups that hit the per-thread cache take no lock. */
#ifndef LT_DEPOT_H
#define LT_DEPOT_H
#include "lt.h"

struct lt_stack {
    uint32_t id;
    uint32_t depth;
    uint64_t hash;
    uintptr_t ips[];       /* ips[0]: in the allocation function; then return addresses */
};

/* Initialises libunwind's caching policy. */
void lt_depot_init(void) LT_HIDDEN;

/* Captures the calling thread's stack. Must be called directly from the
 * exported allocation function (it skips exactly its own frame), outside
 * any lock. Returns the depot id, or 0 if the stack could not be stored. */
uint32_t lt_depot_capture(void) LT_HIDDEN;

/* Captures the stack of an interrupted context (a signal's ucontext):
 * frame 0 is the instruction that was interrupted. Slow path only. */
uint32_t lt_depot_capture_context(void *ucontext) LT_HIDDEN;

/* Interns an explicit stack (tests, and stacks built elsewhere). */
uint32_t lt_depot_intern(const uintptr_t *ips, uint32_t depth) LT_HIDDEN;

/* The stack with this id, or NULL. */
const struct lt_stack *lt_depot_get(uint32_t id) LT_HIDDEN;
uint32_t lt_depot_count(void) LT_HIDDEN;

/* Sets the address range whose frames are tool-internal (our own text). */
void lt_depot_set_self_range(uintptr_t lo, uintptr_t hi) LT_HIDDEN;

/* Drops the calling thread's cache (thread exit). */
void lt_depot_thread_exit(void) LT_HIDDEN;

void lt_depot_lock(void) LT_HIDDEN;
void lt_depot_unlock(void) LT_HIDDEN;
void lt_depot_reset_child(void) LT_HIDDEN;
#endif
