/* arena.c — the tool's own memory (see arena.h).
 *
 * Address space is reserved PROT_NONE in a few large regions and committed
 * (mprotect to read/write) in 1 MiB steps as the bump pointer advances, so
 * only what is used is charged, under any overcommit policy. Freed memory
 * goes to per-size-class free lists (sizes are powers of two); large freed
 * blocks are returned to the kernel with MADV_DONTNEED, which also zeroes
 * them. One lock: the arena is not on the malloc/free fast path (the table
 * grows geometrically, the depot allocates once per distinct stack). */
#include "arena.h"
#include "lock.h"
#include <string.h>
#include <sys/mman.h>
#include <errno.h>
#include <sys/resource.h>

#define LT_ARENA_MAX_REGIONS 64
#define LT_COMMIT_STEP (1u << 20)
#define LT_NCLASSES 48
#define LT_BIG 4096u                 /* freeing this size or more returns the pages */

struct region {
    uintptr_t lo, hi;                /* reserved */
    uintptr_t bump;                  /* next free byte */
    uintptr_t committed;             /* [lo, committed) is read/write */
};

/* Allocations made while this thread already holds the arena lock (a
 * signal handler that interrupted the arena and then needs memory, e.g.
 * exit() from a handler) get their own mapping instead of deadlocking. */
#define LT_EMERGENCY_SLOTS 256
static struct { uintptr_t lo, hi; } emergency[LT_EMERGENCY_SLOTS];
static int nemergency;
static __thread int in_arena __attribute__((tls_model("initial-exec")));

/* A freed large block, listed in a node of its own so the block's pages,
 * returned to the kernel, are not touched again by the list. */
struct big_node {
    struct big_node *next;
    void *block;
    bool dirty;              /* kept its pages (lt_arena_keep_pages): zero it on reuse */
};

static struct {
    lt_lock_t lock;
    struct region r[LT_ARENA_MAX_REGIONS];
    int nregions;
    void *freelist[LT_NCLASSES];     /* small blocks: the link is their first word */
    struct big_node *bigfree[LT_NCLASSES];  /* large ones: listed outside them */
    struct big_node *spare_nodes;
    size_t committed_bytes;
    bool warned;
    bool exhausted;          /* a reservation failed: do not retry on every call */
    bool keep_pages;         /* large frees keep their pages (lt_arena_keep_pages) */
    unsigned retries;        /* requests refused since, to retry now and then */
    int limited;             /* 0 unknown, 1 RLIMIT_AS is finite, -1 it is not */
} A = { .lock = LT_LOCK_INIT };

static unsigned size_class(size_t size, size_t *rounded)
{
    size_t s = 16;
    unsigned c = 4;
    if (size > ((size_t)1 << (LT_NCLASSES - 1))) {
        *rounded = 0;
        return LT_NCLASSES;       /* no such class: the caller fails */
    }
    while (s < size) {
        s <<= 1;
        c++;
    }
    *rounded = s;
    return c;
}

/* Reserves a new region, trying smaller sizes when address space is
 * limited (RLIMIT_AS, small VM). Caller holds the lock. */
static struct region *reserve_region(size_t at_least)
{
    if (A.nregions == LT_ARENA_MAX_REGIONS)
        return NULL;
    /* After a failure, only every 256th request tries again: a failing
     * mmap on every allocation would be slow, but memory the program gives
     * back must serve the tool again rather than stop tracking for good
     * (issue 11, item 9; the blocks missed meanwhile are counted, coverage.h). */
    if (A.exhausted && (++A.retries & 255) != 0)
        return NULL;
    /* Even a PROT_NONE reservation counts against RLIMIT_AS, the program's
     * limit: under one, reserve only what is about to be used. Without
     * one, 128 MiB first (symbolization wants 64 MiB of headroom at the
     * check, which a program may run under a limit it set later, just
     * above its size: lsan_realloc_failure_keeps_original), then as much
     * again as is reserved, so the reservation stays within about twice
     * what the tool uses. One 64 GiB reservation at start-up made every
     * malloc of a program that then limited itself to 1 GiB fail
     * (test_adversarial). */
    if (!A.limited) {
        struct rlimit rl;
        A.limited = getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? 1 : -1;
    }
    size_t reserved = 0;
    for (int i = 0; i < A.nregions; i++)
        reserved += A.r[i].hi - A.r[i].lo;
    size_t first = (size_t)16 << 20;
    if (A.limited < 0) {
        first = reserved > ((size_t)128 << 20) ? reserved : ((size_t)128 << 20);
        if (first > ((size_t)64 << 30))
            first = (size_t)64 << 30;
    }
    size_t need = at_least + LT_COMMIT_STEP;
    if (first < need)
        first = (need + ((size_t)16 << 20) - 1) & ~(((size_t)16 << 20) - 1);
    for (size_t size = first; size >= need; size >>= 2) {
        void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            continue;
        struct region *r = &A.r[A.nregions++];
        A.exhausted = false;
        r->lo = r->bump = r->committed = (uintptr_t)p;
        r->hi = (uintptr_t)p + size;
        return r;
    }
    /* A huge request can fail on its own; only failing to get a modest
     * amount means the address space is used up. */
    if (need <= ((size_t)64 << 20))
        A.exhausted = true;
    return NULL;
}

