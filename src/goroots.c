/* goroots.c — Go's heap and goroutine stacks as precise roots (see goroots.h).
 *
 * The runtime's own bookkeeping (Go 1.19 runtime/mheap.go, mbitmap.go,
 * runtime2.go):
 * - mheap_.allArenas lists the 64 MiB heap arenas in use; arena i starts at
 *   i * heapArenaBytes + arenaBaseOffset (malloc.go; the offset is
 *   0xffff800000000000 on amd64, arithmetic modulo 2^64).
 * - mheap_.allspans lists every span; a span holds heap objects when its
 *   state is mSpanInUse (1) and goroutine stacks when mSpanManual (2).
 * - Object i of an in-use span is allocated iff i < freeindex or its
 *   allocBits bit is set (mspan.isFree). A span whose sweepgen is
 *   mheap_.sweepgen - 2 has not been swept since the last mark finished:
 *   its gcmarkBits are the objects that GC found alive, the rest are
 *   garbage that sweeping would free (mgcsweep.go).
 * - allgs[0..allglen) are every goroutine ever created; _Gdead ones keep
 *   their stack cached for reuse (gfput) but nothing on it is live.
 * Every pointer read is checked against the process map first, and any
 * inconsistency gives up (the caller then scans the arenas whole). */
#include "goroots.h"
#include "arena.h"
#include "golayout.h"
#include <string.h>

#if defined(__x86_64__)

#define ARENA_BYTES ((uintptr_t)64 << 20)
#define ARENA_BASE_OFFSET ((uintptr_t)0xffff800000000000ull)
#define PAGE_SIZE_GO ((uintptr_t)8192)
#define MSPAN_INUSE 1
#define MSPAN_MANUAL 2
enum { G_IDLE = 0, G_RUNNING = 2, G_SYSCALL = 3, G_DEAD = 6, G_SCAN = 0x1000 };

struct range { uintptr_t lo, hi; };
static struct range *todo;      /* what lt_goroots_scan scans */
static size_t ntodo, captodo;

static void push(uintptr_t lo, uintptr_t hi)
{
    if (hi <= lo)
        return;
    if (ntodo && todo[ntodo - 1].hi == lo) {        /* adjacent objects: one range */
        todo[ntodo - 1].hi = hi;
        return;
    }
    if (ntodo == captodo) {
        size_t ncap = captodo ? captodo * 2 : 1024;
        struct range *n = lt_arena_alloc(ncap * sizeof *n);
        if (!n)
            return;
        if (todo) {
            memcpy(n, todo, ntodo * sizeof *n);
            lt_arena_free(todo, captodo * sizeof *n);
        }
        todo = n;
        captodo = ncap;
    }
    todo[ntodo].lo = lo;
    todo[ntodo].hi = hi;
    ntodo++;
}

static bool readable(const struct lt_maps *maps, uintptr_t a, size_t len)
{
    const struct lt_map *m = lt_maps_find(maps, a);
    return m && (m->prot & LT_MAP_R) && a + len <= m->hi && a + len >= a;
}

static bool bit(uintptr_t bits, uintptr_t i)
{
    return (((const unsigned char *)bits)[i / 8] >> (i % 8)) & 1;
}

/* Live objects of one in-use span. */
static bool span_objects(const struct lt_maps *maps, const struct lt_golayout *L, uintptr_t sp,
                         uint32_t heap_sweepgen)
{
    uintptr_t start = lt_go_read(sp, L->s_start), nelems = lt_go_read(sp, L->s_nelems);
    uintptr_t size = lt_go_read(sp, L->s_elemsize), freeindex = lt_go_read(sp, L->s_freeindex);
    uintptr_t npages = lt_go_read(sp, L->s_npages);
    uint32_t sg = (uint32_t)lt_go_read(sp, L->s_sweepgen);
    if (!size || nelems > npages * PAGE_SIZE_GO / size || freeindex > nelems)
        return false;
    bool unswept = sg == heap_sweepgen - 2;
    uintptr_t bits = lt_go_read(sp, unswept ? L->s_markbits : L->s_allocbits);
    if (!bits || !readable(maps, bits, (nelems + 7) / 8))
        return false;
    for (uintptr_t i = 0; i < nelems; i++) {
        bool live = unswept ? bit(bits, i) : (i < freeindex || bit(bits, i));
        if (live)
            push(start + i * size, start + (i + 1) * size);
    }
    return true;
}

/* The manual (stack) span holding `a`, as [lo, hi); false if none. */
static bool manual_span_of(uintptr_t spans, uintptr_t nspans, const struct lt_golayout *L,
                           uintptr_t a, uintptr_t *lo, uintptr_t *hi)
{
    for (uintptr_t i = 0; i < nspans; i++) {
        uintptr_t sp = ((const uintptr_t *)spans)[i];
        if (!sp || lt_go_read(sp, L->s_state) != MSPAN_MANUAL)
            continue;
        uintptr_t s = lt_go_read(sp, L->s_start), e = s + lt_go_read(sp, L->s_npages) * PAGE_SIZE_GO;
        if (a >= s && a < e) {
            *lo = s;
            *hi = e;
            return true;
        }
    }
    return false;
}

/* A thread parked in Go's scheduler (runtime.schedule -> findrunnable ->
 * stopm -> notesleep -> futex): the thread's g (TLS) is its M's g0 and the
 * M has no current goroutine, so every frame from sp up to g0.stack.hi is
 * the runtime's own; stale words there (left by earlier cgo calls, which
 * ran on this same system stack) are not roots. Valgrind scans them. */
