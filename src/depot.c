/* depot.c — allocation stacks (see depot.h).
 *
 * Capture: libunwind's unw_backtrace (DWARF-correct without frame pointers)
 * with its per-thread cache; called outside every lock of ours (libunwind
 * may take the loader lock through dl_iterate_phdr; DESIGN traps).
 * Store: stacks are hash-consed with uthash (uthash_malloc is the arena)
 * under one lock; records are immutable once published, so a per-thread
 * direct-mapped cache of (hash -> record) answers repeated stacks without
 * touching the lock. */
#include "depot.h"
#include "unwmask.h"
#include "gocgo.h"
#include "arena.h"
#include "lock.h"
#include "options.h"
#include "luaframes.h"
#include "unwcache.h"
#include <string.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#define uthash_malloc(sz) lt_arena_alloc(sz)
#define uthash_free(p, sz) lt_arena_free((p), (sz))
#define uthash_nonfatal_oom(e) do { } while (0)
#include <uthash.h>

#define CHUNK_BITS 16
#define CHUNK (1u << CHUNK_BITS)
#define NCHUNKS (1u << 16)
#define TCACHE_SLOTS 256u
/* Tool frames that are filtered out of a stack can only be one trampoline
 * (of main or of a thread start) at its outer end: room for that one. */
#define EXTRA_FRAMES 1

struct node {
    UT_hash_handle hh;
    struct lt_stack s;      /* flexible array last */
};

struct tcache_slot {
    uint64_t hash;
    const struct lt_stack *s;
};

static lt_lock_t depot_lock = LT_LOCK_INIT;
static struct node *depot;                 /* uthash head */
static const struct lt_stack **chunks[NCHUNKS];
static uint32_t next_id = 1;
static uintptr_t self_lo, self_hi;

void lt_depot_init(void)
{
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
    lt_unwcache_init();
    lt_luaframes_init();
}

void lt_depot_set_self_range(uintptr_t lo, uintptr_t hi)
{
    self_lo = lo;
    self_hi = hi;
}

static inline uint64_t hash_ips(const uintptr_t *ips, uint32_t depth)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ depth;
    for (uint32_t i = 0; i < depth; i++) {
        h ^= ips[i];
        h *= UINT64_C(0x100000001b3);
        h ^= h >> 29;
    }
    return h ? h : 1;
}

static inline bool same(const struct lt_stack *s, uint64_t h, const uintptr_t *ips, uint32_t depth)
{
    return s->hash == h && s->depth == depth && memcmp(s->ips, ips, depth * sizeof *ips) == 0;
}

static bool publish(const struct lt_stack *s)
{
    uint32_t c = s->id >> CHUNK_BITS;
    if (c >= NCHUNKS)
        return false;
    if (!chunks[c]) {
        const struct lt_stack **v = lt_arena_alloc(CHUNK * sizeof *v);
        if (!v)
            return false;
        __atomic_store_n(&chunks[c], v, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&chunks[c][s->id & (CHUNK - 1)], s, __ATOMIC_RELEASE);
    return true;
}

static const struct lt_stack *intern_locked(const uintptr_t *ips, uint32_t depth, uint64_t h)
{
    struct node *n = NULL;
    size_t keylen = depth * sizeof *ips;
    /* uthash compares length and bytes of the key (the ips) on a hash hit. */
    HASH_FIND_BYHASHVALUE(hh, depot, ips, keylen, (unsigned)h, n);
    if (n)
        return &n->s;
    n = lt_arena_bump(sizeof *n + keylen);
    if (!n)
        return NULL;
    n->s.id = next_id;
    n->s.depth = depth;
    n->s.hash = h;
    memcpy(n->s.ips, ips, keylen);
    if (!publish(&n->s))
        return NULL;
    next_id++;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, depot, n->s.ips, keylen, (unsigned)h, n);
    return &n->s;
}

static const struct lt_stack *intern(const uintptr_t *ips, uint32_t depth)
{
    uint64_t h = hash_ips(ips, depth);
    struct tcache_slot *tc = lt_tls.depot_cache;
    if (!tc) {
        tc = lt_arena_alloc(TCACHE_SLOTS * sizeof *tc);
        lt_tls.depot_cache = tc;
    }
    struct tcache_slot *slot = tc ? &tc[h & (TCACHE_SLOTS - 1)] : NULL;
    if (slot && slot->hash == h && same(slot->s, h, ips, depth))
        return slot->s;
    lt_tls.locked++;           /* a tool lock: nested callers must not wait for it */
    lt_lock(&depot_lock);
    const struct lt_stack *s = intern_locked(ips, depth, h);
    lt_unlock(&depot_lock);
    lt_tls.locked--;
    if (s && slot) {
        slot->hash = h;
        slot->s = s;
    }
    return s;
}

uint32_t lt_depot_intern(const uintptr_t *ips, uint32_t depth)
{
    const struct lt_stack *s = intern(ips, depth);
    return s ? s->id : 0;
}

/* --unwind=fp: the chain of saved frame pointers ([fp] = caller's fp,
 * [fp+8] = return address; x86-64 and aarch64 layouts), followed only
 * while it stays inside this thread's stack and moves up. Right only for
 * code built with frame pointers (-fno-omit-frame-pointer); the tool's own
 * code is. buf[0] is the return address into the exported function. */
