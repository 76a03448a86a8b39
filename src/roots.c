/* roots.c — the root set of a check (see roots.h).
 *
 * Method: every readable+writable mapping is a root (Valgrind:
 * scan_memory_root_set takes file, anonymous and shared client segments
 * with R and W, skipping devices other than /dev/zero), minus a sorted list
 * of excluded ranges. Stacks are not special-cased as roots: the live part
 * of a stack is simply what is not excluded. */
#include "roots.h"
#include "arena.h"
#include "golayout.h"
#include "goroots.h"
#include "interpose.h"
#include "lock.h"
#include "toolstack.h"
#include "unwmem.h"
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HEAP_MAX ((uintptr_t)64 << 20)   /* glibc HEAP_MAX_SIZE on 64-bit: 2 * 4 MiB * sizeof(long) */
#define BIG_MAPPING ((uintptr_t)64 << 20)
#define MAX_SELF 4

static uintptr_t self_lo[MAX_SELF], self_hi[MAX_SELF];
static int nself;
static bool go_program;

extern void *__libc_stack_end;

void lt_roots_set_go(bool go) { go_program = go; }

/* ---- regions the program registers -------------------------------------------- */

#define MAX_REGISTERED 4096
static struct { uintptr_t lo; size_t len; } registered[MAX_REGISTERED];
static int nregistered;
static lt_lock_t registered_lock = LT_LOCK_INIT;

int lt_roots_register(uintptr_t lo, size_t len)
{
    int rc = -1;
    lt_lock(&registered_lock);
    if (nregistered < MAX_REGISTERED) {
        registered[nregistered].lo = lo;
        registered[nregistered].len = len;
        nregistered++;
        rc = 0;
    }
    lt_unlock(&registered_lock);
    return rc;
}

int lt_roots_unregister(uintptr_t lo, size_t len)
{
    int rc = -1;
    lt_lock(&registered_lock);
    for (int i = 0; i < nregistered; i++)
        if (registered[i].lo == lo && registered[i].len == len) {
            registered[i] = registered[--nregistered];
            rc = 0;
            break;
        }
    lt_unlock(&registered_lock);
    return rc;
}

void lt_roots_set_self(uintptr_t lo, uintptr_t hi)
{
    if (nself < MAX_SELF) {
        self_lo[nself] = lo;
        self_hi[nself] = hi;
        nself++;
    }
}

struct range { uintptr_t lo, hi; };

struct ranges {
    struct range *v;
    size_t n, cap, bytes;
};

static void add(struct ranges *r, uintptr_t lo, uintptr_t hi)
{
    if (hi <= lo)
        return;
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 256;
        struct range *nv = lt_arena_alloc(ncap * sizeof *nv);
        if (!nv)
            return;       /* out of tool memory: scanning more is the safe side */
        if (r->v) {
            memcpy(nv, r->v, r->n * sizeof *nv);
            lt_arena_free(r->v, r->cap * sizeof *nv);
        }
        r->v = nv;
        r->cap = ncap;
    }
    r->v[r->n].lo = lo;
    r->v[r->n].hi = hi;
    r->n++;
}

static void sort_ranges(struct ranges *r)
{
    /* Shell sort: a few thousand ranges at most, no allocation. */
    static const size_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        size_t gap = gaps[g];
        for (size_t i = gap; i < r->n; i++) {
            struct range t = r->v[i];
            size_t j = i;
            for (; j >= gap && r->v[j - gap].lo > t.lo; j -= gap)
                r->v[j] = r->v[j - gap];
            r->v[j] = t;
        }
    }
}

/* Sorts and coalesces overlapping ranges. */
static void normalize(struct ranges *r)
{
    sort_ranges(r);
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (k && r->v[i].lo <= r->v[k - 1].hi) {
            if (r->v[i].hi > r->v[k - 1].hi)
                r->v[k - 1].hi = r->v[i].hi;
        } else {
            r->v[k++] = r->v[i];
        }
    }
    r->n = k;
}

static bool inside(const struct ranges *r, uintptr_t a)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a < r->v[mid].lo) hi = mid;
        else if (a >= r->v[mid].hi) lo = mid + 1;
        else return true;
    }
    return false;
}

/* ---- glibc's memory ------------------------------------------------------------ */

static bool is_anon_rw(const struct lt_map *m)
{
    return (m->prot & (LT_MAP_R | LT_MAP_W)) == (LT_MAP_R | LT_MAP_W) && m->inode == 0 &&
           m->path[0] == 0;
}

