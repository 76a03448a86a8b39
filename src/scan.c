/* scan.c — the mark phase and the clique pass (see scan.h).
 *
 * A port of the rules of memcheck/mc_leakcheck.c (lc_push_without_clique_
 * if_a_chunk_ptr, lc_push_with_clique_if_a_chunk_ptr, heuristic_reachedness,
 * lc_scan_memory, lc_process_markstack), written from its documented
 * behaviour. Memory is read directly; SIGSEGV/SIGBUS during a read (a page
 * the program protected, a file mapping past its end) is caught and the
 * rest of that page skipped, as Valgrind's fault catcher does. */
#include "scan.h"
#include "arena.h"
#include "symbols.h"
#include "maps.h"
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define W sizeof(uintptr_t)
#define NO_CLIQUE SIZE_MAX

/* LEAKTRACE_WHY=SIZE prints, for each block of SIZE bytes that pass 1
 * takes out of "definitely lost", the word that did it: where it was read
 * (a root range with its /proc/self/maps line, a block, or a register
 * given as a root word) and its value. For tracing a block counted
 * reachable or possibly lost that the program does not hold. */
static size_t why_size;
static uintptr_t why_at;                 /* address of the word being pushed; 0: a root word */
static ptrdiff_t why_in = -1;            /* the block being scanned, or -1 for a root */

/* ---- fault catching ------------------------------------------------------ */

static sigjmp_buf *fault_jmp;
static volatile uintptr_t fault_addr;
static pid_t scan_tid;
static struct sigaction old_segv, old_bus;
static int catch_depth;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (fault_jmp && (pid_t)syscall(SYS_gettid) == scan_tid) {
        fault_addr = (uintptr_t)si->si_addr;
        siglongjmp(*fault_jmp, 1);
    }
    /* Not ours (another thread that was not stopped): put the program's
     * disposition back; returning re-executes the faulting instruction. */
    lt_sigaction_real(sig, sig == SIGSEGV ? &old_segv : &old_bus, NULL);
}

static void catch_faults(void)
{
    if (catch_depth++)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    scan_tid = (pid_t)syscall(SYS_gettid);
    lt_sigaction_real(SIGSEGV, &sa, &old_segv);
    lt_sigaction_real(SIGBUS, &sa, &old_bus);
}

static void uncatch_faults(void)
{
    if (--catch_depth)
        return;
    lt_sigaction_real(SIGSEGV, &old_segv, NULL);
    lt_sigaction_real(SIGBUS, &old_bus, NULL);
}

/* ---- blocks -------------------------------------------------------------- */

/* Every word of the roots and of reached blocks that falls in [lo, hi)
 * is looked up: a bucket index (about two buckets per block) narrows the
 * binary search to a block or two. Without memory for it, the search runs
 * over all blocks, as before. */
static void build_index(struct lt_scan *s)
{
    if (s->n < 16 || s->n > UINT32_MAX - 1)
        return;
    uintptr_t span = s->hi - s->lo;
    unsigned shift = 4;
    while (shift < 63 && (span >> shift) > 2 * s->n)
        shift++;
    size_t nb = (span >> shift) + 1;
    s->first_bytes = (nb + 1) * sizeof *s->first;
    s->first = lt_arena_alloc(s->first_bytes);
    if (!s->first)
        return;
    s->shift = shift;
    size_t i = 0;
    for (size_t k = 0; k <= nb; k++) {
        uintptr_t start = s->lo + ((uintptr_t)k << shift);
        while (i < s->n && (k == nb || s->b[i].addr < start))
            i++;
        s->first[k] = (uint32_t)i;
    }
}

