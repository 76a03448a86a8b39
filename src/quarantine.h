/* quarantine.h — freed blocks kept from reuse for a while (--freelist-vol).
 *
 * Promises: with a volume V > 0, a block the program frees is handed to
 * the real allocator only once V more bytes have been freed after it
 * (FIFO), so the next allocations get fresh addresses — as Valgrind's
 * --freelist-vol (default 20,000,000 bytes) delays reuse. A stale pointer
 * still held somewhere (a Go object not yet collected, a dead frame) then
 * cannot make a new, truly lost block look reachable. Blocks larger than V
 * and glibc's mmapped chunks (their memory would be scanned as roots) are
 * freed at once. V defaults to 20,000,000 for Go programs and 0 (off)
 * otherwise; --freelist-vol=N sets it for every program. */
#ifndef LT_QUARANTINE_H
#define LT_QUARANTINE_H
#include "lt.h"

/* Sets the volume (called once at start-up, before other threads). */
void lt_quarantine_init(long long volume) LT_HIDDEN;
/* Frees `p` (a tracked block of `size` bytes already forgotten by the
 * table) through the real allocator, now or later. */
void lt_quarantine_free(void *p, size_t size) LT_HIDDEN;
/* After fork, in the child. */
void lt_quarantine_reset_child(void) LT_HIDDEN;
#endif
