/* interpose.c — the exported allocation family and thread creation.
 *
 * Promises (issue: core, item 3):
 *  - malloc, free, calloc, realloc, reallocarray, posix_memalign,
 *    aligned_alloc, memalign, valloc, pvalloc, malloc_usable_size, cfree and
 *    every C++ operator new/delete (plain, nothrow, sized, aligned) are
 *    defined here, so frame 0 of a report is the function the program
 *    called (DESIGN decision 5);
 *  - the stack is captured outside every lock, then the block is recorded;
 *  - a call made while the thread is inside the tool (libunwind, libdw, a
 *    signal handler interrupting us) passes straight to the real allocator,
 *    untracked; a free() that arrives while the thread holds a table lock
 *    (only possible from a signal handler) is deferred until it lets go;
 *  - errors pass through unchanged (NULL + errno from the real allocator),
 *    and errno is preserved across tracking;
 *  - pointers the tool never saw go to the real allocator.
 * Everything is compiled with -fno-optimize-sibling-calls (CMakeLists) so
 * the capture call is a real call from the exported function. */
#include "interpose.h"
#include "quarantine.h"
#include "depot.h"
#include "table.h"
#include "threads.h"
#include "lifecycle.h"
#include "arena.h"
#include "fill.h"
#include "nextalloc.h"
#include "coverage.h"
#include "options.h"
#include "unloaded.h"
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <sched.h>
#include <errno.h>
#include <string.h>
#include <stdint.h>
#include <unistd.h>
#include <stdlib.h>

struct lt_real_fns lt_real;

/* ---- bootstrap pool: serves dlsym's own allocations ------------------- */

#define POOL_SIZE (256u << 10)
static char pool[POOL_SIZE] __attribute__((aligned(64)));
static size_t pool_used;

static inline bool in_pool(const void *p)
{
    return (const char *)p >= pool && (const char *)p < pool + POOL_SIZE;
}

static void *pool_alloc(size_t size, size_t align)
{
    if (align < 16)
        align = 16;
    size_t start = __atomic_load_n(&pool_used, __ATOMIC_RELAXED), off, end;
    do {
        off = (start + 16 + align - 1) & ~(align - 1);   /* 16 bytes for the size header */
        end = off + size;
        if (end > POOL_SIZE || end < off)
            return NULL;
    } while (!__atomic_compare_exchange_n(&pool_used, &start, end, false,
                                          __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    *(size_t *)(pool + off - sizeof(size_t)) = size;
    return pool + off;     /* static storage: already zero */
}

static size_t pool_size_of(const void *p) { return *(const size_t *)((const char *)p - sizeof(size_t)); }

/* ---- resolving the real allocator ------------------------------------- */

void lt_real_resolve(void)
{
    static int state;   /* 0 not started, 1 resolving, 2 done */
    int expected = 0;
    if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2)
        return;
    if (!__atomic_compare_exchange_n(&state, &expected, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        if (lt_tls.resolving)
            return;            /* re-entered from dlsym on this thread: use the pool */
        while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2)
            sched_yield();
        return;
    }
    lt_tls.resolving++;
    /* The allocation family: one allocator, the one serving the program
     * (nextalloc.h); the rest is simply the next definition. */
    lt_nextalloc_resolve(&lt_real);
#define RESOLVE(field, name) lt_real.field = (__typeof__(lt_real.field))dlsym(RTLD_NEXT, name)
    RESOLVE(pthread_create, "pthread_create");
    RESOLVE(exit, "exit");
    RESOLVE(_exit, "_exit");
    RESOLVE(quick_exit, "quick_exit");
    RESOLVE(libc_start_main, "__libc_start_main");
#undef RESOLVE
    /* Only with glibc's allocator are chunk headers and arenas understood. */
    lt_real.glibc_malloc = lt_nextalloc.glibc;
    /* The exported malloc family sees the program's heap only when the
     * program reaches the tool's malloc; otherwise what reaches the tool
     * (a function the first allocator lacks) is passed on untracked, since
     * its free would never reach the tool (coverage.h says so). */
    lt_real.track_std = lt_nextalloc.owner == LT_OWNER_TOOL;
    lt_tls.resolving--;
    __atomic_store_n(&state, 2, __ATOMIC_RELEASE);
}

/* ---- the guard --------------------------------------------------------- */

/* >0: inside one of the __libc_* entry points, which track even when the
 * program's own malloc is not the tool's (see __libc_malloc below).
 * volatile: the compiler assumes malloc reads no global of ours and would
 * drop the increment around the call. */
static __thread volatile int via_libc __attribute__((tls_model("initial-exec")));

static inline bool tracking(void)
{
    return LT_LIKELY(lt_state == LT_STATE_TRACKING) && LT_LIKELY(lt_tls.busy == 0) &&
           LT_LIKELY(lt_real.track_std || via_libc);
}

static void drain_deferred(void)
{
    while (lt_tls.ndeferred > 0) {
        void *p = lt_tls.deferred[--lt_tls.ndeferred];
        lt_table_remove((uintptr_t)p, NULL);
        lt_real.free(p);
    }
}

static void record_nested(void *p, size_t size, uintptr_t fn, uintptr_t ra);

/* Work owed when the thread leaves the tool: blocks allocated and freed by
 * a signal handler while a tool lock was held (recorded first, so a block
 * freed again in the handler ends up forgotten), and a pending stop. */
static LT_NOINLINE void leave_slow(void)
{
    if ((lt_tls.nlater || lt_tls.ndeferred) && !lt_tls.locked && !lt_arena_held()) {
        /* Still the wrapper's work: a signal handler that allocates while
         * this runs is the program's (route_for: in_wrapper == busy). With
         * busy alone its blocks came from the tool's arena, untracked (one
         * handler block in ~4 runs of test_stress signal_alloc). */
        lt_tls.busy++;
        lt_tls.in_wrapper++;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        while (lt_tls.nlater > 0) {
            int i = --lt_tls.nlater;
            record_nested(lt_tls.later[i].p, lt_tls.later[i].size, lt_tls.later[i].fn, lt_tls.later[i].ra);
        }
        drain_deferred();
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        lt_tls.in_wrapper--;
        lt_tls.busy--;
    }
    if (lt_tls.park_pending && lt_tls.busy == 0 && !lt_tls.nopark) {
        lt_tls.park_pending = 0;
        lt_threads_park_self();
    }
}

/* Inside an allocation wrapper: busy (nothing is tracked re-entrantly) and
 * in_wrapper, which tells a nested call from a signal handler or ld.so
 * apart from the tool's own allocations (see route_for). */
/* The signal fences keep the compiler from moving the flag past the work
 * it guards: a signal handler (signals.c, ondemand.c) or the ptrace stopper
 * (ptstop.c) reads it to know whether the thread is inside the tool. */
#define ENTER() do { lt_tls.busy++; lt_tls.in_wrapper++; __atomic_signal_fence(__ATOMIC_SEQ_CST); } while (0)
#define LEAVE() do {                                                        \
        __atomic_signal_fence(__ATOMIC_SEQ_CST);                            \
        lt_tls.in_wrapper--;                                                \
        if (--lt_tls.busy == 0 &&                                           \
            LT_UNLIKELY(lt_tls.ndeferred | lt_tls.nlater | lt_tls.park_pending)) \
            leave_slow();                                                   \
    } while (0)

