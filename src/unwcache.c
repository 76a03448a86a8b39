/* unwcache.c — reuse of the previous allocation stack, validated (see unwcache.h).
 *
 * Why: a DWARF unwind (unw_backtrace) per allocation is most of the tool's
 * cost, yet consecutive allocations of a thread share their outer frames.
 *
 * What libunwind computes (x86-64, DWARF CFI as GCC and clang emit it, and
 * as libunwind's own fast tracer assumes for its "standard" frames): for a
 * frame in state (ip, sp, rbp), the CFA is rsp + k or rbp + k, k a function
 * of ip (SysV x86-64 ABI §3.7; DWARF 5 §6.4); the return address is the word
 * at CFA - 8 (the `call` pushed it there); the caller's sp is the CFA; the
 * caller's rbp is either unchanged or the word at CFA + k' (also a function
 * of ip). Other callee-saved registers never enter the CFA computation. So
 * the frames outer to a frame are a function of that frame's (ip, sp, rbp)
 * and of the stack words holding return addresses and saved rbps.
 *
 * The cache: UC_ENTRIES stacks per thread, direct-mapped by frame 2's
 * (pc, sp), each with the depot id it had (per exported function, so a hit
 * skips the depot's hashing too). After a full unwind, each frame k >= 2 (0: lt_depot_capture,
 * 1: the exported allocation function, 2: its caller) is described by its
 * (ip, sp, rbp), where its rbp was read from (0: unchanged from frame k-1,
 * from libunwind's unw_get_save_loc), and a guard word (below). On the next
 * capture, frame 2's (ip, sp, rbp) is read through the tool's own frame
 * pointers (lt_depot_capture and the exported functions are built with
 * -fno-omit-frame-pointer, checked against libunwind at each refill); if it
 * equals the cached one, then by induction frame k+1's state is the cached
 * one iff the word at cached sp[k+1] - 8 is ip[k+1] and the word at
 * bp_loc[k+1] is rbp[k+1]: those are the very words the unwinder would read,
 * at the very addresses (they depend only on the state, equal by the
 * induction). Any difference: unw_backtrace, as before.
 *
 * Not covered by the rule forms above, hence refused or guarded:
 *  - signal frames (unw_is_signal_frame): not cached;
 *  - rbp matters only where a frame's CFA may be rbp-based: where rbp lies
 *    in the frame's own area (sp, CFA] (refill); elsewhere it is data;
 *  - a stack that ended before max: libunwind's frame-pointer fallback for
 *    code without unwind info (JIT) may have stopped on the outermost rbp
 *    and the two words at it: rbp and those words are compared too;
 *  - gcc's DRAP frames (stack realignment: CFA = *(rbp - 8), a
 *    DW_CFA_def_cfa_expression): where rbp points into the frame's own area
 *    and *(rbp - 8) is the CFA, that word is a guard compared too;
 *  - stacks outside the thread's known stack (coroutines, sigaltstack),
 *    deeper than UC_FRAMES, or a cache in use (a signal handler allocating
 *    while a capture runs): unw_backtrace.
 * A refill (unw_init_local + unw_step: ~1 µs per frame, libunwind finds the
 * unwind info with dl_iterate_phdr on each step) runs only on a miss and at
 * most once per REFILL_EVERY misses unless the previous cache paid off, and
 * its result is kept only if its ips equal unw_backtrace's exactly. */
#include "unwcache.h"
#include "arena.h"
#include <stdlib.h>
#include <string.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#define UC_FRAMES 32          /* deeper stacks (--num-callers > 30) are not cached */
#define UC_ENTRIES 4          /* previous stacks kept: 2 sets x 2 ways by frame 2's (pc, sp) */
#define UC_CHECKS (2 * UC_FRAMES + 4)   /* words compared on a hit; a stack needing more is not cached */
#define REFILL_EVERY 256u
/* Below Linux's vm.mmap_min_addr (65536 by default): never mapped. */
#define LOW_ADDR 0x10000u
#define REFILL_STACK (64u * 1024)   /* stack left below us that a refill requires */

enum { UC_OFF, UC_ON, UC_CHECK };
static int mode = UC_ON;
static unsigned long checked, refills, rejected;   /* check mode: stacks compared, refills
                                                     kept, frame 2 alike but outer frames not */

