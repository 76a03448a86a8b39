/* test_symbols.c — symbols.c resolves addresses in this very process.
 *
 * Checks: a noinline function's return address -> its name, test_symbols.c
 * and the line of the call; a libc function -> "write" in libc.so; an
 * unmapped address -> "???"; demangling as Valgrind prints it; an inlined
 * call -> two frames with the inlined one first; the vtable heuristic on
 * hand-made tables; that debuginfod is never loaded even with
 * DEBUGINFOD_URLS set; and that 1000 distinct addresses resolve well under
 * a second. Built -O2 -g (RelWithDebInfo): everything probed is noinline or
 * volatile. */
#include "symbols.h"
#include "maps.h"
#include "dwlib.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

static int failures;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
            failures++;                                                    \
        }                                                                  \
    } while (0)

static const char *nz(const char *s) { return s ? s : "(null)"; }

static void dump(const char *what, const struct lt_frame_info *f, int n)
{
    for (int i = 0; i < n; i++)
        fprintf(stderr, "  %s[%d]: %s [%s] (%s/%s:%u) in %s +%#lx\n", what, i, nz(f[i].fn),
                nz(f[i].mangled), nz(f[i].dir), nz(f[i].file), f[i].line, nz(f[i].obj),
                (unsigned long)f[i].obj_offset);
}

/* ---- probes ---- */

__attribute__((noinline)) static void *get_ra(void)
{
    void *ra = __builtin_return_address(0);
    __asm__ volatile("" : : "r"(ra) : "memory");
    return ra;
}

static volatile int probe_line;

__attribute__((noinline)) void *lt_test_probe(void)
{
    void *volatile ra = get_ra(); probe_line = __LINE__;
    return ra;
}

static volatile int inl_line, outer_line;

static inline __attribute__((always_inline)) void *lt_test_inlined(void)
{
    void *volatile ra = get_ra(); inl_line = __LINE__;
    return ra;
}

__attribute__((noinline)) void *lt_test_outer(void)
{
    void *volatile r = lt_test_inlined(); outer_line = __LINE__;
    return r;
}

/* ---- vtable material ---- */

__attribute__((noinline)) void lt_test_vf1(void) { __asm__ volatile(""); }
__attribute__((noinline)) void lt_test_vf2(void) { __asm__ volatile("nop"); }
static int some_data[4] = { 1, 2, 3, 4 };

/* const tables of pointers: .data.rel.ro / .rodata, file-backed, read-only */
static void (*const vtab_ok[8])(void) = { NULL, lt_test_vf1, NULL, lt_test_vf2, NULL, NULL, NULL, NULL };
static void *const vtab_data[4] = { (void *)some_data, (void *)lt_test_vf1, (void *)lt_test_vf2, NULL };
static void (*const vtab_one[24])(void) = { lt_test_vf1 };
static const char text_table[64] = "this is text, not a table of pointers at all";