/* Before the constructor has run, the first allocation brings up the
 * tracking core (lifecycle.c) so early blocks (e.g. libstdc++'s emergency
 * exception pool) are tracked as under Valgrind. */
static inline void ensure_started(void)
{
    if (LT_UNLIKELY(lt_state == LT_STATE_OFF) && !lt_tls.busy && !lt_tls.resolving)
        lt_lifecycle_start_core();
    if (LT_UNLIKELY(!lt_real.malloc))
        lt_real_resolve();
}

/* ---- allocations the tool cannot record with a full stack ---------------
 * Where a call made while the thread is already busy goes:
 *  - POOL: dlsym is resolving the real allocator;
 *  - REAL: the real allocator, untracked (not tracking at all, or a nested
 *    call that finds a tool lock held by this thread);
 *  - NESTED: the real allocator, recorded with the stack [our function, its
 *    caller] — libunwind cannot be re-entered; if this thread holds a tool
 *    lock (the call interrupted a table update), recorded when it lets go. Calls nested in one of our
 *    allocation wrappers come from a signal handler that interrupted it, or
 *    from ld.so allocating TLS when libunwind touches a thread-local: both
 *    are the program's blocks (the thread's TLS blocks hang off the second);
 *  - TOOL: the tool's own work (libdw symbolizing, libc calls the tool
 *    makes): the tool's arena, never the program's heap, so a failing or
 *    exhausted heap cannot break the report, and the tool leaves no stale
 *    pointers in chunks the program reuses. ld.so's calls are TOOL only
 *    while it loads or serves libdw (dwlib.h); otherwise never: the TLS
 *    vector they grow belongs to the program's thread. */
enum route { ROUTE_REAL, ROUTE_POOL, ROUTE_NESTED, ROUTE_NESTED_LATER, ROUTE_TOOL };

static uintptr_t loader_lo, loader_hi;

void lt_interpose_set_loader_range(uintptr_t lo, uintptr_t hi)
{
    loader_lo = lo;
    loader_hi = hi;
}

