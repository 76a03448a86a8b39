/* unwcache.h — the allocation stack at frame-pointer cost, DWARF-exact.
 *
 * Promises: lt_unwcache_lookup/learn fill buf exactly as
 * unw_backtrace(buf, max) called from lt_depot_capture would (same count,
 * same return addresses; buf[0], which the depot drops, excepted). It
 * reuses the calling thread's previous stack when the unwinder's whole
 * input (each frame's pc, stack pointer, frame pointer, the stack words
 * holding return addresses and saved frame pointers) is unchanged, and
 * calls unw_backtrace otherwise. Environment knob LEAKTRACE_UNWIND_CACHE:
 * yes (default), no (always unw_backtrace), check (both, abort on any
 * difference: the stack-equality tests). x86-64 only; elsewhere it is
 * unw_backtrace. */
#ifndef LT_UNWCACHE_H
#define LT_UNWCACHE_H
#include "lt.h"

/* Reads LEAKTRACE_UNWIND_CACHE. Called once at start-up. */
void lt_unwcache_init(void) LT_HIDDEN;

/* Both are called directly from lt_depot_capture (itself called directly
 * from the exported allocation function; both built with frame pointers),
 * with capture_frame = its __builtin_frame_address(0):
 *   n = lt_unwcache_lookup(buf, max, fr, &id);
 *   if (n < 0) { n = unw_backtrace(buf, max); lt_unwcache_learn(buf, n, max, fr); }
 *   else if (id) return id;
 *   ... id = lt_depot_intern(...); lt_unwcache_set_id(fr, id);
 * lookup returns the cached stack (buf[0] being a return address into
 * lt_depot_capture) or -1, and in *id the depot id that stack had when
 * called through the same exported function (then buf is not filled), or
 * 0; learn may refill the cache from unw_backtrace's result (and in check
 * mode aborts if the cache disagreed with it); set_id records the id of
 * the stack just captured, if the cache holds that stack. */
int lt_unwcache_lookup(void **buf, int max, const void *capture_frame, uint32_t *id) LT_HIDDEN;
void lt_unwcache_set_id(const void *capture_frame, uint32_t id) LT_HIDDEN;

/* Gives the calling thread's cache back (thread exit). */
void lt_unwcache_thread_exit(void) LT_HIDDEN;
void lt_unwcache_learn(void *const *buf, int n, int max, const void *capture_frame) LT_HIDDEN;
#endif
