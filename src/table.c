/* table.c — the live-block table (see table.h).
 *
 * 512 stripes, each an open-addressing hash table with linear probing and
 * backward-shift deletion (no tombstones), behind its own lock. Tables grow
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

static inline uint64_t mix(uint64_t x)
{
    /* splitmix64's finalizer: every input bit affects every output bit. */
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
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

static inline struct stripe *stripe_of(uint64_t h) { return &stripes[h >> (64 - STRIPE_BITS)]; }

/* The home slot of hash h in a table of `cap` slots (Lemire's reduction on
 * 32 bits of the hash the stripe choice did not use). */
static inline uint32_t home_of(uint64_t h, uint32_t cap)
{
    return (uint32_t)(((h & 0xffffffffu) * (uint64_t)cap) >> 32);
}

static inline uint32_t next_slot(uint32_t j, uint32_t cap) { return j + 1 == cap ? 0 : j + 1; }

void lt_table_init(void) {}

/* Caller holds the stripe lock. Returns false when memory ran out. */
static bool grow(struct stripe *s)
{
    uint32_t oldn = s->cap;
    uint32_t n = oldn ? oldn + oldn / 2 : INITIAL_SLOTS;
    struct entry *nv = lt_arena_alloc((size_t)n * sizeof *nv);
    if (!nv)
        return false;
    for (uint32_t i = 0; i < oldn; i++) {
        struct entry e = s->slots[i];
        if (!e.w0)
            continue;
        uint32_t j = home_of(mix(e.w0 & ADDR_MASK), n);
        while (nv[j].w0)
            j = next_slot(j, n);
        nv[j] = e;
    }
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

static bool insert(uintptr_t addr, size_t size, uint32_t stack, bool is_new, bool ignored)
{
    if (!trackable(addr) || size > LT_TABLE_MAX_SIZE)
        return false;
    uint64_t k = key_of(addr), h = mix(k);
    struct stripe *s = stripe_of(h);
    struct entry e = encode(addr, size, stack, ignored);
    bool ok = true;
    lock_stripe(s);
    if ((s->count + 1) * 4 > s->cap * 3 || !s->cap)
        ok = grow(s);
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
    struct stripe *s = stripe_of(h);
    lock_stripe(s);
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
    struct stripe *s = stripe_of(h);
    lock_stripe(s);
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
    for (unsigned i = 0; i < NSTRIPES; i++) {
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
    struct stripe *s = stripe_of(h);
    lock_stripe(s);
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
static void lock_all(bool *taken)
{
    bool nested = lt_tls.locked > 0;
    for (unsigned i = 0; i < NSTRIPES; i++) {
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
 * thread waits for the stripes, so one array serves. */
static bool fork_taken[NSTRIPES];
void lt_table_lock_all(void) { lock_all(fork_taken); }
void lt_table_unlock_all(void) { unlock_all(fork_taken); }

void lt_table_reset_child(void)
{
    for (unsigned i = 0; i < NSTRIPES; i++) {
        lt_spin_reset(&stripes[i].lock);
        fork_taken[i] = false;
    }
}

/* Bottom-up merge sort on the address, for small tables: the radix sort's
 * 512 KiB of counters cost more than the whole check of a short process
 * (first-touch page faults and three passes over 64 Ki buckets). */
static void merge_sort_by_addr(struct lt_block *v, struct lt_block *tmp, size_t n)
{
    struct lt_block *src = v, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = src[j].addr < src[i].addr ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        struct lt_block *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
}

#define LT_RADIX_MIN_BLOCKS 16384

/* LSD radix sort on the address, 16 bits per pass (addresses < 2^48). */
static void sort_by_addr(struct lt_block *v, struct lt_block *tmp, size_t n)
{
    if (n < LT_RADIX_MIN_BLOCKS) {
        merge_sort_by_addr(v, tmp, n);
        return;
    }
    static size_t count[1 << 16];
    for (int shift = 0; shift < 48; shift += 16) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(v[i].addr >> shift) & 0xffff]++;
        size_t sum = 0;
        for (size_t d = 0; d < (1 << 16); d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(v[i].addr >> shift) & 0xffff]++] = v[i];
        memcpy(v, tmp, n * sizeof *v);
    }
}

struct lt_block *lt_table_snapshot(size_t *n, size_t *bytes, bool quiescent)
{
    bool taken[NSTRIPES];
    if (quiescent)
        memset(taken, 0, sizeof taken);
    else
        lock_all(taken);
    size_t total = 0;
    for (unsigned i = 0; i < NSTRIPES; i++)
        total += stripes[i].count;
    size_t sz = (total ? total : 1) * sizeof(struct lt_block);
    struct lt_block *v = lt_arena_alloc(sz);
    size_t k = 0;
    if (v) {
        for (unsigned i = 0; i < NSTRIPES; i++) {
            struct stripe *s = &stripes[i];
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
    for (unsigned i = 0; i < NSTRIPES; i++) {
        u->allocs += stripes[i].allocs;
        u->frees += stripes[i].frees;
        u->bytes_allocated += stripes[i].bytes_allocated;
    }
}

size_t lt_table_storage_bytes(void)
{
    size_t b = 0;
    for (unsigned i = 0; i < NSTRIPES; i++)
        b += (size_t)stripes[i].cap * sizeof(struct entry);
    return b;
}

size_t lt_table_count(void)
{
    size_t c = 0;
    for (unsigned i = 0; i < NSTRIPES; i++)
        c += stripes[i].count;
    return c;
}