static inline enum route route_for(uintptr_t ra)
{
    if (LT_UNLIKELY(lt_tls.resolving || !lt_real.malloc)) {
        lt_real_resolve();
        if (lt_tls.resolving || !lt_real.malloc)
            return ROUTE_POOL;
    }
    if (!lt_tls.busy)
        return ROUTE_REAL;               /* before start-up or after the final report */
    if (lt_tls.private_ns)
        return ROUTE_TOOL;               /* ld.so loading or serving libdw (dwlib.h) */
    if ((ra >= loader_lo && ra < loader_hi) || lt_tls.in_wrapper == lt_tls.busy) {
        if (lt_state != LT_STATE_TRACKING || lt_tls.tool_thread)
            return ROUTE_REAL;
        return lt_tls.locked || lt_arena_held() ? ROUTE_NESTED_LATER : ROUTE_NESTED;
    }
    return ROUTE_TOOL;
}

static LT_NOINLINE void record_nested(void *p, size_t size, uintptr_t fn, uintptr_t ra)
{
    int saved = errno;
    uintptr_t ips[2] = { fn, ra };
    if (!lt_table_insert((uintptr_t)p, size, lt_depot_intern(ips, 2)))
        lt_coverage_dropped();
    errno = saved;
}

/* Tool blocks: arena memory with a header just before the pointer. */
struct tool_hdr {
    uint64_t total;          /* bytes asked of the arena */
    uint32_t offset;         /* from the arena block to the pointer */
    uint32_t magic;
};
#define TOOL_MAGIC 0x4c54544fu

static void *tool_alloc(size_t size, size_t align)
{
    if (align < 16)
        align = 16;
    size_t total;
    if (__builtin_add_overflow(size, align + sizeof(struct tool_hdr), &total)) {
        errno = ENOMEM;
        return NULL;
    }
    char *base = lt_arena_alloc(total);        /* zeroed */
    if (!base) {
        errno = ENOMEM;
        return NULL;
    }
    uintptr_t p = ((uintptr_t)base + sizeof(struct tool_hdr) + align - 1) & ~(uintptr_t)(align - 1);
    struct tool_hdr *h = (struct tool_hdr *)p - 1;
    h->total = total;
    h->offset = (uint32_t)(p - (uintptr_t)base);
    h->magic = TOOL_MAGIC;
    return (void *)p;
}

static inline bool is_tool_block(const void *p)
{
    return lt_arena_contains((uintptr_t)p) && ((const struct tool_hdr *)p - 1)->magic == TOOL_MAGIC;
}

static size_t tool_usable(const void *p)
{
    const struct tool_hdr *h = (const struct tool_hdr *)p - 1;
    return h->total - h->offset;
}

static void tool_free(void *p)
{
    struct tool_hdr *h = (struct tool_hdr *)p - 1;
    h->magic = 0;
    lt_arena_free((char *)p - h->offset, h->total);
}

/* One untracked allocation by route. */
static void *other_alloc(enum route r, size_t size, size_t align, bool zero, uintptr_t fn, uintptr_t ra)
{
    if (r == ROUTE_POOL)
        return pool_alloc(size, align);
    if (r == ROUTE_TOOL)
        return tool_alloc(size, align);
    void *p;
    if (align <= 16)
        p = zero ? lt_real.calloc(1, size) : lt_real.malloc(size);
    else
        p = lt_real.memalign(align, size);
    if (p && zero && align > 16)
        memset(p, 0, size);
    else if (p && !zero)
        lt_fill_new(p, size);
    if (p && r == ROUTE_NESTED) {
        record_nested(p, size, fn, ra);
    } else if (p && r == ROUTE_NESTED_LATER &&
               lt_tls.nlater < (int)(sizeof lt_tls.later / sizeof lt_tls.later[0])) {
        int i = lt_tls.nlater++;
        lt_tls.later[i].p = p;
        lt_tls.later[i].size = size;
        lt_tls.later[i].fn = fn;
        lt_tls.later[i].ra = ra;
    } else if (p && r == ROUTE_NESTED_LATER) {
        lt_coverage_dropped();          /* the queue is full */
    }
    return p;
}

/* Records a block just obtained from the real allocator. Always inlined
 * into the exported function so that lt_depot_capture's caller is it. */
#define RECORD(p, size) do {                                                \
        int saved_errno_ = errno;                                           \
        uint32_t stack_ = lt_depot_capture();                              \
        if (LT_LIKELY(!lt_tls.disabled)) {                                  \
            if (LT_UNLIKELY(!lt_table_insert((uintptr_t)(p), (size), stack_))) \
                lt_coverage_dropped();                                      \
        } else                                                              \
            lt_table_insert_ignored((uintptr_t)(p), (size), stack_);        \
        errno = saved_errno_;                                               \
    } while (0)

#define RETURN_ADDRESS() ((uintptr_t)__builtin_return_address(0))

/* ---- C allocation functions --------------------------------------------- */

/* For the C++ operators when not tracking: a plain malloc by route. */
static void *untracked_malloc(size_t size)
{
    return other_alloc(route_for(0), size, 16, false, (uintptr_t)malloc, 0);
}