int lt_scan_init(struct lt_scan *s, const struct lt_block *blocks, size_t n, unsigned heuristics)
{
    memset(s, 0, sizeof *s);
    s->clique = NO_CLIQUE;
    s->heuristics = heuristics;
    if (n > SIZE_MAX / sizeof *s->b)
        return -1;
    s->blocks_bytes = (n ? n : 1) * sizeof *s->b;
    s->stack_bytes = (n ? n : 1) * sizeof *s->stack;
    s->b = lt_arena_alloc(s->blocks_bytes);
    s->stack = lt_arena_alloc(s->stack_bytes);
    if (!s->b || !s->stack) {
        lt_scan_fini(s);
        return -1;
    }
    s->n = n;
    s->lo = UINTPTR_MAX;
    for (size_t i = 0; i < n; i++) {
        struct lt_scan_block *b = &s->b[i];
        b->addr = blocks[i].addr;
        b->size = blocks[i].size;
        b->stack = blocks[i].stack;
        b->state = LT_DEFINITE;
        uintptr_t end = b->addr + (b->size ? b->size : 1);
        if (b->addr < s->lo)
            s->lo = b->addr;
        if (end > s->hi)
            s->hi = end;
    }
    build_index(s);
    catch_faults();
    s->catching = true;
    return 0;
}

void lt_scan_fini(struct lt_scan *s)
{
    if (s->catching)
        uncatch_faults();
    s->catching = false;
    if (s->b)
        lt_arena_free(s->b, s->blocks_bytes);
    if (s->stack)
        lt_arena_free(s->stack, s->stack_bytes);
    if (s->first)
        lt_arena_free(s->first, s->first_bytes);
    s->b = NULL;
    s->stack = NULL;
    s->first = NULL;
}

ptrdiff_t lt_scan_find(const struct lt_scan *s, uintptr_t ptr)
{
    if (ptr < s->lo || ptr >= s->hi)
        return -1;
    /* The last block starting <= ptr: one of those starting in ptr's
     * bucket, or the last one before it. */
    size_t lo = 0, hi = s->n;
    if (s->first) {
        size_t k = (ptr - s->lo) >> s->shift;
        lo = s->first[k] ? s->first[k] - 1 : 0;
        hi = s->first[k + 1] > lo ? s->first[k + 1] : lo + 1;
    }
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->b[mid].addr <= ptr)
            lo = mid;
        else
            hi = mid;
    }
    const struct lt_scan_block *b = &s->b[lo];
    /* A 0-byte block counts as 1 byte (mc_leakcheck.c find_chunk_for). */
    if (ptr >= b->addr && ptr < b->addr + (b->size ? b->size : 1))
        return (ptrdiff_t)lo;
    return -1;
}

static void push(struct lt_scan *s, size_t i)
{
    if (!s->b[i].pending) {
        s->b[i].pending = 1;
        s->stack[s->top++] = (uint32_t)i;
    }
}

/* ---- heuristics (tried on interior pointers only, in this order) ---------- */

static inline uintptr_t word_at(uintptr_t a) { return *(const uintptr_t *)a; }

static enum lt_heuristic heuristic_unguarded(const struct lt_scan *s, uintptr_t ptr,
                                             const struct lt_scan_block *b)
{
    unsigned set = s->heuristics;
    /* std::string (pre-C++11 COW layout): length, capacity, refcount, chars. */
    if ((set & LT_HEUR_BIT(LT_HEUR_STDSTRING)) && ptr == b->addr + 3 * W && b->size >= 3 * W) {
        uintptr_t capacity = word_at(b->addr + W);
        if (3 * W + capacity + 1 == b->size && word_at(b->addr) <= capacity)
            return LT_HEUR_STDSTRING;
    }
    /* A 64-bit length of the rest of the block before the pointer (sqlite). */
    if ((set & LT_HEUR_BIT(LT_HEUR_LENGTH64)) && ptr == b->addr + 8 && b->size >= 8) {
        uint64_t len = *(const uint64_t *)b->addr;
        if (len > 0 && b->size - 8 == len)
            return LT_HEUR_LENGTH64;
    }
    /* new[] of objects with destructors: element count before the array. */
    if ((set & LT_HEUR_BIT(LT_HEUR_NEWARRAY)) && ptr == b->addr + W && b->size >= W) {
        uintptr_t nr = word_at(b->addr);
        if (nr > 0 && (b->size - W) % nr == 0)
            return LT_HEUR_NEWARRAY;
    }
    /* A pointer to a secondary base: vtable pointers at both places. */
    if ((set & LT_HEUR_BIT(LT_HEUR_MULTIPLEINHERITANCE)) && (ptr % W) == 0 && b->size >= W) {
        uintptr_t inner = word_at(ptr);
        if (inner % W == 0 && inner >= 4096) {
            uintptr_t first = word_at(b->addr);
            if (first % W == 0 && first >= 4096 &&
                lt_symbols_is_vtable(inner) && lt_symbols_is_vtable(first))
                return LT_HEUR_MULTIPLEINHERITANCE;
        }
    }
    return LT_HEUR_NONE;
}

