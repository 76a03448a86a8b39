/* coverage.h — what the check could not see, said in every report.
 *
 * Promises (issue 11, items 6 and 9; "the report never claims a clean heap
 * it did not check"):
 *  - every allocation the tool failed to record (its own memory ran out,
 *    or a nested call overflowed its small queue) is counted; a report
 *    made after any such loss says "leaktrace ran out of memory; N
 *    allocations were not tracked; this report is incomplete", never "All
 *    heap blocks were freed", and counts one error (so --error-exitcode
 *    fails the gate);
 *  - when the program's malloc is not the tool's (its own, or an allocator
 *    preloaded before the tool) and nothing reached the tool through
 *    glibc's __libc_* entry points, the report says the heap was not
 *    tracked: incomplete too;
 *  - when an allocator other than glibc's serves the tracked blocks, a note
 *    says its free memory and bookkeeping are scanned as roots (a lost
 *    block may show as reachable): a limit, not an incomplete check.
 * The text, JSON and XML writers print the same sentences. */
#ifndef LT_COVERAGE_H
#define LT_COVERAGE_H
#include "lt.h"

/* One allocation was not recorded. Async-signal-safe (one atomic add). */
void lt_coverage_dropped(void) LT_HIDDEN;
uint64_t lt_coverage_dropped_count(void) LT_HIDDEN;
/* A block was tracked through a __libc_* entry point. */
void lt_coverage_libc_used(void) LT_HIDDEN;
bool lt_coverage_libc_seen(void) LT_HIDDEN;

#define LT_COVERAGE_MAX 4
#define LT_COVERAGE_LEN 320
struct lt_coverage {
    int n;
    bool incomplete;          /* a check that must not pass as clean */
    char text[LT_COVERAGE_MAX][LT_COVERAGE_LEN];   /* "WARNING: ..." / "NOTE: ...", no newline */
};
/* The sentences for a report made now. */
void lt_coverage_get(struct lt_coverage *c) LT_HIDDEN;
#endif
