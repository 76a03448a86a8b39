/* test_depot.c — allocation stacks (src/depot.c).
 *
 * Interning: same stack -> same id, different (prefix, extension, reversed)
 * -> different ids; ids 1, 2, 3... in order of first sight; lt_depot_get
 * round trip across the 65536-id chunk boundary; ids agree across threads
 * (4 threads interning one set of stacks in different orders); the
 * per-thread cache survives slot collisions and lt_depot_thread_exit.
 * Capture: from a known chain of noinline functions, frame 0 lies in the
 * function that called lt_depot_capture, the next frames are the return
 * addresses into its callers, depth honours num_callers, the self range is
 * filtered. Function bounds come from this executable's ELF symbol table. */
#include "depot.h"
#include "options.h"
#include "unit.h"

#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- ELF symbol sizes of this executable ---------------------------------- */

/* Size of the function symbol `name` in /proc/self/exe's .symtab, 0 if none. */
static size_t func_size(const char *name)
{
    int fd = open("/proc/self/exe", O_RDONLY);
    if (fd < 0)
        return 0;
    struct stat st;
    fstat(fd, &st);
    const unsigned char *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return 0;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)m;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(m + eh->e_shoff);
    size_t size = 0;
    for (int i = 0; i < eh->e_shnum && !size; i++) {
        if (sh[i].sh_type != SHT_SYMTAB)
            continue;
        const Elf64_Sym *sym = (const Elf64_Sym *)(m + sh[i].sh_offset);
        const char *str = (const char *)(m + sh[sh[i].sh_link].sh_offset);
        size_t n = sh[i].sh_size / sizeof *sym;
        for (size_t k = 0; k < n; k++)
            if (ELF64_ST_TYPE(sym[k].st_info) == STT_FUNC && strcmp(str + sym[k].st_name, name) == 0) {
                size = sym[k].st_size;
                break;
            }
    }
    munmap((void *)m, (size_t)st.st_size);
    return size;
}

struct range { uintptr_t lo, hi; const char *name; };

static struct range range_of(const char *name, void (*fn)(void))
{
    struct range r = { (uintptr_t)fn, (uintptr_t)fn + func_size(name), name };
    return r;
}

static bool in(const struct range *r, uintptr_t ip) { return ip >= r->lo && ip < r->hi; }

/* ---- a known call chain ------------------------------------------------------ */

#define CHAIN __attribute__((noinline, noclone))

static volatile uint32_t sink;
static uintptr_t ra_into_chain2, ra_into_chain3;

CHAIN static void chain1(void)
{
    /* The volatile store after the call keeps it from being a tail call. */
    ra_into_chain2 = (uintptr_t)__builtin_extract_return_addr(__builtin_return_address(0));
    sink = lt_depot_capture();
    __asm__ volatile("" ::: "memory");
}

CHAIN static void chain2(void)
{
    ra_into_chain3 = (uintptr_t)__builtin_extract_return_addr(__builtin_return_address(0));
    chain1();
    __asm__ volatile("" ::: "memory");
    sink = sink + 0;
}

CHAIN static void chain3(void)
{
    chain2();
    __asm__ volatile("" ::: "memory");
    sink = sink + 0;
}

/* The same chain1 reached from a different caller. */
CHAIN static void other2(void)
{
    chain1();
    __asm__ volatile("" ::: "memory");
    sink = sink + 0;
}

/* A known faulting function for lt_depot_capture_context: trapper stores
 * through a NULL pointer (SIGSEGV) when asked, called from trap_caller.
 * No __builtin_trap: GCC would move that noreturn path to trapper.cold. */
static volatile int trap_now;
static int trap_dummy;
static int *volatile trap_target;
static uintptr_t ra_into_trap_caller;

CHAIN static void trapper(void)
{
    ra_into_trap_caller = (uintptr_t)__builtin_extract_return_addr(__builtin_return_address(0));
    sink = sink + 1;
    trap_target = trap_now ? NULL : &trap_dummy;
    *trap_target = 1;
    sink = sink + 1;
}

CHAIN static void trap_caller(void)
{
    trapper();
    __asm__ volatile("" ::: "memory");
    sink = sink + 0;
}

