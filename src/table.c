/* table.c — the live-block table (see table.h).
 *
 * 512 stripes, each an open-addressing hash table with linear probing and
 * backward-shift deletion (no tombstones), behind its own lock. While the
 * process has a single thread, every block lives in stripe 0 (see
 * "one table while single-threaded" below). Tables grow
 * by half when 3/4 full, so they stay between 1/2 and 3/4 full: 21 to 32
 * bytes of table per live block (growing by doubling would let that reach
 * 43). Slots are found by multiply-shift range reduction, not a mask, since
 * sizes are not powers of two. An entry is two words:
 *   w0 = (addr >> 3) | ((size >> 32 | ignored << 18) ^ 0x7ffff) << 45   (0 = empty slot)
 *   w1 = (size & 0xffffffff) | stack << 32
 * so 16 bytes per block. Addresses are stored shifted and mixed with size bits, so no table
 * word is a pointer into the heap. Blocks must be 8-byte aligned and below
 * 2^48 (what every Linux allocator returns); others are not tracked. */
#include "table.h"
#include "arena.h"
#include "coverage.h"
#include "lock.h"
#include <string.h>

#define NSTRIPES 512u
#define STRIPE_BITS 9
#define INITIAL_SLOTS 16u
#define ADDR_BITS 45
#define ADDR_MASK ((UINT64_C(1) << ADDR_BITS) - 1)
#define SIZE_HI_FLIP UINT64_C(0x7ffff)

struct entry {
    uint64_t w0, w1;
};

struct stripe {
    lt_spin_t lock;
    uint32_t count;
    uint32_t cap;                /* slots; 0 when not allocated */
    struct entry *slots;
    uint64_t allocs, frees, bytes_allocated;
} __attribute__((aligned(64)));

static struct stripe stripes[NSTRIPES];

/* Fibonacci hashing (Knuth, TAOCP 6.4): one multiply; only the product's
 * high bits are used (the stripe: bits 55-63; the home slot: bits 23-54),
 * and those depend on every bit of the key. Backward-shift deletion
 * rehashes every entry it moves, so the hash's cost is paid several times
 * per free: splitmix64's finalizer (two multiplies, three shifts) was most
 * of lt_table_remove on the luajit bench. */
static inline uint64_t mix(uint64_t x)
{
    return x * UINT64_C(0x9e3779b97f4a7c15);
}

static inline uint64_t key_of(uintptr_t addr) { return (uint64_t)addr >> 3; }

#define IGNORED_BIT (UINT64_C(1) << 18)     /* within the 19 high bits */

static inline struct entry encode(uintptr_t addr, size_t size, uint32_t stack, bool ignored)
{
    struct entry e;
    uint64_t hi = ((uint64_t)size >> 32) | (ignored ? IGNORED_BIT : 0);
    e.w0 = key_of(addr) | (hi ^ SIZE_HI_FLIP) << ADDR_BITS;
    e.w1 = ((uint64_t)size & 0xffffffffu) | (uint64_t)stack << 32;
    return e;
}

static inline void decode(const struct entry *e, struct lt_block *b)
{
    uint64_t hi = (e->w0 >> ADDR_BITS) ^ SIZE_HI_FLIP;
    b->addr = (uintptr_t)((e->w0 & ADDR_MASK) << 3);
    b->size = (size_t)(((hi & ~IGNORED_BIT) << 32) | (e->w1 & 0xffffffffu));
    b->stack = (uint32_t)(e->w1 >> 32);
    b->ignored = (hi & IGNORED_BIT) != 0;
}

static inline bool trackable(uintptr_t addr)
{
    return addr && (addr & 7) == 0 && addr < (UINT64_C(1) << 48);
}