/* The heuristics read the target block (its first words, the word at the
 * pointer), which the scan has not read yet and which may be unreadable (a
 * fiber stack whose first page is its PROT_NONE guard). A fault there says
 * only "no heuristic" about this one pointer: it has its own catcher, as
 * memcheck gives heuristic_reachedness its own (mc_leakcheck.c), so the
 * scan of the memory holding the pointer goes on. */
static enum lt_heuristic heuristic(const struct lt_scan *s, uintptr_t ptr, const struct lt_scan_block *b)
{
    sigjmp_buf jb;
    sigjmp_buf *volatile outer = fault_jmp;
    volatile enum lt_heuristic h = LT_HEUR_NONE;
    if (s->catching && sigsetjmp(jb, 0) == 0) {
        fault_jmp = &jb;
        h = heuristic_unguarded(s, ptr, b);
    }
    fault_jmp = outer;
    return h;
}

/* ---- LEAKTRACE_WHY: who reached a block (debugging the roots) ------------------ */

/* Read at start-up: glibc's __libc_freeres, which runs before the final
 * scan, clears the environment (setenv.c free_mem). */
__attribute__((constructor)) static void why_init(void)
{
    const char *why = getenv("LEAKTRACE_WHY");
    why_size = why ? strtoul(why, NULL, 10) : 0;
}

/* The mapping holding a root word, as maps.c reads it (debugging only: a
 * second read of the map). */
static void why_maps_line(uintptr_t a)
{
    struct lt_maps maps = { 0 };
    if (lt_maps_read(&maps) != 0)
        return;
    const struct lt_map *m = lt_maps_find(&maps, a);
    if (m)
        lt_warn("why:   in %lx-%lx %c%c%c%c %s", (unsigned long)m->lo, (unsigned long)m->hi,
                m->prot & LT_MAP_R ? 'r' : '-', m->prot & LT_MAP_W ? 'w' : '-',
                m->prot & LT_MAP_X ? 'x' : '-', m->prot & LT_MAP_SHARED ? 's' : 'p', m->path);
    lt_maps_free(&maps);
}

static void why_report(const struct lt_scan *s, const struct lt_scan_block *b, uintptr_t ptr)
{
    const char *to = b->state == LT_REACHABLE ? "reachable" : "possibly lost";
    if (why_in >= 0)
        lt_warn("why: %zu-byte block 0x%lx now %s: word 0x%lx at 0x%lx, in the %zu-byte block 0x%lx",
                b->size, (unsigned long)b->addr, to, (unsigned long)ptr, (unsigned long)why_at,
                s->b[why_in].size, (unsigned long)s->b[why_in].addr);
    else if (why_at)
        lt_warn("why: %zu-byte block 0x%lx now %s: word 0x%lx at 0x%lx, a root",
                b->size, (unsigned long)b->addr, to, (unsigned long)ptr, (unsigned long)why_at);
    else
        lt_warn("why: %zu-byte block 0x%lx now %s: root word 0x%lx (a register, or a block kept alive)",
                b->size, (unsigned long)b->addr, to, (unsigned long)ptr);
    if (why_in < 0 && why_at)
        why_maps_line(why_at);
}

/* ---- pass 1 ------------------------------------------------------------------ */

static void push_without_clique(struct lt_scan *s, uintptr_t ptr, bool prior_definite)
{
    ptrdiff_t i = lt_scan_find(s, ptr);
    if (i < 0)
        return;
    struct lt_scan_block *b = &s->b[i];
    if (b->state == LT_REACHABLE) {
        /* Reached again by a start pointer: not "via heuristic" after all. */
        if (b->heuristic && ptr == b->addr)
            b->heuristic = LT_HEUR_NONE;
        return;
    }
    bool via_start;
    if (ptr == b->addr) {
        via_start = true;
    } else if (s->heuristics) {
        b->heuristic = (uint8_t)heuristic(s, ptr, b);
        via_start = b->heuristic != LT_HEUR_NONE;
    } else {
        via_start = false;
    }
    if (via_start && prior_definite) {
        b->state = LT_REACHABLE;
        push(s, (size_t)i);             /* rescan: its targets may upgrade */
    } else if (b->state == LT_DEFINITE) {
        b->state = LT_POSSIBLE;
        push(s, (size_t)i);
    } else {
        return;
    }
    if (LT_UNLIKELY(why_size) && b->size == why_size)
        why_report(s, b, ptr);
}

