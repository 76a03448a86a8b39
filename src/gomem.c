/* gomem.c — which mmap calls are the Go runtime's (see gomem.h). */
#include "gomem.h"
#include "gopclntab.h"
#include "lock.h"
#include "unwmask.h"
#define UNW_LOCAL_ONLY
#include <libunwind.h>

int lt_gomem_on;
static uintptr_t cgo_mmap_lo, cgo_mmap_hi;     /* runtime.callCgoMmap's code */

/* Verdicts by return address: x_cgo_mmap has one call site, a program's
 * own C code a few; past the table's end every call is walked. */
#define MAX_VERDICTS 16
static struct { uintptr_t ra; bool go; } verdicts[MAX_VERDICTS];
static int nverdicts;
static lt_spin_t verdicts_lock;

void lt_gomem_init(void)
{
#if defined(__x86_64__)
    if (lt_gopclntab_find("runtime.callCgoMmap", &cgo_mmap_lo, &cgo_mmap_hi))
        lt_gomem_on = 1;
#endif
}

enum verdict { UNKNOWN, PROGRAM, RUNTIME };

/* One walk: the frame after mmap's caller must be in runtime.callCgoMmap.
 * unw_backtrace's first entries are this function and mmap (fewer if the
 * compiler inlined), so the caller is found by its return address; a walk
 * that does not reach it decides nothing. */
static enum verdict walk(uintptr_t ra)
{
    void *buf[6];
    lt_unw_walk_begin();
    int n = unw_backtrace(buf, 6);
    lt_unw_walk_end();
    for (int i = 0; i + 1 < n; i++)
        if ((uintptr_t)buf[i] == ra) {
            uintptr_t call = (uintptr_t)buf[i + 1] - 1;      /* a return address: its call */
            return call >= cgo_mmap_lo && call < cgo_mmap_hi ? RUNTIME : PROGRAM;
        }
    return UNKNOWN;
}

bool lt_gomem_from_runtime(const void *ra_)
{
    uintptr_t ra = (uintptr_t)ra_;
    int n = __atomic_load_n(&nverdicts, __ATOMIC_ACQUIRE);
    for (int i = 0; i < n; i++)
        if (verdicts[i].ra == ra)
            return verdicts[i].go;
    /* Not from inside the tool: its own mappings are never the runtime's,
     * and a walk there (or in a handler that interrupted one of its walks)
     * could nest in one of the tool's. */
    if (lt_tls.locked || lt_tls.busy || lt_tls.unw_walk)
        return false;
    enum verdict v = walk(ra);
    /* trylock: a fork while another thread held it must not leave the
     * child unable to map memory; not remembering costs one more walk. */
    if (v != UNKNOWN && lt_spin_trylock(&verdicts_lock)) {
        n = nverdicts;
        bool known = false;
        for (int i = 0; i < n; i++)
            known |= verdicts[i].ra == ra;
        if (!known && n < MAX_VERDICTS) {
            verdicts[n].ra = ra;
            verdicts[n].go = v == RUNTIME;
            __atomic_store_n(&nverdicts, n + 1, __ATOMIC_RELEASE);
        }
        lt_spin_unlock(&verdicts_lock);
    }
    return v == RUNTIME;
}