struct uc_frame {
    uintptr_t ip, sp, bp;
    uintptr_t bp_loc;         /* address of rbp to compare (0: none): where the unwinder reads it */
    uintptr_t guard;          /* 0, or the address of a DRAP word that must still hold gval */
    uintptr_t gval;
};

struct uc_entry {
    int n;                    /* frames in the cached result (buf[0..n-1]); 0: empty */
    int max;                  /* the buffer size it was taken with */
    int need_bp2;             /* frame 2's rbp enters the unwind (see refill) */
    int low_bp2;              /* ... only as "below LOW_ADDR" (see refill) */
    uintptr_t low_loc;        /* or the slot it is read from, 0 if none */
    uint32_t id;              /* the depot id of this stack called through ra1, or 0 */
    uintptr_t ra1;
    int nchk;                 /* the words a hit compares, as (address, value) pairs */
    uintptr_t chk[UC_CHECKS][2];
    struct uc_frame f[UC_FRAMES];
};

struct uc_cache {
    int busy;                 /* a capture runs on this thread: a nested one goes slow */
    int primed;               /* a refill was tried */
    unsigned misses, hits;    /* since the last refill */
    struct uc_entry *last;    /* the entry that holds the stack being captured, or NULL */
    unsigned char mru[UC_ENTRIES / 2];   /* per set: the way used last */
    struct uc_entry e[UC_ENTRIES];
};
/* In the arena, not in TLS: glibc carves static TLS out of each thread's
 * stack, and 8 KiB of it would not leave a PTHREAD_STACK_MIN thread enough. */
static __thread struct uc_cache *ucp __attribute__((tls_model("initial-exec")));
#define uc (*ucp)

void lt_unwcache_init(void)
{
    const char *e = getenv("LEAKTRACE_UNWIND_CACHE");
    if (!e)
        return;
    if (!strcmp(e, "no"))
        mode = UC_OFF;
    else if (!strcmp(e, "check"))
        mode = UC_CHECK;
}

#if defined(__x86_64__)
static inline uintptr_t word(uintptr_t a) { return *(const uintptr_t *)a; }

/* The state of frame 2 (the caller of the exported function), through the
 * frame pointers of lt_depot_capture (cap) and the exported function. */
struct fp_state { uintptr_t ra1, ip, sp, bp; };
static inline bool from_frame_pointers(const void *capture_frame, struct fp_state *s)
{
    const uintptr_t *cap = capture_frame;
    uintptr_t e = cap[0];
    /* Outer and on this thread's stack, or not a frame pointer at all (a
     * caller built without them: unit tests); refill() checks the rest. */
    if (e <= (uintptr_t)cap || e + 2 * sizeof(uintptr_t) > lt_tls.stack_hi || (e & 7))
        return false;
    const uintptr_t *ex = (const uintptr_t *)e;
    s->ra1 = cap[1];
    s->ip = ex[1];
    s->sp = (uintptr_t)(ex + 2);
    s->bp = ex[0];
    return true;
}

/* Two sets of two ways, by frame 2's (pc, sp). Direct-mapped, two hot call
 * sites shared one entry in a quarter of the runs (the stack's address is
 * random): they evicted each other and the cache answered 1% of captures
 * instead of 30% (tests/unwind/exceptions.cpp at -O2, 7 runs in 30). */
static inline unsigned set_of(const struct fp_state *s)
{
    return (unsigned)(((s->ip ^ (s->sp >> 4)) * UINT64_C(0x9e3779b97f4a7c15)) >> 63);
}

/* The way of s's set that holds frame 2's (pc, sp), or NULL. */
static inline struct uc_entry *entry_of(struct uc_cache *c, const struct fp_state *s)
{
    struct uc_entry *w = &c->e[2 * set_of(s)];
    for (int k = 0; k < 2; k++)
        if (w[k].n >= 3 && w[k].f[2].ip == s->ip && w[k].f[2].sp == s->sp)
            return &w[k];
    return NULL;
}

/* Where a refill goes: the way that holds s already, else an empty one,
 * else the one used less recently. */
static inline struct uc_entry *victim_of(struct uc_cache *c, const struct fp_state *s)
{
    struct uc_entry *e = entry_of(c, s);
    if (e)
        return e;
    unsigned set = set_of(s);
    struct uc_entry *w = &c->e[2 * set];
    if (w[0].n == 0 || w[1].n == 0)
        return w[0].n == 0 ? &w[0] : &w[1];
    return &w[c->mru[set] ^ 1];
}