/* ---- interning ------------------------------------------------------------------ */

static void test_ids_in_order_of_first_sight(void)
{
    CHECK(lt_depot_count() == 0, "depot not empty at start: %u", lt_depot_count());
    const uintptr_t s1[] = { 0x401000, 0x402000, 0x403000 };
    const uintptr_t s1_prefix[] = { 0x401000, 0x402000 };
    const uintptr_t s1_ext[] = { 0x401000, 0x402000, 0x403000, 0x404000 };
    const uintptr_t s1_rev[] = { 0x403000, 0x402000, 0x401000 };
    const uintptr_t one[] = { 0x401000 };
    const uintptr_t one_zero[] = { 0x401000, 0 };
    uint32_t a = lt_depot_intern(s1, 3);
    CHECK_EQ_U64(a, 1);
    CHECK_EQ_U64(lt_depot_intern(s1, 3), 1);
    CHECK_EQ_U64(lt_depot_intern(s1_prefix, 2), 2);
    CHECK_EQ_U64(lt_depot_intern(s1_ext, 4), 3);
    CHECK_EQ_U64(lt_depot_intern(s1_rev, 3), 4);
    CHECK_EQ_U64(lt_depot_intern(one, 1), 5);
    CHECK_EQ_U64(lt_depot_intern(one_zero, 2), 6);
    CHECK_EQ_U64(lt_depot_intern(s1, 2), 2);       /* the prefix, given as a shorter depth */
    CHECK_EQ_U64(lt_depot_intern(s1_ext, 3), 1);
    CHECK_EQ_U64(lt_depot_intern(s1_prefix, 2), 2);
    CHECK_EQ_U64(lt_depot_intern(one, 1), 5);
    CHECK_EQ_U64(lt_depot_count(), 6);

    /* A copy of the ips in other memory is the same stack. */
    uintptr_t copy[3];
    memcpy(copy, s1, sizeof copy);
    CHECK_EQ_U64(lt_depot_intern(copy, 3), 1);

    const struct lt_stack *st = lt_depot_get(4);
    CHECK(st && st->id == 4 && st->depth == 3 && memcmp(st->ips, s1_rev, sizeof s1_rev) == 0,
          "get(4) wrong");
    st = lt_depot_get(6);
    CHECK(st && st->id == 6 && st->depth == 2 && st->ips[0] == 0x401000 && st->ips[1] == 0, "get(6) wrong");
    CHECK(lt_depot_get(0) == NULL, "get(0) not NULL");
    CHECK(lt_depot_get(7) == NULL, "get(count + 1) not NULL");
    CHECK(lt_depot_get(UINT32_MAX) == NULL, "get(UINT32_MAX) not NULL");
}

/* 70,000 distinct stacks: ids consecutive, get() right on both sides of
 * the 65,536-id chunk boundary; re-interning (through the per-thread cache,
 * with its slot collisions) gives the same ids. */
static void test_many_stacks(void)
{
    enum { N = 70000 };
    uint32_t base = lt_depot_count();
    static uint32_t ids[N];
    uintptr_t ips[5];
    size_t wrong = 0;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t depth = 1 + i % 5;
        for (uint32_t k = 0; k < depth; k++)
            ips[k] = 0x10000000u + (uintptr_t)i * 64 + k;
        ids[i] = lt_depot_intern(ips, depth);
        if (ids[i] != base + 1 + i)
            wrong++;
    }
    CHECK(wrong == 0, "%zu of %d new stacks did not get the next id", wrong, N);
    CHECK_EQ_U64(lt_depot_count(), base + N);
    size_t bad_get = 0, bad_again = 0;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t depth = 1 + i % 5;
        for (uint32_t k = 0; k < depth; k++)
            ips[k] = 0x10000000u + (uintptr_t)i * 64 + k;
        const struct lt_stack *st = lt_depot_get(ids[i]);
        if (!st || st->id != ids[i] || st->depth != depth || memcmp(st->ips, ips, depth * sizeof *ips))
            bad_get++;
        if (lt_depot_intern(ips, depth) != ids[i])
            bad_again++;
    }
    CHECK(bad_get == 0, "%zu stacks did not round-trip through lt_depot_get", bad_get);
    CHECK(bad_again == 0, "%zu stacks got a different id the second time", bad_again);
    for (uint32_t id = 65530; id < 65545 && id <= base + N; id++) {
        const struct lt_stack *st = lt_depot_get(id);
        CHECK(st && st->id == id, "get(%u) across the chunk boundary", id);
    }
    CHECK_EQ_U64(lt_depot_count(), base + N);

    /* Dropping the thread cache keeps every id. */
    lt_depot_thread_exit();
    ips[0] = 0x10000000u;
    CHECK_EQ_U64(lt_depot_intern(ips, 1), ids[0]);
    lt_depot_thread_exit();
    lt_depot_thread_exit();   /* twice: harmless */
    for (uint32_t k = 0; k < 2; k++)
        ips[k] = 0x10000000u + (uintptr_t)1 * 64 + k;
    CHECK_EQ_U64(lt_depot_intern(ips, 2), ids[1]);
}