LT_EXPORT void *malloc(size_t size)
{
    ensure_started();
    if (!tracking())
        return other_alloc(route_for(RETURN_ADDRESS()), size, 16, false, (uintptr_t)malloc, RETURN_ADDRESS());
    ENTER();
    void *p = lt_real.malloc(size);
    if (p) {
        lt_fill_new(p, size);
        RECORD(p, size);
    }
    LEAVE();
    return p;
}

static void release(void *p)
{
    if (LT_UNLIKELY(in_pool(p)))
        return;
    if (LT_UNLIKELY(is_tool_block(p))) {
        tool_free(p);
        return;
    }
    if (lt_state != LT_STATE_TRACKING) {
        if (!lt_real.free)
            lt_real_resolve();
        lt_real.free(p);
        return;
    }
    if (LT_UNLIKELY(lt_tls.locked)) {
        /* A signal handler interrupted a table operation on this thread:
         * the table cannot be touched now and the address must not be
         * reused before it is forgotten, so keep the block until then. */
        if (lt_tls.ndeferred < (int)(sizeof lt_tls.deferred / sizeof lt_tls.deferred[0]))
            lt_tls.deferred[lt_tls.ndeferred++] = p;
        return;
    }
    ENTER();
    struct lt_block was;
    if (lt_table_remove((uintptr_t)p, &was)) {
        if (LT_UNLIKELY(lt_opt.free_fill >= 0 || !lt_real.glibc_malloc))
            lt_fill_freed(p, was.size);
        lt_quarantine_free(p, was.size);      /* delayed reuse (--freelist-vol) */
    } else {
        lt_real.free(p);
    }
    LEAVE();
}

LT_EXPORT void free(void *p)
{
    if (p)
        release(p);
}

LT_EXPORT void cfree(void *p)
{
    if (p)
        release(p);
}

LT_EXPORT void *calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    ensure_started();
    if (!tracking())
        return other_alloc(route_for(RETURN_ADDRESS()), total, 16, true, (uintptr_t)calloc, RETURN_ADDRESS());
    ENTER();
    void *p = lt_real.calloc(n, size);
    if (p)
        RECORD(p, total);
    LEAVE();
    return p;
}

/* realloc of a block the program does not own through the real allocator
 * (the bootstrap pool, the tool's arena): a new block, by the usual path,
 * and a copy. */
static void *realloc_moved(void *old, size_t old_size, size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p) {
        memcpy(p, old, old_size < size ? old_size : size);
        if (is_tool_block(old))
            tool_free(old);
    }
    return p;
}

/* Valgrind semantics: realloc always "moves": the old block is freed and
 * the result is a new block whose stack is realloc's own. */
static inline void *realloc_tracked(void *old, size_t size, uint32_t stack)
{
    struct lt_block was;
    /* Forget the old address before the real realloc frees it: another
     * thread may be handed the same address at once. */
    bool known = lt_table_remove((uintptr_t)old, &was);
    /* What the program could have written in the old block, and realloc
     * copies; past it the new block holds stale bytes (fill.h). */
    size_t old_usable = lt_opt.malloc_fill < 0 ? 0
                      : lt_real.malloc_usable_size ? lt_real.malloc_usable_size(old)
                      : known ? was.size : SIZE_MAX;
    void *p = lt_real.realloc(old, size);
    if (p) {
        lt_fill_grown(p, old_usable, size);
        if ((known && was.ignored) || lt_tls.disabled)
            lt_table_insert_ignored((uintptr_t)p, size, stack);
        else if (!lt_table_insert((uintptr_t)p, size, stack))
            lt_coverage_dropped();
    } else if (size != 0 && known) {
        int e = errno;
        lt_table_restore((uintptr_t)old, was.size, was.stack, was.ignored);   /* still allocated */
        errno = e;
    }
    return p;
}

LT_EXPORT void *realloc(void *old, size_t size)
{
    if (!old)
        goto as_malloc;
    if (LT_UNLIKELY(in_pool(old)))
        return realloc_moved(old, pool_size_of(old), size);
    if (LT_UNLIKELY(is_tool_block(old)))
        return realloc_moved(old, tool_usable(old), size);
    ensure_started();
    if (!tracking()) {
        if (lt_state == LT_STATE_TRACKING && !lt_tls.locked) {
            /* Inside the tool or a nested signal handler: no stack can be
             * taken, but a tracked block must not be lost from the table. */
            struct lt_block was;
            if (lt_table_lookup((uintptr_t)old, &was))
                return realloc_tracked(old, size, was.stack);
        }
        return lt_real.realloc(old, size);
    }
    ENTER();
    int saved = errno;
    uint32_t stack = lt_depot_capture();
    errno = saved;
    void *p = realloc_tracked(old, size, stack);
    LEAVE();
    return p;

as_malloc:
    ensure_started();
    if (!tracking())
        return other_alloc(route_for(RETURN_ADDRESS()), size, 16, false, (uintptr_t)realloc, RETURN_ADDRESS());
    ENTER();
    void *q = lt_real.realloc(NULL, size);
    if (q) {
        lt_fill_new(q, size);
        RECORD(q, size);
    }
    LEAVE();
    return q;
}