static int walk_frame_pointers(void **buf, int max)
{
    uintptr_t lo = lt_tls.stack_lo, hi = lt_tls.stack_hi;
    const uintptr_t *fp = __builtin_frame_address(0);
    int n = 0;
    while (n < max) {
        uintptr_t f = (uintptr_t)fp;
        if (f < lo || f + 2 * sizeof(uintptr_t) > hi || (f & (sizeof(uintptr_t) - 1)))
            break;
        uintptr_t ra = fp[1];
        if (!ra)
            break;
        buf[n++] = (void *)ra;
        const uintptr_t *next = (const uintptr_t *)fp[0];
        if (next <= fp)
            break;
        fp = next;
    }
    return n;
}

/* The capture runs on the program's stack, in every malloc: its buffer is
 * sized to --num-callers (issue 11, item 3: the allocation path must fit in
 * a few KiB, e.g. on a PTHREAD_STACK_MIN thread), and the frames are
 * compacted in place rather than copied to a second array. */
LT_NOINLINE uint32_t lt_depot_capture(void)
{
    int want = lt_opt.num_callers + EXTRA_FRAMES + 1;
    if (want < 2 || want > LT_MAX_CALLERS + EXTRA_FRAMES + 1)
        want = LT_MAX_CALLERS + EXTRA_FRAMES + 1;
    void *buf[want];
    /* libunwind may call read()/write()/msync(), cancellation points: the
     * thread is busy here, so interpose.c makes them raw system calls. */
    int n;
    uint32_t id = 0;
    if (lt_opt.unwind_fp && lt_tls.stack_hi) {
        buf[0] = NULL;        /* same layout as unw_backtrace's: [0] is this function */
        n = 1 + walk_frame_pointers(buf + 1, want - 1);
    } else if ((n = lt_unwcache_lookup(buf, want, __builtin_frame_address(0), &id)) < 0) {
        lt_unw_walk_begin();                   /* one mask at most, not two per frame (unwmask.h) */
        n = unw_backtrace(buf, want);          /* unwcache.h: reused when provably the same */
        lt_unwcache_learn(buf, n, want, __builtin_frame_address(0));
        lt_unw_walk_end();
    } else if (id && !lt_gocgo_on && !lt_luaframes_found()) {
        return id;               /* nothing would be appended: the same stack */
    }
    if (n < 2)
        return 0;
    /* buf[0] is in this function; buf[1] in the exported allocation
     * function the program called: frame 0. Later frames inside the tool
     * (the main and thread trampolines) are dropped. */
    uintptr_t *ips = (uintptr_t *)buf;         /* ips[depth] is written only after buf[i >= depth + 1] was read */
    uint32_t depth = 0, max = (uint32_t)lt_opt.num_callers;
    ips[depth++] = (uintptr_t)buf[1];
    for (int i = 2; i < n && depth < max; i++) {
        uintptr_t ip = (uintptr_t)buf[i];
        if (ip >= self_lo && ip < self_hi)
            continue;
        ips[depth++] = ip;
    }
    /* Frames beyond the native stack (a goroutine's past a cgo call, Lua
     * source frames) change while the native stack repeats: such a stack's
     * id is not remembered by the unwind cache (unwcache.h). */
    uint32_t native = depth;
    if (lt_gocgo_on)             /* a cgo call: go on into the goroutine's frames */
        depth = lt_gocgo_extend(ips, depth, max, (uintptr_t)__builtin_frame_address(0));
    lt_luaframes_add(ips, &depth, max);   /* Lua source frames, when LuaJIT runs */
    id = lt_depot_intern(ips, depth);
    if (depth == native)
        lt_unwcache_set_id(__builtin_frame_address(0), id);
    return id;
}

uint32_t lt_depot_capture_context(void *ucontext)
{
    unw_cursor_t c;
    uint32_t depth = 0, max = (uint32_t)lt_opt.num_callers;
    if (max < 1 || max > LT_MAX_CALLERS)
        max = LT_MAX_CALLERS;
    uintptr_t ips[max];                        /* sized to --num-callers, as above */
    lt_unw_walk_begin();
    if (unw_init_local2(&c, (unw_context_t *)ucontext, UNW_INIT_SIGNAL_FRAME) == 0) {
        do {
            unw_word_t ip;
            if (unw_get_reg(&c, UNW_REG_IP, &ip) != 0 || !ip)
                break;
            if (depth && ip >= self_lo && ip < self_hi)
                continue;
            ips[depth++] = (uintptr_t)ip;
        } while (depth < max && unw_step(&c) > 0);
    }
    lt_unw_walk_end();
    return depth ? lt_depot_intern(ips, depth) : 0;
}

const struct lt_stack *lt_depot_get(uint32_t id)
{
    uint32_t c = id >> CHUNK_BITS;
    if (!id || c >= NCHUNKS)
        return NULL;
    const struct lt_stack **v = __atomic_load_n(&chunks[c], __ATOMIC_ACQUIRE);
    return v ? __atomic_load_n(&v[id & (CHUNK - 1)], __ATOMIC_ACQUIRE) : NULL;
}

uint32_t lt_depot_count(void) { return next_id - 1; }

void lt_depot_thread_exit(void)
{
    lt_unwcache_thread_exit();
    if (lt_tls.depot_cache) {
        lt_arena_free(lt_tls.depot_cache, TCACHE_SLOTS * sizeof(struct tcache_slot));
        lt_tls.depot_cache = NULL;
    }
}

void lt_depot_lock(void) { lt_lock(&depot_lock); }
void lt_depot_unlock(void) { lt_unlock(&depot_lock); }
void lt_depot_reset_child(void) { lt_lock_reset(&depot_lock); lt_luaframes_reset_child(); }