/* ---- concurrency ------------------------------------------------------------ */

#define NTHREADS 4
#define NSHARED 20000

static uint32_t thread_ids[NTHREADS][NSHARED];
static pthread_barrier_t barrier;

static void shared_stack(uint32_t i, uintptr_t *ips, uint32_t *depth)
{
    *depth = 2 + i % 7;
    for (uint32_t k = 0; k < *depth; k++)
        ips[k] = 0x50000000u + (uintptr_t)(i % 1000) * 4096 + (uintptr_t)(i / 1000) * 8 + k;
}

static void *interner(void *arg)
{
    int t = (int)(intptr_t)arg;
    uint64_t rng = 1000 + (uint64_t)t;
    static __thread uint32_t order[NSHARED];
    for (uint32_t i = 0; i < NSHARED; i++)
        order[i] = i;
    for (uint32_t i = NSHARED - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(unit_rand(&rng) % (i + 1));
        uint32_t x = order[i];
        order[i] = order[j];
        order[j] = x;
    }
    pthread_barrier_wait(&barrier);
    uintptr_t ips[16];
    uint32_t depth;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t n = 0; n < NSHARED; n++) {
            uint32_t i = order[n];
            shared_stack(i, ips, &depth);
            uint32_t id = lt_depot_intern(ips, depth);
            if (pass == 0)
                thread_ids[t][i] = id;
            else if (thread_ids[t][i] != id)
                thread_ids[t][i] = 0;     /* inconsistent within the thread */
        }
    }
    lt_depot_thread_exit();
    return NULL;
}

static void test_threads(void)
{
    uint32_t base = lt_depot_count();
    pthread_t th[NTHREADS];
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    for (int t = 0; t < NTHREADS; t++)
        pthread_create(&th[t], NULL, interner, (void *)(intptr_t)t);
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);
    pthread_barrier_destroy(&barrier);
    CHECK_EQ_U64(lt_depot_count(), base + NSHARED);
    size_t disagree = 0, out_of_range = 0, bad_get = 0;
    static bool seen[NSHARED];
    size_t dup = 0;
    for (uint32_t i = 0; i < NSHARED; i++) {
        uint32_t id = thread_ids[0][i];
        for (int t = 1; t < NTHREADS; t++)
            if (thread_ids[t][i] != id)
                disagree++;
        if (id <= base || id > base + NSHARED) {
            out_of_range++;
            continue;
        }
        if (seen[id - base - 1])
            dup++;
        seen[id - base - 1] = true;
        uintptr_t ips[16];
        uint32_t depth;
        shared_stack(i, ips, &depth);
        const struct lt_stack *st = lt_depot_get(id);
        if (!st || st->id != id || st->depth != depth || memcmp(st->ips, ips, depth * sizeof *ips))
            bad_get++;
    }
    CHECK(disagree == 0, "%zu (thread, stack) ids differ from thread 0's", disagree);
    CHECK(out_of_range == 0, "%zu ids outside the new range (or inconsistent in one thread)", out_of_range);
    CHECK(dup == 0, "%zu distinct stacks share an id", dup);
    CHECK(bad_get == 0, "%zu stacks did not round-trip", bad_get);
}