LT_EXPORT void *reallocarray(void *old, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    ensure_started();
    if (!tracking() || (old && (in_pool(old) || is_tool_block(old))))
        return realloc(old, total);
    ENTER();
    int saved = errno;
    uint32_t stack = lt_depot_capture();
    errno = saved;
    void *p;
    if (old) {
        p = realloc_tracked(old, total, stack);
    } else {
        p = lt_real.realloc(NULL, total);
        if (p) {
            lt_fill_new(p, total);
            if (!lt_table_insert((uintptr_t)p, total, stack))
                lt_coverage_dropped();
        }
    }
    LEAVE();
    return p;
}

LT_EXPORT void *memalign(size_t align, size_t size)
{
    ensure_started();
    if (!tracking())
        return other_alloc(route_for(RETURN_ADDRESS()), size, align, false, (uintptr_t)memalign, RETURN_ADDRESS());
    ENTER();
    void *p = lt_real.memalign(align, size);
    if (p) {
        lt_fill_new(p, size);
        RECORD(p, size);
    }
    LEAVE();
    return p;
}

LT_EXPORT void *aligned_alloc(size_t align, size_t size)
{
    ensure_started();
    if (!tracking()) {
        enum route r = route_for(RETURN_ADDRESS());
        if (r == ROUTE_REAL || r == ROUTE_NESTED || r == ROUTE_NESTED_LATER)
            return other_alloc(r, size, align, false, (uintptr_t)aligned_alloc, RETURN_ADDRESS());
        return other_alloc(r, size, align, false, 0, 0);
    }
    ENTER();
    void *p = lt_real.aligned_alloc(align, size);
    if (p) {
        lt_fill_new(p, size);
        RECORD(p, size);
    }
    LEAVE();
    return p;
}

LT_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    ensure_started();
    if (!tracking()) {
        enum route r = route_for(RETURN_ADDRESS());
        if (align < sizeof(void *) || (align & (align - 1)))
            return EINVAL;
        void *q = other_alloc(r, size, align, false, (uintptr_t)posix_memalign, RETURN_ADDRESS());
        if (!q)
            return ENOMEM;
        *out = q;
        return 0;
    }
    ENTER();
    int rc = lt_real.posix_memalign(out, align, size);
    if (rc == 0) {
        lt_fill_new(*out, size);
        RECORD(*out, size);
    }
    LEAVE();
    return rc;
}

LT_EXPORT void *valloc(size_t size)
{
    ensure_started();
    if (!tracking())
        return other_alloc(route_for(RETURN_ADDRESS()), size, (size_t)sysconf(_SC_PAGESIZE), false,
                           (uintptr_t)valloc, RETURN_ADDRESS());
    ENTER();
    void *p = lt_real.valloc(size);
    if (p) {
        lt_fill_new(p, size);
        RECORD(p, size);
    }
    LEAVE();
    return p;
}

LT_EXPORT void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    /* pvalloc rounds the size up to whole pages; Valgrind records the
     * rounded size (vg_replace_malloc.c). glibc rounds 0 to 0 (malloc.c
     * pvalloc: ALIGN_UP(0, pagesize)) and hands out a minimum chunk: taking
     * it for a page filled 4 KiB past it, over the next chunk's header. */
    size_t rounded = (size + page - 1) & ~(page - 1);
    ensure_started();
    if (!tracking())
        return other_alloc(route_for(RETURN_ADDRESS()), rounded, page, false, (uintptr_t)pvalloc, RETURN_ADDRESS());
    ENTER();
    void *p = lt_real.pvalloc(size);
    if (p) {
        lt_fill_new(p, rounded);
        RECORD(p, rounded);
    }
    LEAVE();
    return p;
}

LT_EXPORT size_t malloc_usable_size(void *p)
{
    if (!p)
        return 0;
    if (in_pool(p))
        return pool_size_of(p);
    if (is_tool_block(p))
        return tool_usable(p);
    if (!lt_real.malloc)
        lt_real_resolve();
    if (!lt_real.malloc_usable_size) {
        /* The allocator has none (nextalloc.h): what the program asked for
         * is what it may use. */
        struct lt_block b;
        return lt_state == LT_STATE_TRACKING && !lt_tls.locked &&
               lt_table_lookup((uintptr_t)p, &b) ? b.size : 0;
    }
    return lt_real.malloc_usable_size(p);
}

/* ---- glibc's __libc_* entry points ----------------------------------------
 * A program that defines malloc itself and forwards to __libc_malloc (the
 * glibc manual's recipe for hooks) allocates only through these. When they
 * belong to the allocator behind the tool (lt_libc.same), each is the
 * tool's own function, tracked even if the program's malloc is not the
 * tool's; the report names it as that function (malloc, free, ...), the
 * __libc_ frame being the tool's own and dropped, as Valgrind names its
 * replacements. Otherwise they pass straight to the next definition. */