/* ---- one table while single-threaded ------------------------------------------
 *
 * Stripes exist for threads. A process with one thread (most short CI
 * processes: shells, test binaries) keeps all its blocks in stripe 0: one
 * array of a few pages instead of 512 arrays over ~50 pages and 8 pages of
 * stripe headers. What that buys is copy-on-write: after every fork,
 * parent and child each copy every table page they then write — with 512
 * stripes, a page per malloc or free, about 70 faults per subshell of a
 * shell (issue 14); with one array, its few pages. Blocks are spread over
 * the stripes (once, O(n)) before the first thread is created
 * (lt_table_spread, from the pthread_create interposer, while the caller
 * is still the only thread) or when stripe 0 would outgrow SINGLE_MAX
 * slots or must grow in a process that has threads after all. A process
 * that is already threaded when the tool starts (an earlier preload made
 * a thread) starts spread. Table operations re-check the mode once they
 * hold their stripe, so none ever uses a stale choice. */
#define SINGLE_MAX (1u << 16)
static int spread;                 /* 0: every block in stripe 0 */

static inline struct stripe *stripe_in(int mode, uint64_t h)
{
    return &stripes[mode ? h >> (64 - STRIPE_BITS) : 0];
}

/* The stripes that may hold anything. Loops over the stripes stop there:
 * reading a stripe header no one ever wrote maps its page (a fault, in
 * every forked child's check). */
static inline unsigned used_stripes(void)
{
    return __atomic_load_n(&spread, __ATOMIC_ACQUIRE) ? NSTRIPES : 1;
}

/* The home slot of hash h in a table of `cap` slots (Lemire's reduction on
 * the 32 bits below those the stripe choice uses). */
static inline uint32_t home_of(uint64_t h, uint32_t cap)
{
    return (uint32_t)((((h >> 23) & 0xffffffffu) * (uint64_t)cap) >> 32);
}

static inline uint32_t next_slot(uint32_t j, uint32_t cap) { return j + 1 == cap ? 0 : j + 1; }

static void spread_now(void);

void lt_table_init(void)
{
    if (!__libc_single_threaded)
        spread_now();       /* blocks recorded before start-up move too */
}

/* Puts an entry known to be absent into the first free slot of its run. */
static void put(struct entry *slots, uint32_t cap, struct entry e)
{
    uint32_t j = home_of(mix(e.w0 & ADDR_MASK), cap);
    while (slots[j].w0)
        j = next_slot(j, cap);
    slots[j] = e;
}

/* Caller holds the stripe lock. Returns false when memory ran out. */
static bool grow(struct stripe *s)
{
    uint32_t oldn = s->cap;
    uint32_t n = oldn ? oldn + oldn / 2 : INITIAL_SLOTS;
    struct entry *nv = lt_arena_alloc((size_t)n * sizeof *nv);
    if (!nv)
        return false;
    for (uint32_t i = 0; i < oldn; i++)
        if (s->slots[i].w0)
            put(nv, n, s->slots[i]);
    if (s->slots)
        lt_arena_free(s->slots, (size_t)oldn * sizeof *nv);
    s->slots = nv;
    s->cap = n;
    return true;
}

static inline void lock_stripe(struct stripe *s)
{
    lt_tls.locked++;
    lt_spin_lock(&s->lock);
}

static inline void unlock_stripe(struct stripe *s)
{
    lt_spin_unlock(&s->lock);
    lt_tls.locked--;
}

/* Whether one more block needs the stripe to grow (stripes stay between
 * 1/2 and 3/4 full, see the top). The single table keeps the same rule: at
 * 1/2 its probe runs were shorter (luajit bench: lt_table_remove 3.7 % of
 * the samples instead of 5.7 %), but its extra pages cost a shell six more
 * copy-on-write faults per subshell. */
static inline bool full(const struct stripe *s)
{
    return !s->cap || (s->count + 1) * 4 > s->cap * 3;
}

/* The stripe of hash h, locked, under the current mode. */
static inline struct stripe *lock_stripe_of(uint64_t h)
{
    for (;;) {
        int mode = __atomic_load_n(&spread, __ATOMIC_ACQUIRE);
        struct stripe *s = stripe_in(mode, h);
        lock_stripe(s);
        if (LT_LIKELY(__atomic_load_n(&spread, __ATOMIC_RELAXED) == mode))
            return s;
        unlock_stripe(s);
    }
}