/* Bump-allocates `size` bytes aligned to `align` from some region,
 * committing as needed. Caller holds the lock. */
static void *bump_locked(size_t size, size_t align)
{
    for (int pass = 0; pass < 2; pass++) {
        for (int i = A.nregions - 1; i >= 0; i--) {
            struct region *r = &A.r[i];
            uintptr_t start = (r->bump + align - 1) & ~(uintptr_t)(align - 1);
            if (start + size > r->hi || start + size < start)
                continue;
            uintptr_t need = start + size;
            if (need > r->committed) {
                uintptr_t to = (need + LT_COMMIT_STEP - 1) & ~(uintptr_t)(LT_COMMIT_STEP - 1);
                if (to > r->hi)
                    to = r->hi;
                if (mprotect((void *)r->committed, to - r->committed, PROT_READ | PROT_WRITE) != 0)
                    return NULL;
                A.committed_bytes += to - r->committed;
                r->committed = to;
            }
            r->bump = need;
            return (void *)start;
        }
        if (pass == 0 && !reserve_region(size + align))
            break;
    }
    return NULL;
}

static void out_of_memory(size_t size)
{
    if (!A.warned) {
        A.warned = true;
        lt_warn("cannot map memory for the tool's own use (%zu bytes): "
                "blocks are not tracked until memory is available again", size);
    }
}

static void *emergency_alloc(size_t size)
{
    size = (size + 4095) & ~(size_t)4095;
    int slot = __atomic_fetch_add(&nemergency, 1, __ATOMIC_ACQ_REL);
    if (slot >= LT_EMERGENCY_SLOTS)
        return NULL;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    emergency[slot].hi = (uintptr_t)p + size;
    __atomic_store_n(&emergency[slot].lo, (uintptr_t)p, __ATOMIC_RELEASE);
    return p;
}