int main(void)
{
    struct lt_frame_info f[LT_SYMBOLS_MAX_FRAMES];
    int n;

    /* The test process itself must not reach debuginfod. */
    setenv("DEBUGINFOD_URLS", "http://127.0.0.1:9", 1);

    lt_symbols_begin();

    /* 1. noinline function: name, file, line of the call. */
    uintptr_t ra = (uintptr_t)lt_test_probe();
    n = lt_symbols_resolve(ra, true, f, LT_SYMBOLS_MAX_FRAMES);
    CHECK(n == 1, "n=%d", n);
    CHECK(f[0].fn && strcmp(f[0].fn, "lt_test_probe") == 0, "fn=%s", nz(f[0].fn));
    CHECK(f[0].mangled && strcmp(f[0].mangled, "lt_test_probe") == 0, "mangled=%s", nz(f[0].mangled));
    CHECK(f[0].file && strcmp(f[0].file, "test_symbols.c") == 0, "file=%s", nz(f[0].file));
    CHECK(f[0].line == (unsigned)probe_line, "line=%u want %d", f[0].line, probe_line);
    CHECK(f[0].dir && f[0].dir[0] == '/' && strstr(f[0].dir, "tests/unit"), "dir=%s", nz(f[0].dir));
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    self[sl > 0 ? sl : 0] = 0;
    CHECK(f[0].obj && strcmp(f[0].obj, self) == 0, "obj=%s want %s", nz(f[0].obj), self);
    CHECK(f[0].obj_offset > 0 && f[0].obj_offset < ((uintptr_t)1 << 32), "obj_offset=%#lx",
          (unsigned long)f[0].obj_offset);
    if (failures)
        dump("probe", f, n);

    /* The function's entry address, looked up as-is (frame 0 style). */
    n = lt_symbols_resolve((uintptr_t)&lt_test_probe, false, f, LT_SYMBOLS_MAX_FRAMES);
    CHECK(n >= 1 && f[n - 1].fn && strcmp(f[n - 1].fn, "lt_test_probe") == 0, "fn=%s",
          nz(f[n - 1].fn));

    /* Cached: same strings come back. */
    struct lt_frame_info g[LT_SYMBOLS_MAX_FRAMES];
    lt_symbols_resolve(ra, true, f, LT_SYMBOLS_MAX_FRAMES);
    int n2 = lt_symbols_resolve(ra, true, g, LT_SYMBOLS_MAX_FRAMES);
    CHECK(n2 == 1 && g[0].fn == f[0].fn && g[0].file == f[0].file, "cache gave different results");

    /* 2. libc: the address of write(). */
    n = lt_symbols_resolve((uintptr_t)&write, false, f, LT_SYMBOLS_MAX_FRAMES);
    CHECK(n >= 1, "n=%d", n);
    CHECK(f[n - 1].fn && strcmp(f[n - 1].fn, "write") == 0, "fn=%s (Valgrind prefers the shortest alias)",
          nz(f[n - 1].fn));
    CHECK(f[n - 1].obj && strstr(f[n - 1].obj, "libc.so"), "obj=%s", nz(f[n - 1].obj));
    if (failures)
        dump("write", f, n);

    /* 3. Nothing mapped there. */
    n = lt_symbols_resolve(16, true, f, LT_SYMBOLS_MAX_FRAMES);
    CHECK(n == 1 && !f[0].fn && !f[0].obj && !f[0].file && f[0].line == 0, "unmapped: n=%d fn=%s obj=%s",
          n, nz(f[0].fn), nz(f[0].obj));
    /* Anonymous memory: no object. */
    void *heap = malloc(64);
    n = lt_symbols_resolve((uintptr_t)heap, false, f, LT_SYMBOLS_MAX_FRAMES);
    CHECK(n == 1 && !f[0].fn && !f[0].obj, "heap: fn=%s obj=%s", nz(f[0].fn), nz(f[0].obj));

    /* 4. Demangling, as Valgrind prints names. */
    char buf[512];
    CHECK(lt_symbols_demangle("_Znwm", buf, sizeof buf) && strcmp(buf, "operator new(unsigned long)") == 0,
          "got %s", buf);
    CHECK(lt_symbols_demangle("_ZN2ns3BoxIdE4makeEv", buf, sizeof buf)
              && strcmp(buf, "ns::Box<double>::make()") == 0, "got %s", buf);
    CHECK(lt_symbols_demangle("_Z5mkstrB5cxx11PKc", buf, sizeof buf)
              && strcmp(buf, "mkstr[abi:cxx11](char const*)") == 0, "got %s", buf);
    CHECK(lt_symbols_demangle("main", buf, sizeof buf) == NULL, "main demangled to %s", buf);
    char tiny[8];
    CHECK(lt_symbols_demangle("_Znwm", tiny, sizeof tiny) && strcmp(tiny, "operato") == 0,
          "truncation: %s", tiny);

    /* 5. Inlined call: inner frame first, then the function it is inlined into. */
    ra = (uintptr_t)lt_test_outer();
    n = lt_symbols_resolve(ra, true, f, LT_SYMBOLS_MAX_FRAMES);
    CHECK(n == 2, "n=%d", n);
    if (n >= 2) {
        CHECK(f[0].fn && strcmp(f[0].fn, "lt_test_inlined") == 0, "inner fn=%s", nz(f[0].fn));
        CHECK(f[0].file && strcmp(f[0].file, "test_symbols.c") == 0, "inner file=%s", nz(f[0].file));
        CHECK(f[0].line == (unsigned)inl_line, "inner line=%u want %d", f[0].line, inl_line);
        CHECK(f[1].fn && strcmp(f[1].fn, "lt_test_outer") == 0, "outer fn=%s", nz(f[1].fn));
        CHECK(f[1].file && strcmp(f[1].file, "test_symbols.c") == 0, "outer file=%s", nz(f[1].file));
        CHECK(f[1].line == (unsigned)outer_line, "outer line=%u want %d", f[1].line, outer_line);
        CHECK(f[0].obj == f[1].obj && f[0].obj_offset == f[1].obj_offset, "same ip expected");
    }
    if (failures)
        dump("inline", f, n);
    n = lt_symbols_resolve(ra, true, f, 1);
    CHECK(n == 1 && f[0].fn && strcmp(f[0].fn, "lt_test_inlined") == 0, "max=1: n=%d fn=%s", n, nz(f[0].fn));
    CHECK(lt_symbols_resolve(ra, true, f, 0) == 0, "max=0 must write nothing");

    /* 6. Vtable heuristic, in a fresh session without any resolve first. */
    lt_symbols_end();
    lt_symbols_begin();
    CHECK(lt_symbols_is_vtable((uintptr_t)vtab_ok), "2 code pointers among NULLs in a const table");
    CHECK(lt_symbols_is_vtable((uintptr_t)&vtab_ok[1]), "interior of the table");
    CHECK(!lt_symbols_is_vtable((uintptr_t)vtab_data), "first pointer is data");
    CHECK(!lt_symbols_is_vtable((uintptr_t)vtab_one), "only one code pointer in 21 words");
    CHECK(!lt_symbols_is_vtable((uintptr_t)text_table), "text");
    CHECK(!lt_symbols_is_vtable((uintptr_t)some_data), "writable data of ints");
    CHECK(!lt_symbols_is_vtable((uintptr_t)&vtab_ok[0] + 4), "unaligned");
    CHECK(!lt_symbols_is_vtable(8), "page 0");
    void (**heap_tab)(void) = calloc(4, sizeof *heap_tab);
    heap_tab[0] = lt_test_vf1;
    heap_tab[1] = lt_test_vf2;
    CHECK(!lt_symbols_is_vtable((uintptr_t)heap_tab), "heap is not a file mapping");
    void (*volatile stack_tab[4])(void) = { lt_test_vf1, lt_test_vf2, NULL, NULL };
    CHECK(!lt_symbols_is_vtable((uintptr_t)stack_tab), "stack is not a file mapping");
    free(heap_tab);
    free(heap);

    /* 7. Speed: 1000 distinct addresses across libc's and our own code. */
    struct lt_maps maps;
    CHECK(lt_maps_read(&maps) == 0, "maps");
    uintptr_t text_lo[2] = { 0, 0 }, text_hi[2] = { 0, 0 };
    for (int i = 0; i < maps.n; i++) {
        const struct lt_map *m = &maps.v[i];
        if (!(m->prot & LT_MAP_X))
            continue;
        if (strstr(m->path, "libc.so") && !text_lo[0]) {
            text_lo[0] = m->lo;
            text_hi[0] = m->hi;
        } else if (strcmp(m->path, self) == 0 && !text_lo[1]) {
            text_lo[1] = m->lo;
            text_hi[1] = m->hi;
        }
    }
    CHECK(text_lo[0] && text_lo[1], "libc or self text mapping not found");
    lt_maps_free(&maps);
    if (text_lo[0] && text_lo[1]) {
        struct timespec t0, t1, t2;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int named[2] = { 0, 0 };
        for (int i = 0; i < 1000; i++) {
            int w = i % 4 == 0;  /* a quarter in our binary, the rest in libc */
            uintptr_t span = text_hi[w] - text_lo[w];
            uintptr_t a = text_lo[w] + (uintptr_t)((unsigned long long)span * (unsigned)i / 1000u) + 1;
            n = lt_symbols_resolve(a, true, f, LT_SYMBOLS_MAX_FRAMES);
            named[w] += n >= 1 && f[n - 1].fn != NULL;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        for (int i = 0; i < 1000; i++) {
            int w = i % 4 == 0;
            uintptr_t span = text_hi[w] - text_lo[w];
            uintptr_t a = text_lo[w] + (uintptr_t)((unsigned long long)span * (unsigned)i / 1000u) + 1;
            lt_symbols_resolve(a, true, f, LT_SYMBOLS_MAX_FRAMES);
        }
        clock_gettime(CLOCK_MONOTONIC, &t2);
        double first = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        double again = (double)(t2.tv_sec - t1.tv_sec) + (double)(t2.tv_nsec - t1.tv_nsec) / 1e9;
        fprintf(stderr, "test_symbols: 1000 distinct addresses in %.3f s (named: %d/250 here, %d/750 "
                "in libc), cached %.4f s\n", first, named[1], named[0], again);
        CHECK(first < 1.0, "1000 addresses took %.3f s", first);
        CHECK(again < 0.05, "cached lookups took %.3f s", again);
        /* Our .symtab covers our text; libc's .dynsym alone covers about a
         * third of it (all of it with libc6-dbg installed). */
        CHECK(named[1] > 225, "only %d of 250 addresses in this binary got a name", named[1]);
        CHECK(named[0] > 150, "only %d of 750 addresses in libc got a name", named[0]);
    }

    /* 8. No debuginfod: resolving in libdw (no debug info installed for it,
     * typically) must not dlopen libdebuginfod. */
    CHECK(lt_dwlib_load(), "libdw not loaded: %s", lt_dwlib_error());
    /* A session's map snapshot is taken when it first needs one: when every
     * frame above came from the shared cache (a warm run: no libdw needed),
     * this session's snapshot predates the namespace. A new session sees it. */
    lt_symbols_end();
    lt_symbols_begin();
    /* dwarf_tag is the table's slot (dwlib.h): the function in the private
     * namespace's libdw. */
    n = lt_symbols_resolve((uintptr_t)dwarf_tag, false, f, LT_SYMBOLS_MAX_FRAMES);
    CHECK(n >= 1 && f[n - 1].obj && strstr(f[n - 1].obj, "libdw"), "libdw obj=%s", nz(f[n - 1].obj));
    CHECK(f[n - 1].fn && strcmp(f[n - 1].fn, "dwarf_tag") == 0, "libdw fn=%s", nz(f[n - 1].fn));
    FILE *mf = fopen("/proc/self/maps", "r");
    char line[4096];
    bool debuginfod = false;
    while (mf && fgets(line, sizeof line, mf))
        debuginfod |= strstr(line, "libdebuginfod") != NULL;
    if (mf)
        fclose(mf);
    CHECK(!debuginfod, "libdebuginfod was loaded");

    lt_symbols_end();
    lt_symbols_end();  /* harmless twice */

    if (failures) {
        fprintf(stderr, "test_symbols: %d check(s) failed\n", failures);
        return 1;
    }
    fprintf(stderr, "test_symbols: all checks passed\n");
    return 0;
}