static bool insert(uintptr_t addr, size_t size, uint32_t stack, bool is_new, bool ignored)
{
    if (!trackable(addr) || size > LT_TABLE_MAX_SIZE)
        return false;
    uint64_t k = key_of(addr), h = mix(k);
    struct entry e = encode(addr, size, stack, ignored);
    bool ok = true;
    struct stripe *s = lock_stripe_of(h);
    if (full(s)) {
        /* Past SINGLE_MAX, or threads made behind the interposer's back
         * (C11 thrd_create calls glibc's pthread_create internally):
         * spread now. */
        if (LT_UNLIKELY(!spread && (s->cap >= SINGLE_MAX || !__libc_single_threaded) &&
                        lt_tls.locked == 1)) {
            unlock_stripe(s);
            spread_now();
            s = lock_stripe_of(h);
        }
        if (full(s))
            ok = grow(s);
    }
    if (ok) {
        uint32_t j = home_of(h, s->cap);
        while (s->slots[j].w0 && (s->slots[j].w0 & ADDR_MASK) != k)
            j = next_slot(j, s->cap);
        if (!s->slots[j].w0)
            s->count++;
        /* An address already present means the allocator reused it while
         * we missed the free (e.g. freed by code we do not see): replace. */
        s->slots[j] = e;
        if (is_new) {
            s->allocs++;
            s->bytes_allocated += size;
        } else {
            s->frees--;
        }
    }
    unlock_stripe(s);
    return ok;
}

/* Moves every block of stripe 0 to its own stripe, holding every stripe:
 * normally there is no other thread (see above), and if there is one (the
 * tool started in a threaded process), it waits and then re-checks the
 * mode. A block whose stripe cannot grow (the tool's memory ran out) is
 * counted as dropped, as a failed insertion is (coverage.h: the report
 * then says it is incomplete). */
static void lock_all(bool *taken, unsigned n);
static void unlock_all(bool *taken);

static void spread_now(void)
{
    static bool taken[NSTRIPES];     /* one spread ever: under stripe 0's lock */
    lock_all(taken, NSTRIPES);
    if (spread) {
        unlock_all(taken);
        return;
    }
    struct stripe *s0 = &stripes[0];
    struct entry *old = s0->slots;
    uint32_t oldcap = s0->cap;
    s0->slots = NULL;
    s0->cap = 0;
    s0->count = 0;
    for (uint32_t i = 0; i < oldcap; i++) {
        struct entry e = old[i];
        if (!e.w0)
            continue;
        struct stripe *t = stripe_in(1, mix(e.w0 & ADDR_MASK));
        if (!full(t) || grow(t)) {
            put(t->slots, t->cap, e);
            t->count++;
        } else {
            lt_coverage_dropped();
        }
    }
    if (old)
        lt_arena_free(old, (size_t)oldcap * sizeof *old);
    __atomic_store_n(&spread, 1, __ATOMIC_RELEASE);
    unlock_all(taken);
}

void lt_table_spread(void)
{
    if (!__atomic_load_n(&spread, __ATOMIC_ACQUIRE))
        spread_now();
}

bool lt_table_insert(uintptr_t addr, size_t size, uint32_t stack)
{
    return insert(addr, size, stack, true, false);
}

bool lt_table_insert_ignored(uintptr_t addr, size_t size, uint32_t stack)
{
    return insert(addr, size, stack, true, true);
}

void lt_table_restore(uintptr_t addr, size_t size, uint32_t stack, bool ignored)
{
    insert(addr, size, stack, false, ignored);
}

/* Backward-shift deletion: pull later entries of the probe run into the
 * hole so lookups never need tombstones. Caller holds the lock. */
static void delete_at(struct stripe *s, uint32_t hole)
{
    uint32_t j = hole;
    for (;;) {
        j = next_slot(j, s->cap);
        if (!s->slots[j].w0)
            break;
        uint32_t home = home_of(mix(s->slots[j].w0 & ADDR_MASK), s->cap);
        /* Move slot j into the hole if its home is not in (hole, j]. */
        bool between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!between) {
            s->slots[hole] = s->slots[j];
            hole = j;
        }
    }
    s->slots[hole].w0 = s->slots[hole].w1 = 0;
    s->count--;
}