/* Thread arenas: mmap'd heaps aligned to HEAP_MAX, starting with heap_info
 * { ar_ptr, prev, size, mprotect_size, ... } (malloc/arena.c). The first
 * heap of an arena holds the arena (malloc_state) right after heap_info,
 * so ar_ptr == heap + sizeof(heap_info) (32 or 48 bytes, by version);
 * later heaps of the same arena point back to it through ar_ptr. */
#define MAX_ARENAS 256

static int exclude_glibc_heaps(struct ranges *ex, const struct lt_maps *maps, uintptr_t *arenas)
{
    int narenas = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < maps->n; i++) {
            const struct lt_map *m = &maps->v[i];
            if (!is_anon_rw(m))
                continue;
            for (uintptr_t a = (m->lo + HEAP_MAX - 1) & ~(HEAP_MAX - 1); a + 64 <= m->hi; a += HEAP_MAX) {
                const uintptr_t *h = (const uintptr_t *)a;
                uintptr_t ar = h[0], prev = h[1], size = h[2];
                bool first = ar == a + 32 || ar == a + 48;
                bool later = false;
                if (pass == 1 && !first && prev && (prev & (HEAP_MAX - 1)) == 0)
                    for (int k = 0; k < narenas; k++)
                        later |= arenas[k] == ar;
                if (!(pass == 0 ? first : later) || size > HEAP_MAX || (size & 4095))
                    continue;
                uintptr_t end = m->hi < a + HEAP_MAX ? m->hi : a + HEAP_MAX;
                add(ex, a, end);
                if (pass == 0 && narenas < MAX_ARENAS)
                    arenas[narenas++] = ar;
            }
        }
    }
    return narenas;
}

/* The main arena (a static struct malloc_state in libc's data) points at
 * free chunks and at the top chunk, whose header lies inside the usable
 * tail of the block before it: an interior pointer Valgrind never sees, as
 * it replaces the allocator. Found by its shape (glibc 2.27-2.36 layout):
 * `next` at +2160 points to the arena itself, or to a thread arena, which
 * is in the circular list; `top` at +96 is a chunk address (16-aligned). */
#define MSTATE_TOP 96
#define MSTATE_NEXT 2160
#define MSTATE_SIZE 2200

static void exclude_main_arena(struct ranges *ex, const struct lt_maps *maps,
                               const uintptr_t *arenas, int narenas)
{
    for (int i = 0; i < maps->n; i++) {
        const struct lt_map *m = &maps->v[i];
        if (!(m->prot & LT_MAP_W) || !strstr(m->path, "/libc.so"))
            continue;
        for (uintptr_t x = m->lo + MSTATE_NEXT; x + sizeof(uintptr_t) <= m->hi; x += sizeof(uintptr_t)) {
            uintptr_t next = *(const uintptr_t *)x, a = x - MSTATE_NEXT;
            bool linked = next == a;
            for (int k = 0; !linked && k < narenas; k++)
                linked = next == arenas[k];
            uintptr_t top = *(const uintptr_t *)(a + MSTATE_TOP);
            if (linked && top && (top & 15) == 0) {
                add(ex, a, a + MSTATE_SIZE);
                return;
            }
        }
    }
}

/* glibc chunk header: the word before the user pointer is the chunk size
 * with flag bits; IS_MMAPPED (0x2) means the block is its own mapping,
 * which begins prev_size bytes before the chunk (memalign offset). */
static bool readable(const struct lt_maps *maps, uintptr_t a)
{
    const struct lt_map *m = lt_maps_find(maps, a);
    return m && (m->prot & LT_MAP_R) && a + sizeof(uintptr_t) <= m->hi;
}

static void exclude_block(struct ranges *ex, const struct lt_maps *maps,
                          const struct lt_scan_block *b, bool glibc)
{
    uintptr_t lo = b->addr, hi = b->addr + b->size;
    if (glibc && b->addr >= 16 && readable(maps, b->addr - 16)) {
        uintptr_t chunk = b->addr - 2 * sizeof(uintptr_t);
        uintptr_t size_word = ((const uintptr_t *)chunk)[1];
        if (size_word & 2) {
            uintptr_t prev = ((const uintptr_t *)chunk)[0];
            lo = chunk - prev;
            hi = chunk + (size_word & ~(uintptr_t)7);
        }
    }
    add(ex, lo, hi);
}