static bool emergency_free(void *p)
{
    int n = __atomic_load_n(&nemergency, __ATOMIC_ACQUIRE);
    for (int i = 0; i < n && i < LT_EMERGENCY_SLOTS; i++) {
        uintptr_t lo = emergency[i].lo;
        if (lo && lo == (uintptr_t)p &&
            __atomic_compare_exchange_n(&emergency[i].lo, &lo, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            /* The slot is not reused, but no longer claims the range. */
            munmap(p, emergency[i].hi - (uintptr_t)p);
            emergency[i].hi = 0;
            return true;
        }
    }
    return false;
}

static void arena_lock(void)
{
    lt_lock(&A.lock);
    in_arena++;
}

static void arena_unlock(void)
{
    in_arena--;
    lt_unlock(&A.lock);
}

void *lt_arena_bump(size_t size)
{
    if (in_arena)
        return emergency_alloc(size);
    arena_lock();
    void *p = bump_locked((size + 15) & ~(size_t)15, 16);
    arena_unlock();
    if (!p)
        out_of_memory(size);
    return p;   /* fresh committed pages are zero */
}

void *lt_arena_alloc(size_t size)
{
    size_t rounded;
    unsigned c = size_class(size ? size : 1, &rounded);
    if (c >= LT_NCLASSES)
        return NULL;
    if (in_arena)
        return emergency_alloc(rounded);
    arena_lock();
    void *p = NULL;
    if (rounded >= LT_BIG && A.bigfree[c]) {
        struct big_node *node = A.bigfree[c];
        A.bigfree[c] = node->next;
        p = node->block;
        bool dirty = node->dirty;
        node->next = A.spare_nodes;
        A.spare_nodes = node;
        arena_unlock();
        if (dirty)
            memset(p, 0, rounded);
        return p;                /* otherwise zeroed by MADV_DONTNEED when it was freed */
    }
    if (rounded < LT_BIG && (p = A.freelist[c])) {
        A.freelist[c] = *(void **)p;
        arena_unlock();
        memset(p, 0, rounded);
        return p;
    }
    p = bump_locked(rounded, rounded < 4096 ? 16 : 4096);
    arena_unlock();
    if (!p)
        out_of_memory(rounded);
    return p;
}

void lt_arena_free(void *p, size_t size)
{
    if (!p || emergency_free(p))
        return;
    size_t rounded;
    unsigned c = size_class(size ? size : 1, &rounded);
    if (c >= LT_NCLASSES)
        return;
    bool keep = __atomic_load_n(&A.keep_pages, __ATOMIC_RELAXED);
    if (rounded >= LT_BIG && !keep)
        madvise(p, rounded, MADV_DONTNEED);
    if (in_arena)
        return;            /* nested in the arena: leak it rather than deadlock */
    arena_lock();
    if (rounded >= LT_BIG) {
        if (!A.spare_nodes) {
            /* A page of nodes at once: single nodes would each dirty a page
             * of their own among the large blocks. */
            struct big_node *page = bump_locked(4096, 4096);
            for (size_t i = 0; page && i < 4096 / sizeof *page; i++) {
                page[i].next = A.spare_nodes;
                A.spare_nodes = &page[i];
            }
        }
        struct big_node *node = A.spare_nodes;
        if (node)
            A.spare_nodes = node->next;
        if (node) {
            node->block = p;
            node->dirty = keep;
            node->next = A.bigfree[c];
            A.bigfree[c] = node;
        }
    } else {
        *(void **)p = A.freelist[c];
        A.freelist[c] = p;
    }
    arena_unlock();
}

/* The process is about to end (the exit check): giving pages back only
 * for the next allocation to fault them in again costs a system call and
 * a fault per page, for nothing. */
void lt_arena_keep_pages(void)
{
    __atomic_store_n(&A.keep_pages, true, __ATOMIC_RELAXED);
}

char *lt_arena_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = lt_arena_bump(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

bool lt_arena_contains(uintptr_t p)
{
    for (int i = 0; i < A.nregions; i++)
        if (p >= A.r[i].lo && p < A.r[i].hi)
            return true;
    int n = __atomic_load_n(&nemergency, __ATOMIC_ACQUIRE);
    for (int i = 0; i < n && i < LT_EMERGENCY_SLOTS; i++)
        if (p >= emergency[i].lo && p < emergency[i].hi)
            return true;
    return false;
}

int lt_arena_ranges(uintptr_t *lo, uintptr_t *hi, int max)
{
    int n = 0;
    for (int i = 0; i < A.nregions && n < max; i++, n++) {
        lo[n] = A.r[i].lo;
        hi[n] = A.r[i].hi;
    }
    int ne = __atomic_load_n(&nemergency, __ATOMIC_ACQUIRE);
    for (int i = 0; i < ne && i < LT_EMERGENCY_SLOTS && n < max; i++)
        if (emergency[i].lo) {
            lo[n] = emergency[i].lo;
            hi[n] = emergency[i].hi;
            n++;
        }
    return n;
}

size_t lt_arena_committed(void) { return A.committed_bytes; }
bool lt_arena_exhausted(void) { return A.exhausted; }

void lt_arena_retry(void)
{
    arena_lock();
    A.exhausted = false;
    arena_unlock();
}

bool lt_arena_headroom(size_t size)
{
    bool ok = false;
    arena_lock();
    for (int i = 0; i < A.nregions && !ok; i++)
        ok = A.r[i].hi - A.r[i].bump >= size;
    if (!ok && reserve_region(size))
        ok = true;
    arena_unlock();
    return ok;
}

bool lt_arena_held(void) { return in_arena > 0; }

void lt_arena_lock(void) { arena_lock(); }
void lt_arena_unlock(void) { arena_unlock(); }
void lt_arena_reset_child(void)
{
    lt_lock_reset(&A.lock);
    in_arena = 0;
}