/* ---- pass 2 ------------------------------------------------------------------ */

static void push_with_clique(struct lt_scan *s, uintptr_t ptr)
{
    ptrdiff_t i = lt_scan_find(s, ptr);
    if (i < 0)
        return;
    struct lt_scan_block *b = &s->b[i];
    /* Already handled, or the leader itself (a cycle back to it). */
    if (b->state != LT_DEFINITE || (size_t)i == s->clique)
        return;
    push(s, (size_t)i);
    /* Joins the clique; an earlier leader brings what it gathered. */
    s->b[s->clique].indirect += b->size + b->indirect;
    b->indirect = 0;
    b->state = LT_INDIRECT;
}

/* ---- memory scanning ------------------------------------------------------------ */

static LT_NOINLINE void scan_words(struct lt_scan *s, uintptr_t p, uintptr_t end, bool prior_definite)
{
    uintptr_t lo = s->lo, hi = s->hi;
    for (; p < end; p += W) {
        uintptr_t v = *(const volatile uintptr_t *)p;
        if (v < lo || v >= hi)
            continue;
        if (LT_UNLIKELY(why_size))
            why_at = p;
        if (s->clique == NO_CLIQUE)
            push_without_clique(s, v, prior_definite);
        else
            push_with_clique(s, v);
    }
}

static void scan_memory(struct lt_scan *s, uintptr_t start, uintptr_t end, bool prior_definite)
{
    volatile uintptr_t p = (start + W - 1) & ~(uintptr_t)(W - 1);
    end &= ~(uintptr_t)(W - 1);
    if (p >= end)
        return;
    sigjmp_buf jb;
    sigjmp_buf *volatile outer = fault_jmp;
    if (sigsetjmp(jb, 0)) {
        /* Faulted at fault_addr: skip the rest of that page. */
        uintptr_t next = (fault_addr | 4095) + 1;
        if (next <= p)
            next = p + W;
        s->skipped_bytes += (next < end ? next : end) - p;
        p = next;
        if (p >= end) {
            fault_jmp = outer;
            return;
        }
    }
    fault_jmp = &jb;
    s->scanned_bytes += end - p;
    scan_words(s, p, end, prior_definite);
    fault_jmp = outer;
}

void lt_scan_root_range(struct lt_scan *s, uintptr_t lo, uintptr_t hi)
{
    if (hi > lo && s->n)
        scan_memory(s, lo, hi, true);
}

void lt_scan_root_word(struct lt_scan *s, uintptr_t value)
{
    why_at = 0;
    if (s->n)
        push_without_clique(s, value, true);
}

void lt_scan_root_block_of(struct lt_scan *s, uintptr_t ptr)
{
    ptrdiff_t i = lt_scan_find(s, ptr);
    if (i >= 0)
        push_without_clique(s, s->b[i].addr, true);
}

static void process_markstack(struct lt_scan *s)
{
    while (s->top > 0) {
        size_t i = s->stack[--s->top];
        struct lt_scan_block *b = &s->b[i];
        b->pending = 0;
        bool prior_definite = b->state != LT_POSSIBLE;
        why_in = (ptrdiff_t)i;
        scan_memory(s, b->addr, b->addr + b->size, prior_definite);
        why_in = -1;
    }
}

void lt_scan_propagate(struct lt_scan *s)
{
    s->clique = NO_CLIQUE;
    process_markstack(s);
}

void lt_scan_cliques(struct lt_scan *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->b[i].state != LT_DEFINITE)
            continue;
        s->clique = i;
        push(s, i);
        process_markstack(s);
    }
    s->clique = NO_CLIQUE;
}