/* ---- capture -------------------------------------------------------------------- */

static void test_capture(void)
{
    lt_options_defaults(&lt_opt);
    lt_depot_init();
    struct range r1 = range_of("chain1", chain1), r2 = range_of("chain2", chain2),
                 r3 = range_of("chain3", chain3), ro = range_of("other2", other2);
    CHECK(r1.hi > r1.lo && r2.hi > r2.lo && r3.hi > r3.lo && ro.hi > ro.lo,
          "cannot find the chain functions in the ELF symbol table");

    lt_opt.num_callers = 3;
    chain3();
    uint32_t id = sink;
    const struct lt_stack *st = lt_depot_get(id);
    CHECK(id != 0 && st != NULL, "capture returned %u", id);
    if (st) {
        CHECK_EQ_U64(st->depth, 3);
        CHECK(in(&r1, st->ips[0]), "frame 0 %#lx is not in chain1 [%#lx, %#lx) (the caller of lt_depot_capture)",
              (unsigned long)st->ips[0], (unsigned long)r1.lo, (unsigned long)r1.hi);
        CHECK(st->depth > 1 && in(&r2, st->ips[1]), "frame 1 %#lx is not in chain2", (unsigned long)st->ips[1]);
        CHECK(st->depth > 2 && in(&r3, st->ips[2]), "frame 2 %#lx is not in chain3", (unsigned long)st->ips[2]);
        /* depot.h: "ips[0]: in the allocation function; then return addresses". */
        CHECK(st->depth > 1 && st->ips[1] == ra_into_chain2, "frame 1 %#lx is not the return address %#lx",
              (unsigned long)st->ips[1], (unsigned long)ra_into_chain2);
        CHECK(st->depth > 2 && st->ips[2] == ra_into_chain3, "frame 2 %#lx is not the return address %#lx",
              (unsigned long)st->ips[2], (unsigned long)ra_into_chain3);
    }
    /* Same call site -> same id; another caller -> another id. */
    chain3();
    CHECK_EQ_U64(sink, id);
    other2();
    uint32_t id_other = sink;
    CHECK(id_other != 0 && id_other != id, "other2 -> chain1 got id %u (chain3 path: %u)", id_other, id);
    st = lt_depot_get(id_other);
    CHECK(st && st->depth >= 2 && in(&r1, st->ips[0]) && in(&ro, st->ips[1]), "other2 stack frames");

    /* num_callers bounds the depth. */
    lt_opt.num_callers = 1;
    chain3();
    st = lt_depot_get(sink);
    CHECK(st && st->depth == 1 && in(&r1, st->ips[0]), "num_callers=1: depth %u", st ? st->depth : 0);
    lt_opt.num_callers = 12;
    chain3();
    st = lt_depot_get(sink);
    /* chain1, chain2, chain3, test_capture, main, libc start... */
    CHECK(st && st->depth >= 5 && st->depth <= 12, "num_callers=12: depth %u", st ? st->depth : 0);
    uint32_t depth12 = st ? st->depth : 0;
    lt_opt.num_callers = LT_MAX_CALLERS;
    chain3();
    st = lt_depot_get(sink);
    CHECK(st && st->depth == depth12 && depth12 < 12, "num_callers=500: depth %u (12 gave %u)",
          st ? st->depth : 0, depth12);
    lt_opt.num_callers = 4;
    chain3();
    st = lt_depot_get(sink);
    CHECK(st && st->depth == 4, "num_callers=4: depth %u", st ? st->depth : 0);

    /* Frames inside the self range are dropped (frame 0 is kept). */
    lt_depot_set_self_range(r2.lo, r2.hi);
    lt_opt.num_callers = 3;
    chain3();
    st = lt_depot_get(sink);
    CHECK(st && st->depth == 3 && in(&r1, st->ips[0]) && in(&r3, st->ips[1]) && !in(&r3, st->ips[2]) &&
          !in(&r2, st->ips[2]),
          "self range over chain2: frames %#lx %#lx %#lx", st ? (unsigned long)st->ips[0] : 0,
          st && st->depth > 1 ? (unsigned long)st->ips[1] : 0, st && st->depth > 2 ? (unsigned long)st->ips[2] : 0);
    lt_depot_set_self_range(0, 0);
    lt_opt.num_callers = 12;
}