static inline void used(struct uc_cache *c, const struct uc_entry *e)
{
    unsigned i = (unsigned)(e - c->e);
    c->mru[i / 2] = (unsigned char)(i % 2);
}

static int lookup(void **buf, int max, const void *capture_frame, void *ra0, uint32_t *id)
{
    struct fp_state s;
    if (!from_frame_pointers(capture_frame, &s))
        return -1;
    struct uc_entry *c = entry_of(&uc, &s);
    if (!c || c->max != max)
        return -1;
    int n = c->n;
    const struct uc_frame *f = c->f;
    if ((c->need_bp2 && f[2].bp != s.bp) ||
        (c->low_bp2 && s.bp >= LOW_ADDR))
        return -1;
    if (c->low_loc && word(c->low_loc) >= LOW_ADDR)
        return -2;
    /* From here a miss is a stack that looked the same at frame 2: -2.
     * The words are those the unwinder would read (built by refill: each
     * frame's return address, the saved rbps and DRAP words that matter,
     * the words at the outermost rbp), compared all at once: every address
     * lies in this thread's stack (refill checked), and a hit, the common
     * case, reads them all anyway. */
    uintptr_t d = 0;
    for (int i = 0; i < c->nchk; i++)
        d |= word(c->chk[i][0]) ^ c->chk[i][1];
    if (d)
        return -2;
    uc.last = c;
    used(&uc, c);
    if (id && c->id && c->ra1 == s.ra1) {
        *id = c->id;          /* same frames, same function called: the same depot stack */
        return n;
    }
    buf[0] = ra0;
    buf[1] = (void *)s.ra1;
    for (int k = 2; k < n; k++)
        buf[k] = (void *)f[k].ip;
    return n;
}

static bool in_stack(uintptr_t a, uintptr_t lo, uintptr_t hi)
{
    return a >= lo && a + sizeof(uintptr_t) <= hi;
}

static bool add_check(struct uc_entry *c, uintptr_t addr, uintptr_t val)
{
    if (c->nchk == UC_CHECKS)
        return false;
    c->chk[c->nchk][0] = addr;
    c->chk[c->nchk][1] = val;
    c->nchk++;
    return true;
}

/* The words lookup compares (see there), from the frames refill kept;
 * end_fp: where the stack ended before max, the outermost rbp, whose two
 * words a frame-pointer fallback would read (0: none). */
static bool list_checks(struct uc_entry *c, int n, uintptr_t end_fp)
{
    const struct uc_frame *f = c->f;
    bool ok = true;
    c->nchk = 0;
    if (f[2].guard)
        ok = add_check(c, f[2].guard, f[2].gval);
    for (int k = 3; k < n && ok; k++) {
        ok = add_check(c, f[k].sp - 8, f[k].ip);
        if (ok && f[k].bp_loc)
            ok = add_check(c, f[k].bp_loc, f[k].bp);
        if (ok && f[k].guard)
            ok = add_check(c, f[k].guard, f[k].gval);
    }
    if (ok && end_fp)
        ok = add_check(c, end_fp, word(end_fp)) && add_check(c, end_fp + 8, word(end_fp + 8));
    return ok;
}

/* Walks with unw_step from here and fills the cache if every frame fits
 * the rule forms and the ips equal buf[1..n-1] (unw_backtrace's). Walk
 * frame 0 is this function, 1 lt_depot_capture: buf index = walk index - 1. */