static void exclude_idle_g0(const struct lt_maps *maps, const struct lt_golayout *L, uintptr_t sp,
                            uintptr_t tp, void (*exclude)(void *, uintptr_t, uintptr_t), void *arg)
{
    if (!L->tls_g || !tp || !readable(maps, tp + (uintptr_t)L->tls_g, 8))
        return;
    uintptr_t g = *(const uintptr_t *)(tp + (uintptr_t)L->tls_g);
    if (!g || (g & 7) || !readable(maps, g, L->g_m.off + 8))
        return;
    uintptr_t m = lt_go_read(g, L->g_m);
    if (!m || (m & 7) || !readable(maps, m, L->m_curg.off + 8))
        return;
    if (lt_go_read(m, L->m_g0) != g || lt_go_read(m, L->m_curg) != 0)
        return;
    uintptr_t lo = lt_go_read(g, L->g_lo), hi = lt_go_read(g, L->g_hi);
    if (sp >= lo && sp < hi)
        exclude(arg, sp, hi);
}

bool lt_goroots_prepare(const struct lt_maps *maps, const uintptr_t *sps, const uintptr_t *tps, int nsps,
                        void (*exclude)(void *arg, uintptr_t lo, uintptr_t hi), void *arg)
{
    ntodo = 0;
    const struct lt_golayout *L = lt_golayout();
    if (!L->ok || !lt_golayout_locate(maps))
        return false;
    uintptr_t h = L->mheap;
    const uintptr_t *as = (const uintptr_t *)(h + L->h_allspans.off);
    const uintptr_t *aa = (const uintptr_t *)(h + L->h_allarenas.off);
    uintptr_t spans = as[0], nspans = as[1], arenas = aa[0], narenas = aa[1];
    uint32_t heap_sg = (uint32_t)lt_go_read(h, L->h_sweepgen);
    if (!narenas || !readable(maps, arenas, narenas * 8) || !readable(maps, spans, nspans * 8))
        return false;
    const uintptr_t *gs = *(const uintptr_t *const *)L->allgs;
    uintptr_t ngs = *(const uintptr_t *)L->allglen;
    if (ngs && !readable(maps, (uintptr_t)gs, ngs * 8))
        return false;

    /* Heap objects. Every span must lie in a listed arena. */
    for (uintptr_t i = 0; i < nspans; i++) {
        uintptr_t sp = ((const uintptr_t *)spans)[i];
        if (!sp)
            continue;
        if (!readable(maps, sp, L->s_sweepgen.off + 8))
            return false;
        if (lt_go_read(sp, L->s_state) != MSPAN_INUSE)
            continue;
        uintptr_t start = lt_go_read(sp, L->s_start);
        bool in = false;
        for (uintptr_t k = 0; k < narenas && !in; k++) {
            uintptr_t base = ((const uintptr_t *)arenas)[k] * ARENA_BYTES + ARENA_BASE_OFFSET;
            in = start >= base && start < base + ARENA_BYTES;
        }
        if (!in || !span_objects(maps, L, sp, heap_sg))
            return false;
    }

    /* Live parts of goroutine stacks. */
    for (uintptr_t i = 0; i < ngs; i++) {
        uintptr_t g = gs[i];
        if (!g || !readable(maps, g, L->g_status.off + L->g_status.size))
            continue;
        uint32_t st = (uint32_t)lt_go_read(g, L->g_status) & ~(uint32_t)G_SCAN;
        uintptr_t lo = lt_go_read(g, L->g_lo), hi = lt_go_read(g, L->g_hi);
        if (st == G_DEAD || st == G_IDLE || !lo || hi <= lo)
            continue;
        uintptr_t from = 0;
        if (st == G_RUNNING)
            for (int k = 0; k < nsps && !from; k++)
                if (sps[k] >= lo && sps[k] < hi)
                    from = sps[k];
        if (!from && st == G_SYSCALL) {
            uintptr_t s = lt_go_read(g, L->g_syscallsp);
            if (s >= lo && s < hi)
                from = s;
        }
        if (!from) {
            uintptr_t s = lt_go_read(g, L->g_sp);
            from = s >= lo && s < hi ? s : lo;   /* unknown: the whole stack */
        }
        push(from, hi);
    }
    /* A thread stopped on a stack that is no goroutine's (a signal stack,
     * a g0 stack of a thread Go created itself): from its sp to the end of
     * that stack span. */
    for (int k = 0; k < nsps; k++) {
        uintptr_t lo, hi;
        bool on_g = false;
        for (uintptr_t i = 0; i < ngs && !on_g; i++)
            on_g = gs[i] && readable(maps, gs[i], L->g_hi.off + 8) &&
                   sps[k] >= lt_go_read(gs[i], L->g_lo) && sps[k] < lt_go_read(gs[i], L->g_hi);
        if (!on_g && manual_span_of(spans, nspans, L, sps[k], &lo, &hi))
            push(sps[k], hi);
        else if (!on_g)
            exclude_idle_g0(maps, L, sps[k], tps[k], exclude, arg);
    }

    for (uintptr_t k = 0; k < narenas; k++) {
        uintptr_t base = ((const uintptr_t *)arenas)[k] * ARENA_BYTES + ARENA_BASE_OFFSET;
        exclude(arg, base, base + ARENA_BYTES);
    }
    return true;
}

void lt_goroots_scan(struct lt_scan *s)
{
    for (size_t i = 0; i < ntodo; i++)
        lt_scan_root_range(s, todo[i].lo, todo[i].hi);
    ntodo = 0;
}

#else
bool lt_goroots_prepare(const struct lt_maps *maps, const uintptr_t *sps, const uintptr_t *tps, int nsps,
                        void (*exclude)(void *arg, uintptr_t lo, uintptr_t hi), void *arg)
{
    (void)maps; (void)sps; (void)nsps; (void)exclude; (void)arg;
    return false;
}
void lt_goroots_scan(struct lt_scan *s) { (void)s; }
#endif