/* ---- stacks ----------------------------------------------------------------------- */

/* Frames below `sp` are dead, if sp lies in a stack we know: the thread's
 * registered stack [lo, hi), or the main thread's [stack] mapping. A stack
 * pointer elsewhere (a goroutine stack inside Go's heap, a coroutine stack
 * in the program's own memory) says nothing about the memory around it:
 * nothing is excluded. */
static void exclude_dead_frames(struct ranges *ex, const struct lt_maps *maps,
                                const struct lt_thread_rec *rec, bool main_thread, uintptr_t sp)
{
    uintptr_t lo = rec ? rec->stack_lo : 0, hi = rec ? rec->stack_hi : 0;
    if (lo && hi && sp >= lo && sp <= hi) {
        add(ex, lo, sp);
        return;
    }
    const struct lt_map *m = lt_maps_find(maps, sp);
    if (m && strcmp(m->path, "[stack]") == 0) {
        add(ex, m->lo, sp);
        return;
    }
    if (!go_program)
        return;
    /* Go code on a goroutine stack: the system stack's frames are dead;
     * keep what lies above the thread's start (TLS, thread descriptor,
     * and for the main thread the auxiliary vector and environment). */
    if (lo && rec->entry_sp > lo) {
        add(ex, lo, rec->entry_sp);
    } else if (main_thread) {
        uintptr_t top = (uintptr_t)__libc_stack_end;
        for (int i = 0; i < maps->n; i++)
            if (strcmp(maps->v[i].path, "[stack]") == 0 && top > maps->v[i].lo && top <= maps->v[i].hi)
                add(ex, maps->v[i].lo, top);
    }
}

/* TLS vector (glibc x86-64: tcbhead_t { tcb, dtv, self, ... }, and the
 * thread descriptor is the thread pointer): the TCB keeps dtv+1, an
 * interior pointer, which Valgrind reports as "possibly lost" for threads
 * alive at exit. The block is glibc's and in use: count it reachable. */
static void mark_dtv(struct lt_scan *s, const struct lt_maps *maps, uintptr_t tcb)
{
#if defined(__x86_64__)
    if (!tcb || !readable(maps, tcb + sizeof(uintptr_t)))
        return;
    uintptr_t dtv = ((const uintptr_t *)tcb)[1];
    if (lt_scan_find(s, dtv) >= 0) {
        lt_scan_root_block_of(s, dtv);
        return;
    }
    /* Not a block the program owns: the vector ld.so grew while libdw ran
     * (its thread-local blocks, dwlib.h) is the tool's. Its entries — dtv_t
     * of 16 bytes, the length in entry -1 (glibc dl-tls.c) — still point
     * at the program's thread-local blocks. */
    enum { ENTRY = 16 };
    if (dtv < ENTRY || !readable(maps, dtv - ENTRY))
        return;
    size_t len = ((const size_t *)(dtv - ENTRY))[0];
    uintptr_t end = dtv + (len + 1) * ENTRY;
    if (len > 0 && len < (1u << 20) && readable(maps, end - sizeof(uintptr_t)))
        lt_scan_root_range(s, dtv, end);
#else
    (void)s;
    (void)maps;
    (void)tcb;
#endif
}

static void root_word(void *scan, uintptr_t value) { lt_scan_root_word(scan, value); }
static void exclude_cb(void *ex, uintptr_t lo, uintptr_t hi) { add(ex, lo, hi); }

/* ---- the scan ---------------------------------------------------------------------- */

static bool is_root_mapping(const struct lt_map *m)
{
    if ((m->prot & (LT_MAP_R | LT_MAP_W)) != (LT_MAP_R | LT_MAP_W))
        return false;
    /* Device mappings may have side effects when read (Valgrind skips
     * character and block devices, but not /dev/zero). Shared anonymous
     * memory is listed as "/dev/zero (deleted)"; POSIX shared memory lives
     * in /dev/shm (tmpfs files, not devices). */
    if (strncmp(m->path, "/dev/", 5) == 0 && strncmp(m->path, "/dev/zero", 9) != 0 &&
        strncmp(m->path, "/dev/shm/", 9) != 0)
        return false;
    return true;
}

/* Scans [lo, hi); in very large mappings only resident pages (an untouched
 * page reads as zeros and holds no pointer). */