static void *capture_thread(void *arg)
{
    (void)arg;
    chain3();
    return (void *)(uintptr_t)sink;
}

/* A capture in another thread of the same call chain gives the same id
 * (up to the thread's start frames, which differ: compare the first 3). */
static void test_capture_other_thread(void)
{
    lt_opt.num_callers = 3;
    chain3();
    uint32_t here = sink;
    pthread_t th;
    void *ret;
    pthread_create(&th, NULL, capture_thread, NULL);
    pthread_join(th, &ret);
    CHECK_EQ_U64((uint32_t)(uintptr_t)ret, here);
    lt_opt.num_callers = 12;
}

static sigjmp_buf trap_jmp;
static volatile uint32_t trap_id;
static volatile uintptr_t trap_pc;

static void on_trap(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)si;
#if defined(__x86_64__)
    trap_pc = (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    trap_pc = (uintptr_t)((ucontext_t *)uc)->uc_mcontext.pc;
#endif
    trap_id = lt_depot_capture_context(uc);
    siglongjmp(trap_jmp, 1);
}

/* The stack of an interrupted context: frame 0 is the interrupted
 * instruction, then the return addresses of its callers. */
static void test_capture_context(void)
{
    struct range rt = range_of("trapper", trapper), rc = range_of("trap_caller", trap_caller);
    CHECK(rt.hi > rt.lo && rc.hi > rc.lo, "trap functions not in the symbol table");
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, &old);
    lt_opt.num_callers = 12;
    trap_id = 0;
    if (sigsetjmp(trap_jmp, 1) == 0) {
        trap_now = 1;
        trap_caller();
    }
    trap_now = 0;
    sigaction(SIGSEGV, &old, NULL);
    const struct lt_stack *st = lt_depot_get(trap_id);
    CHECK(trap_id != 0 && st != NULL, "lt_depot_capture_context returned %u", trap_id);
    if (!st)
        return;
    CHECK(st->depth >= 3 && st->depth <= 12, "depth %u", st->depth);
    CHECK(in(&rt, st->ips[0]), "frame 0 %#lx not in trapper [%#lx, %#lx)", (unsigned long)st->ips[0],
          (unsigned long)rt.lo, (unsigned long)rt.hi);
    CHECK(st->ips[0] == trap_pc, "frame 0 %#lx is not the trapping instruction %#lx", (unsigned long)st->ips[0],
          (unsigned long)trap_pc);
    CHECK(st->depth > 1 && in(&rc, st->ips[1]) && st->ips[1] == ra_into_trap_caller,
          "frame 1 %#lx is not the return address %#lx into trap_caller", (unsigned long)st->ips[1],
          (unsigned long)ra_into_trap_caller);
    /* num_callers bounds it; the self range is dropped except frame 0. */
    lt_opt.num_callers = 2;
    lt_depot_set_self_range(rc.lo, rc.hi);
    sigaction(SIGSEGV, &sa, &old);
    trap_id = 0;
    if (sigsetjmp(trap_jmp, 1) == 0) {
        trap_now = 1;
        trap_caller();
    }
    trap_now = 0;
    sigaction(SIGSEGV, &old, NULL);
    lt_depot_set_self_range(0, 0);
    lt_opt.num_callers = 12;
    st = lt_depot_get(trap_id);
    CHECK(st && st->depth == 2 && in(&rt, st->ips[0]) && !in(&rc, st->ips[1]),
          "num_callers=2 with trap_caller as self: depth %u, frame 1 %#lx", st ? st->depth : 0,
          st && st->depth > 1 ? (unsigned long)st->ips[1] : 0ul);
}

int main(void)
{
    RUN(test_ids_in_order_of_first_sight);   /* first: ids start at 1 */
    RUN(test_many_stacks);
    RUN(test_threads);
    RUN(test_capture);
    RUN(test_capture_other_thread);
    RUN(test_capture_context);
    return UNIT_DONE();
}
