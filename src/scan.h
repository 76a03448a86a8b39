/* scan.h — the mark phase and the clique pass: Valgrind memcheck's classification.
 *
 * Promises (mc_leakcheck.c, research note §1):
 *  - a word is a pointer to a block if it lies in [start, start+size), a
 *    0-byte block counting as 1 byte; only aligned words are read;
 *  - pass 1 from the roots: a start pointer (or an interior pointer accepted
 *    by a heuristic) from a root or a Reachable block makes a block
 *    Reachable; anything else makes an Unreached block Possible; a block is
 *    rescanned on every upgrade;
 *  - pass 2 in address order: each still-Unreached block leads a clique; the
 *    Unreached blocks it reaches become IndirectLeak and add their size, and
 *    any indirect size they had gathered as earlier leaders, to the leader.
 * Memory that faults while being read is skipped a word at a time. */
#ifndef LT_SCAN_H
#define LT_SCAN_H
#include "lt.h"
#include "table.h"

struct lt_scan_block {
    uintptr_t addr;
    size_t size;
    uint32_t stack;
    uint8_t state;        /* enum lt_kind; starts as LT_DEFINITE (Unreached) */
    uint8_t heuristic;    /* enum lt_heuristic that made it reachable, or 0 */
    uint8_t pending;      /* on the mark stack */
    uint64_t indirect;    /* Unreached: bytes lost through it; IndirectLeak: unused */
};

struct lt_scan {
    struct lt_scan_block *b;
    size_t n;
    uintptr_t lo, hi;     /* [lowest block start, highest block end) */
    unsigned heuristics;  /* LT_HEUR_BIT set */
    uint32_t *stack;      /* mark stack of block indices */
    size_t top;
    size_t clique;        /* current clique leader, or SIZE_MAX in pass 1 */
    uint64_t scanned_bytes;
    uint64_t skipped_bytes;
    size_t stack_bytes, blocks_bytes;
    bool catching;        /* the fault catcher is installed for this scan */
    /* Bucket index of the blocks: bucket k covers [lo + (k << shift), ...);
     * first[k] = number of blocks starting below it (lt_scan_find). */
    uint32_t *first;
    size_t first_bytes;
    unsigned shift;
};

/* Builds the scan state from blocks sorted by address (arena memory). */
int lt_scan_init(struct lt_scan *s, const struct lt_block *blocks, size_t n,
                 unsigned heuristics) LT_HIDDEN;
void lt_scan_fini(struct lt_scan *s) LT_HIDDEN;

/* Pass 1 inputs. */
void lt_scan_root_range(struct lt_scan *s, uintptr_t lo, uintptr_t hi) LT_HIDDEN;
void lt_scan_root_word(struct lt_scan *s, uintptr_t value) LT_HIDDEN;
/* Marks the block containing `ptr` Reachable as if by a start pointer. */
void lt_scan_root_block_of(struct lt_scan *s, uintptr_t ptr) LT_HIDDEN;
/* Processes the mark stack until empty (end of pass 1). */
void lt_scan_propagate(struct lt_scan *s) LT_HIDDEN;
/* Pass 2. */
void lt_scan_cliques(struct lt_scan *s) LT_HIDDEN;

/* Index of the block containing ptr, or -1. */
ptrdiff_t lt_scan_find(const struct lt_scan *s, uintptr_t ptr) LT_HIDDEN;
#endif