#define LIBC_ENTRY(ret, name, params, args)                                 \
    LT_EXPORT ret __libc_##name params                                      \
    {                                                                       \
        if (LT_UNLIKELY(!lt_real.malloc))                                   \
            lt_real_resolve();                                              \
        if (!lt_libc.same && lt_libc.name)                                  \
            return lt_libc.name args;                                       \
        if (lt_libc.same)                                                   \
            lt_coverage_libc_used();                                        \
        via_libc++;                                                         \
        ret r_ = name args;                                                 \
        via_libc--;                                                         \
        return r_;                                                          \
    }

LIBC_ENTRY(void *, malloc, (size_t n), (n))
LIBC_ENTRY(void *, calloc, (size_t n, size_t size), (n, size))
LIBC_ENTRY(void *, realloc, (void *p, size_t n), (p, n))
LIBC_ENTRY(void *, memalign, (size_t al, size_t n), (al, n))
LIBC_ENTRY(void *, valloc, (size_t n), (n))
LIBC_ENTRY(void *, pvalloc, (size_t n), (n))

LT_EXPORT void __libc_free(void *p)
{
    if (LT_UNLIKELY(!lt_real.malloc))
        lt_real_resolve();
    if (!lt_libc.same && lt_libc.free) {
        lt_libc.free(p);
        return;
    }
    free(p);
}

/* ---- C++ operators -------------------------------------------------------
 * Mangled names (Itanium C++ ABI). On allocation failure they do what ISO
 * C++ [new.delete.single] requires of the replaceable operators (issue 11,
 * item 10): call the installed new_handler (std::get_new_handler) and try
 * again, in a loop; with none installed, the throwing forms throw
 * std::bad_alloc (libstdc++'s std::__throw_bad_alloc) and the nothrow forms
 * return NULL. Each retry is an ordinary tracked allocation, made with no
 * guard held: the handler is the program's code (it may free memory,
 * allocate, or throw), and an exception must cross no tool state. The
 * nothrow forms leave a handler loop to libstdc++'s own nothrow operator,
 * which calls the throwing one (ours) and catches (GCC >= 9, new_opnt.cc).
 * Only a call made while the thread is inside the tool keeps the old
 * path: the real operator under the guard.
 * The operators' bodies are alike: no_icf keeps the compiler from folding
 * operator new and new[] into one symbol (frame 0 must name the one called). */

typedef void *(*new_fn)(size_t);
typedef void *(*new_align_fn)(size_t, size_t);
typedef void *(*new_nothrow_fn)(size_t, const void *);
typedef void *(*new_align_nothrow_fn)(size_t, size_t, const void *);

static void *real_cxx(const char *name)
{
    static void *cache[8];
    static const char *names[8];
    for (int i = 0; i < 8; i++) {
        if (names[i] == name)
            return cache[i];
        if (!names[i]) {
            lt_tls.busy++;
            void *f = dlsym(RTLD_NEXT, name);
            lt_tls.busy--;
            cache[i] = f;
            __atomic_store_n(&names[i], name, __ATOMIC_RELEASE);
            return f;
        }
    }
    return dlsym(RTLD_NEXT, name);
}

static void guard_release(int *unused)
{
    (void)unused;
    lt_tls.busy--;
}

/* The real operator handles failure (new_handler, bad_alloc or NULL); its
 * own malloc calls pass through untracked because we hold the guard. */
static void *fail_plain(const char *name, size_t size)
{
    new_fn f = (new_fn)real_cxx(name);
    if (!f)
        return NULL;
    int guard __attribute__((cleanup(guard_release))) = (lt_tls.busy++, 0);
    (void)guard;
    return f(size);
}

static void *fail_nothrow(const char *name, size_t size, const void *nt)
{
    new_nothrow_fn f = (new_nothrow_fn)real_cxx(name);
    if (!f)
        return NULL;
    int guard __attribute__((cleanup(guard_release))) = (lt_tls.busy++, 0);
    (void)guard;
    return f(size, nt);
}

static void *fail_align(const char *name, size_t size, size_t al)
{
    new_align_fn f = (new_align_fn)real_cxx(name);
    if (!f)
        return NULL;
    int guard __attribute__((cleanup(guard_release))) = (lt_tls.busy++, 0);
    (void)guard;
    return f(size, al);
}

static void *fail_align_nothrow(const char *name, size_t size, size_t al, const void *nt)
{
    new_align_nothrow_fn f = (new_align_nothrow_fn)real_cxx(name);
    if (!f)
        return NULL;
    int guard __attribute__((cleanup(guard_release))) = (lt_tls.busy++, 0);
    (void)guard;
    return f(size, al, nt);
}

/* Allocation as the operators do it: a zero-size request gets a unique
 * block (ISO C++ [basic.stc.dynamic.allocation]). */