static struct entry *find(struct stripe *s, uint64_t k, uint64_t h)
{
    if (!s->cap)
        return NULL;
    uint32_t j = home_of(h, s->cap);
    while (s->slots[j].w0) {
        if ((s->slots[j].w0 & ADDR_MASK) == k)
            return &s->slots[j];
        j = next_slot(j, s->cap);
    }
    return NULL;
}

bool lt_table_remove(uintptr_t addr, struct lt_block *out)
{
    if (!trackable(addr))
        return false;
    uint64_t k = key_of(addr), h = mix(k);
    struct stripe *s = lock_stripe_of(h);
    struct entry *e = find(s, k, h);
    if (e) {
        if (out)
            decode(e, out);
        delete_at(s, (uint32_t)(e - s->slots));
        s->frees++;
    }
    unlock_stripe(s);
    return e != NULL;
}

bool lt_table_set_ignored(uintptr_t addr)
{
    if (!trackable(addr))
        return false;
    uint64_t k = key_of(addr), h = mix(k);
    struct stripe *s = lock_stripe_of(h);
    struct entry *e = find(s, k, h);
    if (e) {
        struct lt_block b;
        decode(e, &b);
        *e = encode(b.addr, b.size, b.stack, true);
    }
    unlock_stripe(s);
    return e != NULL;
}

/* LeakSanitizer's __lsan_ignore_object takes any pointer into the block
 * (lsan_interface.h: "the heap object into which p points"). The start is
 * the fast path; an interior pointer walks the stripes one at a time (the
 * call is rare, and nothing else waits for more than one stripe). */
bool lt_table_set_ignored_containing(uintptr_t addr)
{
    if (lt_table_set_ignored(addr))
        return true;
    for (unsigned i = 0, n = used_stripes(); i < n; i++) {
        struct stripe *s = &stripes[i];
        lock_stripe(s);
        for (uint32_t j = 0; j < s->cap; j++) {
            if (!s->slots[j].w0)
                continue;
            struct lt_block b;
            decode(&s->slots[j], &b);
            if (addr >= b.addr && addr - b.addr < (b.size ? b.size : 1)) {
                s->slots[j] = encode(b.addr, b.size, b.stack, true);
                unlock_stripe(s);
                return true;
            }
        }
        unlock_stripe(s);
    }
    return false;
}

bool lt_table_lookup(uintptr_t addr, struct lt_block *out)
{
    if (!trackable(addr))
        return false;
    uint64_t k = key_of(addr), h = mix(k);
    struct stripe *s = lock_stripe_of(h);
    struct entry *e = find(s, k, h);
    if (e && out)
        decode(e, out);
    unlock_stripe(s);
    return e != NULL;
}

/* Takes every stripe, noting which in `taken`. When this thread already
 * holds a stripe (a signal handler interrupted a table operation and the
 * program then exits from the handler), that stripe can never be had:
 * after a bounded wait it is read as it is rather than deadlocking. */
static void lock_all(bool *taken, unsigned n)
{
    bool nested = lt_tls.locked > 0;
    memset(taken, 0, NSTRIPES * sizeof *taken);
    for (unsigned i = 0; i < n; i++) {
        if (!nested) {
            lock_stripe(&stripes[i]);
            taken[i] = true;
            continue;
        }
        taken[i] = false;
        for (int spin = 0; spin < 100000 && !taken[i]; spin++) {
            taken[i] = lt_spin_trylock(&stripes[i].lock);
            if (!taken[i])
                lt_cpu_relax();
        }
        if (taken[i])
            lt_tls.locked++;
    }
}

static void unlock_all(bool *taken)
{
    for (unsigned i = 0; i < NSTRIPES; i++)
        if (taken[i]) {
            taken[i] = false;          /* cleared while still held */
            unlock_stripe(&stripes[i]);
        }
}

/* For fork: prepare and parent run on one thread, and a second forking
 * thread waits for the stripes, so one array serves. Only the stripes in
 * use are taken (lifecycle.c decides whether any need be: a process with
 * one thread, outside the tool, forks without them); the mode cannot
 * change while they are held (spreading takes every stripe). */
static bool fork_taken[NSTRIPES];
void lt_table_lock_all(void) { lock_all(fork_taken, used_stripes()); }
void lt_table_unlock_all(void) { unlock_all(fork_taken); }

