/* golayout.h — where the Go runtime keeps its heap and goroutine metadata.
 *
 * Promises: for a Go program (amd64), the addresses of runtime.mheap_,
 * runtime.allgs and runtime.allglen, and the offsets and sizes of the
 * fields goroots.c and gocgo.c read (mheap.allspans/allArenas/sweepgen,
 * mspan.startAddr/npages/nelems/freeindex/allocBits/gcmarkBits/elemsize/
 * state/sweepgen, g.stack/sched/syscallsp/atomicstatus), taken from the
 * executable's symbol table and DWARF types, so they follow the Go
 * version. Resolved once, on first use (libdw allocates: call it inside
 * the tool's guard). When the executable is stripped of its symbols and
 * DWARF (go test links with -s -w), the offsets come from a table for the
 * Go versions it knows (go1.19, read from .go.buildinfo) and the variables
 * are found by shape; otherwise `ok` is false and `why` says what was
 * missing. */
#ifndef LT_GOLAYOUT_H
#define LT_GOLAYOUT_H
#include "lt.h"

struct lt_gofield { uint32_t off, size; };

struct lt_golayout {
    bool ok;
    const char *why;                       /* when !ok */
    uintptr_t mheap, allgs, allglen;       /* variables; 0 until found */
    bool by_version;                       /* offsets from the built-in table
                                              (stripped binary of a known Go) */
    uintptr_t bss_lo, bss_hi;              /* where to look for the variables
                                              when there is no symbol table */
    struct lt_gofield h_allspans, h_allarenas, h_sweepgen;
    struct lt_gofield s_start, s_npages, s_nelems, s_freeindex, s_allocbits,
                      s_markbits, s_elemsize, s_state, s_sweepgen;
    struct lt_gofield g_lo, g_hi, g_sp, g_bp, g_pc, g_schedg, g_syscallsp, g_status, g_m;
    struct lt_gofield m_g0, m_curg;
    intptr_t tls_g;                        /* where a thread's g is, relative to its
                                              thread pointer; 0 if unknown */
};

/* The layout (resolved on the first call; later calls are lock-free). */
const struct lt_golayout *lt_golayout(void) LT_HIDDEN;

/* For a stripped binary: finds runtime.mheap_ and runtime.allgs in .bss by
 * their shape (see golayout.c); needs the process map. Returns whether the
 * variables are known (found now or before). Call with the world stopped. */
struct lt_maps;
bool lt_golayout_locate(const struct lt_maps *maps) LT_HIDDEN;

/* Reads an unsigned field of `size` 1, 2, 4 or 8 bytes at base + f.off. */
static inline uint64_t lt_go_read(uintptr_t base, struct lt_gofield f)
{
    const unsigned char *p = (const unsigned char *)(base + f.off);
    switch (f.size) {
    case 1: return *p;
    case 2: return *(const uint16_t *)p;
    case 4: return *(const uint32_t *)p;
    default: return *(const uint64_t *)p;
    }
}
#endif