LT_NOINLINE static void refill(void *const *buf, int n, int max, const void *capture_frame)
{
    uintptr_t lo = lt_tls.stack_lo, hi = lt_tls.stack_hi;
    struct fp_state s;
    if (!from_frame_pointers(capture_frame, &s))
        return;
    struct uc_entry *c = victim_of(&uc, &s);
    used(&uc, c);
    c->n = 0;
    c->id = 0;
    c->low_bp2 = 0;
    c->low_loc = 0;
    c->max = max;
    uc.misses = uc.hits = 0;
    if (n < 3 || n > UC_FRAMES || !hi)
        return;
    /* unw_step's DWARF interpreter needs far more stack than unw_backtrace:
     * never on a small stack (issue 11: PTHREAD_STACK_MIN threads). */
    if ((uintptr_t)__builtin_frame_address(0) - lo < REFILL_STACK)
        return;
    unw_context_t ctx;
    unw_cursor_t cur;
    if (unw_getcontext(&ctx) != 0 || unw_init_local(&cur, &ctx) != 0)
        return;
    struct uc_frame *f = c->f;
    uintptr_t prev_loc = 0;
    int k = -2;             /* buf index of the cursor's frame: -2 here, -1 learn() */
    for (;;) {
        unw_word_t ip, sp, bp;
        unw_save_loc_t loc;
        if (unw_get_reg(&cur, UNW_REG_IP, &ip) || unw_get_reg(&cur, UNW_REG_SP, &sp) ||
            unw_get_reg(&cur, UNW_X86_64_RBP, &bp) ||
            unw_get_save_loc(&cur, UNW_X86_64_RBP, &loc))
            return;
        if (unw_is_signal_frame(&cur) > 0)
            return;
        uintptr_t l = loc.type == UNW_SLT_MEMORY ? (uintptr_t)loc.u.addr : 0;
        if (k >= 2) {
            if (ip != (uintptr_t)buf[k] || !in_stack(sp - 8, lo, hi) || sp <= f[k - 1].sp)
                return;
            f[k].ip = ip;
            f[k].sp = sp;
            f[k].bp = bp;
            f[k].guard = 0;
            f[k].bp_loc = 0;
            if (k >= 3 && l != prev_loc) {
                /* rbp of this frame was saved by frame k-1, in its own area */
                if (!l || l < f[k - 1].sp || l >= sp || word(l) != bp)
                    return;
                f[k].bp_loc = l;
            }
        } else if (k == 1 && ip != (uintptr_t)buf[1]) {
            return;
        }
        prev_loc = l;
        if (++k >= n)
            break;
        if (unw_step(&cur) <= 0)
            return;                               /* shorter than unw_backtrace's */
    }
    /* unw_backtrace stopped at n < max: so must the walk. */
    if (n < max && unw_step(&cur) > 0)
        return;
    /* Frame 2 as the fast path will read it. */
    if (s.ra1 != (uintptr_t)buf[1] || s.ip != f[2].ip || s.sp != f[2].sp || s.bp != f[2].bp) {
        mode = UC_OFF;                            /* the tool's frames lack frame pointers */
        return;
    }
    /* Which frames' CFA may depend on rbp. An rbp-based rule, CFA = rbp + k,
     * is `push %rbp; mov %rsp,%rbp` (k = 16) in GCC and clang, and gcc's
     * DRAP realignment (CFA = *(rbp - 8), rbp below the realigned entry):
     * both put rbp inside the frame's own area (sp, CFA]. Where the
     * observed rbp is outside it, the rule is rsp-based and rbp is a mere
     * callee-saved register for this frame: its value need not match. */
    bool dep[UC_FRAMES] = { false };
    /* Where the walk ended before max, the end may have come from
     * libunwind's frame-pointer fallback (no unwind info) failing on the
     * outermost rbp and the two words at it: those must match too; or,
     * where that rbp was below LOW_ADDR (data, not a frame pointer: the
     * fallback could read nothing there), it must be below LOW_ADDR again,
     * whatever its value (luajit's VM keeps counters in rbp). */
    bool end_low = false;
    uintptr_t end_fp = 0;
    if (n < max) {
        uintptr_t b = f[n - 1].bp;
        if (b < LOW_ADDR) {
            end_low = true;
        } else {
            dep[n - 1] = true;
            if (in_stack(b, lo, hi) && in_stack(b + 8, lo, hi))
                end_fp = b;
        }
    }
    for (int i = 2; i < n; i++) {
        uintptr_t cfa = i + 1 < n ? f[i + 1].sp : hi;
        uintptr_t b = f[i].bp;
        if (b > f[i].sp && b <= cfa) {
            dep[i] = true;
            if (in_stack(b - 8, lo, hi) && word(b - 8) == cfa) {   /* DRAP: guard the word */
                f[i].guard = b - 8;
                f[i].gval = cfa;
            }
        }
    }
    /* A needed rbp is read from the slot where the nearest inner frame saved
     * it (compare that slot), or is frame 2's own register (compare it). */
    uintptr_t loc[UC_FRAMES];
    for (int i = 3; i < n; i++) {
        loc[i] = f[i].bp_loc;
        f[i].bp_loc = 0;
    }
    c->need_bp2 = 0;
    if (end_low) {
        int i = n - 1;
        while (i > 2 && !loc[i])
            i--;
        if (i == 2)
            c->low_bp2 = 1;
        else
            c->low_loc = loc[i];
    }
    for (int j = 2; j < n; j++) {
        if (!dep[j])
            continue;
        int i = j;
        while (i > 2 && !loc[i])
            i--;
        if (i == 2)
            c->need_bp2 = 1;
        else
            f[i].bp_loc = loc[i];
    }
    if (!list_checks(c, n, end_fp))
        return;
    c->n = n;
    uc.last = c;
    if (mode == UC_CHECK)
        __atomic_add_fetch(&refills, 1, __ATOMIC_RELAXED);
}