/* Also after a raw clone (lifecycle.c), with no prepare handler run:
 * every stripe in use is looked at, and only what is held is written. */
void lt_table_reset_child(void)
{
    for (unsigned i = 0, n = used_stripes(); i < n; i++) {
        lt_spin_reset(&stripes[i].lock);
        if (fork_taken[i])
            fork_taken[i] = false;
    }
}

/* LSD radix sort on the address bits in which the blocks differ (they are
 * 8-byte aligned: trackable), `bits` per pass. A short process's few
 * hundred blocks take 8-bit digits: 2 or 3 passes with 2 KiB of counters
 * (a merge sort mispredicted half its comparisons; 16-bit digits' 512 KiB
 * of counters cost more than its whole check: first-touch faults). Large
 * tables take 16-bit digits: fewer passes over many blocks. */
static void radix_by_addr(struct lt_block *v, struct lt_block *tmp, size_t n, unsigned bits,
                          size_t *count)
{
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        lo = v[i].addr < lo ? v[i].addr : lo;
        hi = v[i].addr > hi ? v[i].addr : hi;
    }
    uintptr_t span = (hi - lo) >> 3, mask = ((uintptr_t)1 << bits) - 1;
    struct lt_block *src = v, *dst = tmp;
    for (unsigned shift = 0; shift == 0 || (shift < 64 && (span >> shift) != 0); shift += bits) {
        memset(count, 0, (mask + 1) * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[((src[i].addr - lo) >> 3 >> shift) & mask]++;
        size_t sum = 0;
        for (uintptr_t d = 0; d <= mask; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[((src[i].addr - lo) >> 3 >> shift) & mask]++] = src[i];
        struct lt_block *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
}

#define LT_RADIX16_MIN_BLOCKS 16384

static void sort_by_addr(struct lt_block *v, struct lt_block *tmp, size_t n)
{
    if (n < 2)
        return;
    if (n < LT_RADIX16_MIN_BLOCKS) {
        size_t count[1 << 8];
        radix_by_addr(v, tmp, n, 8, count);
    } else {
        static size_t count[1 << 16];   /* the check holds check_lock */
        radix_by_addr(v, tmp, n, 16, count);
    }
}

struct lt_block *lt_table_snapshot(size_t *n, size_t *bytes, bool quiescent)
{
    bool taken[NSTRIPES];
    unsigned used = used_stripes();
    if (quiescent)
        memset(taken, 0, sizeof taken);
    else
        lock_all(taken, used);
    size_t total = 0;
    for (unsigned i = 0; i < used; i++)
        total += stripes[i].count;
    size_t sz = (total ? total : 1) * sizeof(struct lt_block);
    struct lt_block *v = lt_arena_alloc(sz);
    size_t k = 0;
    if (v) {
        for (unsigned i = 0; i < used; i++) {
            struct stripe *s = &stripes[i];
            if (!s->count)
                continue;
            for (uint32_t j = 0; j < s->cap; j++)
                if (s->slots[j].w0)
                    decode(&s->slots[j], &v[k++]);
        }
    }
    unlock_all(taken);
    if (!v)
        return NULL;
    struct lt_block *tmp = lt_arena_alloc(sz);
    if (!tmp) {
        lt_arena_free(v, sz);
        return NULL;
    }
    sort_by_addr(v, tmp, k);
    lt_arena_free(tmp, sz);
    *n = k;
    *bytes = sz;
    return v;
}

void lt_table_usage(struct lt_heap_usage *u)
{
    memset(u, 0, sizeof *u);
    for (unsigned i = 0, n = used_stripes(); i < n; i++) {
        u->allocs += stripes[i].allocs;
        u->frees += stripes[i].frees;
        u->bytes_allocated += stripes[i].bytes_allocated;
    }
}

size_t lt_table_storage_bytes(void)
{
    size_t b = 0;
    for (unsigned i = 0, n = used_stripes(); i < n; i++)
        b += (size_t)stripes[i].cap * sizeof(struct entry);
    return b;
}

size_t lt_table_count(void)
{
    size_t c = 0;
    for (unsigned i = 0, n = used_stripes(); i < n; i++)
        c += stripes[i].count;
    return c;
}