static void scan_piece(struct lt_scan *s, uintptr_t lo, uintptr_t hi)
{
    if (hi - lo < BIG_MAPPING) {
        lt_scan_root_range(s, lo, hi);
        return;
    }
    enum { STEP = 16 << 20 };
    static unsigned char vec[STEP / 4096];
    for (uintptr_t a = lo & ~(uintptr_t)4095; a < hi; a += STEP) {
        uintptr_t end = a + STEP < hi ? a + STEP : hi;
        if (mincore((void *)a, end - a, vec) != 0) {
            lt_scan_root_range(s, a < lo ? lo : a, end);
            continue;
        }
        for (uintptr_t p = a; p < end;) {
            if (!(vec[(p - a) >> 12] & 1)) {
                p += 4096;
                continue;
            }
            uintptr_t q = p;
            while (q < end && (vec[(q - a) >> 12] & 1))
                q += 4096;
            lt_scan_root_range(s, p < lo ? lo : p, q < end ? q : end);
            p = q;
        }
    }
}

void lt_roots_scan(struct lt_scan *s, const struct lt_maps *maps,
                   const struct lt_world *world, const struct lt_exit_ctx *self)
{
    struct ranges ex = { 0 };
    uintptr_t alo[300], ahi[300];
    int na = lt_arena_ranges(alo, ahi, 300);
    for (int i = 0; i < na; i++)
        add(&ex, alo[i], ahi[i]);
    for (int i = 0; i < nself; i++)
        add(&ex, self_lo[i], self_hi[i]);
    uintptr_t tlo, thi;
    lt_toolstack_range(&tlo, &thi);
    add(&ex, tlo, thi);
    lt_unwmem_ranges(LT_NOTED_UNWIND, exclude_cb, &ex);
    bool glibc = lt_real.glibc_malloc;
    if (glibc) {
        for (int i = 0; i < maps->n; i++)
            if (strcmp(maps->v[i].path, "[heap]") == 0)
                add(&ex, maps->v[i].lo, maps->v[i].hi);
        uintptr_t arenas[MAX_ARENAS];
        int narenas = exclude_glibc_heaps(&ex, maps, arenas);
        exclude_main_arena(&ex, maps, arenas, narenas);
    }
    normalize(&ex);
    /* Block contents are not roots: they are scanned once reached. Only
     * blocks outside the heaps just excluded need their own range. */
    size_t nheaps = ex.n;
    for (size_t i = 0; i < s->n; i++) {
        struct ranges heaps = { ex.v, nheaps, nheaps, 0 };   /* ex.v may move */
        if (!inside(&heaps, s->b[i].addr))
            exclude_block(&ex, maps, &s->b[i], glibc);
    }

    /* The checking thread: frames below the one that called exit (or asked
     * for the check) are dead; the check itself runs on the tool stack. */
    uintptr_t my_sp = self->valid ? self->sp : lt_toolstack_caller_sp();
    pid_t pid = getpid();
    exclude_dead_frames(&ex, maps, lt_tls.thread, (pid_t)syscall(SYS_gettid) == pid, my_sp);

    /* Other threads: dead frames below their stack pointer. */
    for (int i = 0; world && i < world->n; i++) {
        const struct lt_stopped *t = &world->v[i];
        if (t->acked != 1)
            continue;    /* did not stop: its whole stack is scanned */
        /* From the stack pointer itself: below it lie the frames of calls
         * that have returned (Valgrind marks them unaddressable as the
         * stack shrinks), even if a leaf function could use a red zone. */
        exclude_dead_frames(&ex, maps, t->rec, t->tid == pid, t->sp);
    }
    /* Threads that have exited: every frame is dead; what lies above the
     * start routine's frame (glibc's thread descriptor and static TLS)
     * stays a root, as under Valgrind. */
    lt_threads_lock();
    for (struct lt_thread_rec *r = lt_threads_first(); r; r = r->next) {
        if (r->state != LT_THREAD_DEAD || !r->stack_lo || !r->entry_sp)
            continue;
        bool reused = false;
        for (struct lt_thread_rec *o = lt_threads_first(); o; o = o->next)
            if (o != r && o->state == LT_THREAD_LIVE && o->stack_lo < r->stack_hi && r->stack_lo < o->stack_hi)
                reused = true;
        if (!reused)
            add(&ex, r->stack_lo, r->entry_sp);
    }
    lt_threads_unlock();
    /* Go: the heap arenas hold roots only in live objects and live frames
     * (goroots.c); without the runtime's metadata they are scanned whole. */
    bool go_meta = false;
    if (go_program) {
        int nsps = 0, cap = 1 + (world ? world->n : 0);
        uintptr_t *sps = lt_arena_alloc(2 * (size_t)cap * sizeof *sps), *tps = sps + cap;
        if (sps) {
            tps[nsps] = (uintptr_t)pthread_self();
            sps[nsps++] = my_sp;
            for (int i = 0; world && i < world->n; i++)
                if (world->v[i].acked == 1) {
                    tps[nsps] = world->v[i].rec ? world->v[i].rec->pthread_self : 0;
                    sps[nsps++] = world->v[i].sp;
                }
            go_meta = lt_goroots_prepare(maps, sps, tps, nsps, exclude_cb, &ex);
            /* Its metadata outside the arenas holds no roots (gomem.h);
             * without the metadata's view everything Go mapped is read. */
            if (go_meta)
                lt_unwmem_ranges(LT_NOTED_GO_RUNTIME, exclude_cb, &ex);
            lt_arena_free(sps, 2 * (size_t)cap * sizeof *sps);
        }
        static bool warned;
        if (!go_meta && !warned) {
            warned = true;
            lt_warn("Go runtime metadata not usable (%s): the Go heap is scanned whole, so C blocks "
                    "held only by dead Go frames or freed Go objects count as reachable",
                    lt_golayout()->why ? lt_golayout()->why : "inconsistent");
        }
    }
    normalize(&ex);

    /* Memory roots. */
    for (int i = 0; i < maps->n; i++) {
        const struct lt_map *m = &maps->v[i];
        if (!is_root_mapping(m))
            continue;
        uintptr_t p = m->lo;
        /* Walk the exclusions that overlap [lo, hi); they are sorted by lo. */
        size_t k, lo = 0, hi = ex.n;
        while (lo < hi) {                 /* first exclusion with hi > m->lo */
            size_t mid = (lo + hi) / 2;
            if (ex.v[mid].lo < m->lo) lo = mid + 1; else hi = mid;
        }
        k = lo > 0 ? lo - 1 : 0;
        for (; k < ex.n && ex.v[k].lo < m->hi; k++) {
            if (ex.v[k].hi <= p)
                continue;
            if (ex.v[k].lo > p)
                scan_piece(s, p, ex.v[k].lo);
            p = ex.v[k].hi;
            if (p >= m->hi)
                break;
        }
        if (p < m->hi)
            scan_piece(s, p, m->hi);
    }

    if (go_meta)
        lt_goroots_scan(s);

    /* Regions the program registered, only their readable parts. */
    lt_lock(&registered_lock);
    for (int i = 0; i < nregistered; i++) {
        uintptr_t p = registered[i].lo, end = registered[i].lo + registered[i].len;
        while (p < end) {
            const struct lt_map *m = lt_maps_find(maps, p);
            if (!m || !(m->prot & LT_MAP_R)) {
                p = (p | 4095) + 1;
                continue;
            }
            uintptr_t stop = m->hi < end ? m->hi : end;
            lt_scan_root_range(s, p, stop);
            p = stop;
        }
    }
    lt_unlock(&registered_lock);

    /* Register roots: the exiting thread's at exit, the others' where they stopped. */
    if (self->valid)
        for (int r = 0; r < LT_NREGS; r++)
            lt_scan_root_word(s, self->regs[r]);
    for (int i = 0; world && i < world->n; i++)
        if (world->v[i].acked == 1) {
            for (int r = 0; r < LT_NREGS; r++)
                lt_scan_root_word(s, world->v[i].regs[r]);
            for (int r = 0; r < LT_NVREGS; r++)
                lt_scan_root_word(s, world->v[i].vregs[r]);
        }

    /* Arguments of threads not yet started (threads.c keeps them). */
    lt_threads_pending_args(root_word, s);

    /* glibc's TLS vectors of the threads that are alive. */
    lt_threads_lock();
    for (struct lt_thread_rec *r = lt_threads_first(); r; r = r->next)
        if (r->state == LT_THREAD_LIVE)
            mark_dtv(s, maps, r->pthread_self);
    lt_threads_unlock();

    if (ex.v)
        lt_arena_free(ex.v, ex.cap * sizeof *ex.v);
}