/* Check mode: how much the comparison covered, for the tests. */
__attribute__((destructor)) static void report_check(void)
{
    if (mode == UC_CHECK)
        lt_warn("unwind-cache check: %lu cached stacks equal to unw_backtrace's, %lu refills, "
                "%lu rejected at an outer frame", checked, refills, rejected);
}

int lt_unwcache_lookup(void **buf, int max, const void *capture_frame, uint32_t *id)
{
    *id = 0;
    if (mode == UC_OFF || !ucp || uc.busy)
        return -1;
    uc.last = NULL;
    uc.busy = 1;
    int n = lookup(buf, max, capture_frame, __builtin_return_address(0), mode == UC_ON ? id : NULL);
    if (n >= 0)
        uc.hits++;
    if (mode == UC_CHECK && n >= 0) {
        uc.busy = 0;
        return -1;            /* the caller runs unw_backtrace; learn() compares */
    }
    uc.busy = 0;
    return n;
}

LT_NOINLINE void lt_unwcache_learn(void *const *buf, int n, int max, const void *capture_frame)
{
    if (mode == UC_OFF)
        return;
    if (!ucp) {
        if (lt_arena_held() || !(ucp = lt_arena_alloc(sizeof *ucp)))
            return;
    }
    if (uc.busy)
        return;
    uc.busy = 1;
    if (mode == UC_CHECK) {
        void *mine[UC_FRAMES];
        int m = max <= UC_FRAMES ? lookup(mine, max, capture_frame, NULL, NULL) : -1;
        if (m >= 0 && (m != n || memcmp(mine + 1, buf + 1, (size_t)(n - 1) * sizeof *buf) != 0)) {
            lt_warn("--unwind-cache check: the cached stack differs from unw_backtrace's");
            abort();
        }
        if (m >= 0)
            __atomic_add_fetch(&checked, 1, __ATOMIC_RELAXED);
        else if (m == -2)
            __atomic_add_fetch(&rejected, 1, __ATOMIC_RELAXED);
        if (m < 0)
            refill(buf, n, max, capture_frame);
    } else if (!uc.primed || ++uc.misses >= REFILL_EVERY || uc.hits >= REFILL_EVERY) {
        uc.primed = 1;
        refill(buf, n, max, capture_frame);
    }
    uc.busy = 0;
}

void lt_unwcache_set_id(const void *capture_frame, uint32_t id)
{
    if (!ucp)
        return;
    struct uc_entry *c = uc.last;
    uc.last = NULL;
    if (!c || !id || uc.busy)
        return;
    struct fp_state s;
    if (!from_frame_pointers(capture_frame, &s) || c != entry_of(&uc, &s))
        return;               /* a nested capture (signal handler) moved it */
    c->id = id;
    c->ra1 = s.ra1;
}

void lt_unwcache_thread_exit(void)
{
    struct uc_cache *c = ucp;
    if (c && !c->busy) {
        ucp = NULL;
        lt_arena_free(c, sizeof *c);
    }
}
#else
int lt_unwcache_lookup(void **buf, int max, const void *capture_frame, uint32_t *id)
{
    (void)buf; (void)max; (void)capture_frame;
    *id = 0;
    return -1;
}

void lt_unwcache_set_id(const void *capture_frame, uint32_t id)
{
    (void)capture_frame; (void)id;
}

void lt_unwcache_thread_exit(void) { }

void lt_unwcache_learn(void *const *buf, int n, int max, const void *capture_frame)
{
    (void)buf; (void)n; (void)max; (void)capture_frame;
}
#endif