static inline void *op_malloc(size_t size)
{
    void *p = lt_real.malloc(size ? size : 1);
    if (p)
        lt_fill_new(p, size);
    return p;
}

static inline void *op_aligned(size_t size, size_t al)
{
    void *p = NULL;
    if (lt_real.posix_memalign(&p, al < sizeof(void *) ? sizeof(void *) : al, size ? size : 1) != 0)
        return NULL;
    lt_fill_new(p, size);
    return p;
}

#if defined(__has_attribute)
#if __has_attribute(no_icf)
#define LT_NO_ICF __attribute__((no_icf))
#endif
#endif
#ifndef LT_NO_ICF
#define LT_NO_ICF
#endif

typedef void (*new_handler_fn)(void);
static new_handler_fn (*get_new_handler_fn)(void);
static void (*throw_bad_alloc_fn)(void) __attribute__((noreturn));

/* The C++ runtime's std::get_new_handler and std::__throw_bad_alloc (the
 * program's libstdc++, loaded since it calls operator new); false when
 * there is none that the tool can use. */
static bool cxx_runtime(void)
{
    if (!__atomic_load_n(&throw_bad_alloc_fn, __ATOMIC_ACQUIRE)) {
        get_new_handler_fn = (new_handler_fn (*)(void))dlsym(RTLD_DEFAULT, "_ZSt15get_new_handlerv");
        void *t = dlsym(RTLD_DEFAULT, "_ZSt17__throw_bad_allocv");
        if (!get_new_handler_fn || !t)
            return false;
        __atomic_store_n((void **)&throw_bad_alloc_fn, t, __ATOMIC_RELEASE);
    }
    return true;
}

/* After a failed attempt of a throwing operator: calls the new_handler
 * (the caller then tries again) or throws std::bad_alloc. */
static LT_NOINLINE void new_failed(void)
{
    new_handler_fn h = get_new_handler_fn();
    if (!h)
        throw_bad_alloc_fn();
    h();
}

/* After a failed attempt of a nothrow operator: true if a new_handler is
 * installed (the real nothrow operator must run the loop), else NULL is the
 * answer. */
static bool nothrow_has_handler(void)
{
    return get_new_handler_fn() != NULL;
}

/* One attempt of an operator new: tracked when the tool tracks. A macro,
 * not a function, so that the stack is captured in the exported operator's
 * own frame (frame 0 of the record) with the program's registers. */
#define NEW_ATTEMPT(p, size, tracked_alloc, untracked_alloc) do {          \
        if (!tracking()) {                                                  \
            (p) = (untracked_alloc);                                        \
        } else {                                                            \
            ENTER();                                                        \
            (p) = (tracked_alloc);                                          \
            if (p)                                                          \
                RECORD((p), (size));                                        \
            LEAVE();                                                        \
        }                                                                   \
    } while (0)

#define DEFINE_NEW(mangled)                                                 \
    LT_EXPORT LT_NO_ICF void *mangled(size_t size)                          \
    {                                                                       \
        ensure_started();                                                   \
        for (;;) {                                                          \
            void *p;                                                        \
            NEW_ATTEMPT(p, size, op_malloc(size), untracked_malloc(size ? size : 1)); \
            if (p)                                                          \
                return p;                                                   \
            if (lt_tls.busy)                                                \
                return fail_plain(#mangled, size);                          \
            if (!cxx_runtime()) {   /* another C++ runtime: its operator */ \
                new_fn f_ = (new_fn)real_cxx(#mangled);                     \
                return f_ ? f_(size) : NULL;                                \
            }                                                               \
            new_failed();                                                   \
        }                                                                   \
    }

#define DEFINE_NEW_NOTHROW(mangled)                                         \
    LT_EXPORT LT_NO_ICF void *mangled(size_t size, const void *nt)          \
    {                                                                       \
        ensure_started();                                                   \
        void *p;                                                            \
        NEW_ATTEMPT(p, size, op_malloc(size), untracked_malloc(size ? size : 1)); \
        if (p)                                                              \
            return p;                                                       \
        if (lt_tls.busy)                                                    \
            return fail_nothrow(#mangled, size, nt);                        \
        if (!cxx_runtime() || !nothrow_has_handler())                       \
            return NULL;                                                    \
        new_nothrow_fn f = (new_nothrow_fn)real_cxx(#mangled);              \
        return f ? f(size, nt) : NULL;                                      \
    }

#define DEFINE_NEW_ALIGN(mangled)                                           \
    LT_EXPORT LT_NO_ICF void *mangled(size_t size, size_t al)               \
    {                                                                       \
        ensure_started();                                                   \
        for (;;) {                                                          \
            void *p;                                                        \
            NEW_ATTEMPT(p, size, op_aligned(size, al), op_aligned(size, al)); \
            if (p)                                                          \
                return p;                                                   \
            if (lt_tls.busy)                                                \
                return fail_align(#mangled, size, al);                      \
            if (!cxx_runtime()) {                                           \
                new_align_fn f_ = (new_align_fn)real_cxx(#mangled);         \
                return f_ ? f_(size, al) : NULL;                            \
            }                                                               \
            new_failed();                                                   \
        }                                                                   \
    }

#define DEFINE_NEW_ALIGN_NOTHROW(mangled)                                   \
    LT_EXPORT LT_NO_ICF void *mangled(size_t size, size_t al, const void *nt) \
    {                                                                       \
        ensure_started();                                                   \
        void *p;                                                            \
        NEW_ATTEMPT(p, size, op_aligned(size, al), op_aligned(size, al));   \
        if (p)                                                              \
            return p;                                                       \
        if (lt_tls.busy)                                                    \
            return fail_align_nothrow(#mangled, size, al, nt);              \
        if (!cxx_runtime() || !nothrow_has_handler())                       \
            return NULL;                                                    \
        new_align_nothrow_fn f = (new_align_nothrow_fn)real_cxx(#mangled);  \
        return f ? f(size, al, nt) : NULL;                                  \
    }

DEFINE_NEW(_Znwm)                                   /* operator new(unsigned long) */
DEFINE_NEW(_Znam)                                   /* operator new[](unsigned long) */
DEFINE_NEW_NOTHROW(_ZnwmRKSt9nothrow_t)             /* operator new(unsigned long, std::nothrow_t const&) */
DEFINE_NEW_NOTHROW(_ZnamRKSt9nothrow_t)
DEFINE_NEW_ALIGN(_ZnwmSt11align_val_t)              /* operator new(unsigned long, std::align_val_t) */
DEFINE_NEW_ALIGN(_ZnamSt11align_val_t)
DEFINE_NEW_ALIGN_NOTHROW(_ZnwmSt11align_val_tRKSt9nothrow_t)
DEFINE_NEW_ALIGN_NOTHROW(_ZnamSt11align_val_tRKSt9nothrow_t)

LT_EXPORT void _ZdlPv(void *p) { if (p) release(p); }                          /* operator delete(void*) */
LT_EXPORT void _ZdaPv(void *p) { if (p) release(p); }
LT_EXPORT void _ZdlPvm(void *p, size_t n) { (void)n; if (p) release(p); }      /* sized */
LT_EXPORT void _ZdaPvm(void *p, size_t n) { (void)n; if (p) release(p); }
LT_EXPORT void _ZdlPvRKSt9nothrow_t(void *p, const void *nt) { (void)nt; if (p) release(p); }
LT_EXPORT void _ZdaPvRKSt9nothrow_t(void *p, const void *nt) { (void)nt; if (p) release(p); }
LT_EXPORT void _ZdlPvSt11align_val_t(void *p, size_t al) { (void)al; if (p) release(p); }
LT_EXPORT void _ZdaPvSt11align_val_t(void *p, size_t al) { (void)al; if (p) release(p); }
LT_EXPORT void _ZdlPvmSt11align_val_t(void *p, size_t n, size_t al) { (void)n; (void)al; if (p) release(p); }
LT_EXPORT void _ZdaPvmSt11align_val_t(void *p, size_t n, size_t al) { (void)n; (void)al; if (p) release(p); }
LT_EXPORT void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t al, const void *nt)
{ (void)al; (void)nt; if (p) release(p); }
LT_EXPORT void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t al, const void *nt)
{ (void)al; (void)nt; if (p) release(p); }

/* read, write, open, close, msync: descriptors.c. */

/* ---- threads ---------------------------------------------------------------- */

LT_EXPORT int pthread_create(void *thread, const void *attr, void *(*start)(void *), void *arg)
{
    ensure_started();
    if (!lt_real.pthread_create)
        lt_real_resolve();
    if (lt_state != LT_STATE_TRACKING)
        return lt_real.pthread_create(thread, attr, start, arg);
    return lt_threads_create(thread, attr, start, arg, lt_real.pthread_create);
}

/* ---- dlclose ------------------------------------------------------------------
 * With --keep-debuginfo=yes, where the object is mapped is noted before the
 * real dlclose may unmap it, so its frames are still named at the report
 * (unloaded.c; Valgrind's option of that name). Inside the guard: the maps
 * are read with raw system calls and nothing the tool does here is tracked. */

static int (*real_dlclose)(void *);

LT_EXPORT int dlclose(void *handle)
{
    int (*next)(void *) = __atomic_load_n(&real_dlclose, __ATOMIC_ACQUIRE);
    if (LT_UNLIKELY(!next)) {
        lt_tls.busy++;
        next = (int (*)(void *))dlsym(RTLD_NEXT, "dlclose");
        lt_tls.busy--;
        __atomic_store_n(&real_dlclose, next, __ATOMIC_RELEASE);
    }
    if (lt_opt.keep_debuginfo && lt_state == LT_STATE_TRACKING) {
        lt_tls.busy++;
        lt_unloaded_note(handle);
        lt_tls.busy--;
    }
    return next(handle);
}
