/* test_suppress.c — suppress.c: reading Valgrind suppression files, matching
 * loss-record stacks, usage lines, --gen-suppressions output.
 *
 * Checks: every way valgrind 3.19 rejects a file, with valgrind's message
 * and "near line N" (the numbers in the table were printed by valgrind
 * 3.19.0 for the same bytes: valgrind -q --suppressions=F ./prog); files it
 * accepts (comments, CRLF, other tools, --num-callers cut); matching on
 * stacks made of real return addresses in this program (noinline chain
 * zz_top -> zz_mid -> zz_leaf -> zz_alloc, and an inlined call): fun:,
 * obj: (with the vgpreload_memcheck alias on frame 0), src: (with
 * Valgrind's address-index quirk), "...", globs, match-leak-kinds,
 * prefix-only matching, newest-first order with move-to-front (the same
 * scenario valgrind 3.19 was run on: used_suppression order
 * s1_leak_a, s1_any_malloc, s2_leak_a_main), (below main), --num-callers;
 * LeakSanitizer "leak:" files; the used_suppression lines; and that a
 * generated suppression read back suppresses its record. */
#include "suppress.h"
#include "depot.h"
#include "options.h"
#include "symbols.h"
#include "writer.h"
#include "unit.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BARRIER() __asm__ volatile("" ::: "memory")

static char dir[256];
static char exe[4096];

/* ---- helpers ------------------------------------------------------------------------ */

static const char *write_file(const char *name, const char *text)
{
    static char paths[64][512];
    static int next;
    char *p = paths[next++ % 64];
    snprintf(p, 512, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return p;
}

/* Loads `text` as a file; returns lt_supp_load_file's result, err in *err. */
static int load_text(const char *name, const char *text, char *err, size_t errlen)
{
    err[0] = 0;
    return lt_supp_load_file(write_file(name, text), err, errlen);
}

/* Captures what fn(w) writes. */
static char *capture(void (*fn)(struct lt_writer *, void *), void *arg)
{
    char path[512];
    snprintf(path, sizeof path, "%s/capture.XXXXXX", dir);
    int fd = mkstemp(path);
    struct lt_writer w;
    lt_writer_open_fd(&w, fd);
    fn(&w, arg);
    lt_writer_close(&w);
    static char buf[16384];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    buf[n > 0 ? n : 0] = 0;
    close(fd);
    unlink(path);
    return buf;
}

/* ---- the program's own stacks ---------------------------------------------------- */

static uintptr_t ra[8];        /* return addresses recorded by the chain */

__attribute__((noinline)) void *zz_alloc(void)
{
    ra[1] = (uintptr_t)__builtin_return_address(0);
    BARRIER();
    return NULL;
}

__attribute__((noinline)) void *zz_leaf(void)
{
    void *p = zz_alloc();
    BARRIER();
    ra[2] = (uintptr_t)__builtin_return_address(0);
    BARRIER();
    return p;
}

__attribute__((noinline)) void *zz_mid(void)
{
    void *p = zz_leaf();
    BARRIER();
    ra[3] = (uintptr_t)__builtin_return_address(0);
    BARRIER();
    return p;
}

__attribute__((noinline)) void *zz_top(void)
{
    void *p = zz_mid();
    BARRIER();
    ra[4] = (uintptr_t)__builtin_return_address(0);
    BARRIER();
    return p;
}

static inline __attribute__((always_inline)) void *zz_inl(void)
{
    void *p = zz_alloc();
    BARRIER();
    return p;
}

__attribute__((noinline)) void *zz_with_inl(void)
{
    void *p = zz_inl();
    BARRIER();
    ra[2] = (uintptr_t)__builtin_return_address(0);
    BARRIER();
    return p;
}

__attribute__((noinline)) void *zz_other(void)
{
    void *p = zz_alloc();
    BARRIER();
    ra[2] = (uintptr_t)__builtin_return_address(0);
    BARRIER();
    return p;
}

/* A local function whose symbol is "posix_memalign": frame 0 of a
 * posix_memalign leak, which valgrind 3.19 shows as memalign called by
 * posix_memalign. (Local: it does not interpose libc's.) */
__attribute__((noinline, used)) static void *zz_pm(void) __asm__("posix_memalign");
__attribute__((noinline, used)) static void *zz_pm(void)
{
    BARRIER();
    return NULL;
}

static uint32_t stack_pm;      /* posix_memalign zz_other <caller> */
static uint32_t stack_plain;   /* zz_alloc zz_leaf zz_mid zz_top <caller> */
static uint32_t stack_inl;     /* zz_alloc zz_inl zz_with_inl <caller> */
static uint32_t stack_other;   /* zz_alloc zz_other <caller> */
static uint32_t stack_main;    /* zz_alloc <main> <below main> */
static uintptr_t main_ra;      /* main's return address (into __libc_start_call_main) */
static const char *caller_name = "make_stacks";

__attribute__((noinline)) static void make_stacks(void)
{
    uintptr_t ips[8];
    /* frame 0 is inside the allocation function itself, as the depot stores it */
    ips[0] = (uintptr_t)&zz_alloc + 1;

    zz_top();
    BARRIER();
    ips[1] = ra[1], ips[2] = ra[2], ips[3] = ra[3], ips[4] = ra[4];
    stack_plain = lt_depot_intern(ips, 5);

    zz_with_inl();
    BARRIER();
    ips[1] = ra[1], ips[2] = ra[2];
    stack_inl = lt_depot_intern(ips, 3);

    zz_other();
    BARRIER();
    ips[1] = ra[1], ips[2] = ra[2];
    stack_other = lt_depot_intern(ips, 3);

    ips[0] = (uintptr_t)&zz_pm + 1;
    stack_pm = lt_depot_intern(ips, 3);

    ips[0] = (uintptr_t)&zz_alloc + 1;
    ips[1] = main_ra;
    stack_main = lt_depot_intern(ips, 2);
}

static const char *fn_at(uintptr_t ip, bool ret, int idx)
{
    struct lt_frame_info fi[LT_SYMBOLS_MAX_FRAMES];
    int n = lt_symbols_resolve(ip, ret, fi, LT_SYMBOLS_MAX_FRAMES);
    return idx < n ? fi[idx].mangled : NULL;
}

/* Fresh state with the given files loaded (NULL-terminated name/text pairs). */
static void fresh(void)
{
    lt_supp_reset();
    lt_supp_check_begin();
}

static int load_ok(const char *name, const char *text)
{
    char err[1024];
    int rc = load_text(name, text, err, sizeof err);
    CHECK(rc >= 0, "%s: %s", name, err);
    return rc;
}

static void write_error_42(struct lt_writer *w, void *arg) { lt_supp_write_error(w, 42, arg); }
static void write_used_77(struct lt_writer *w, void *arg) { (void)arg; lt_supp_write_used(w, 77); }
static void write_used_5(struct lt_writer *w, void *arg) { (void)arg; lt_supp_write_used(w, 5); }
static void write_used_xml(struct lt_writer *w, void *arg) { (void)arg; lt_supp_write_used_xml(w); }

/* ---- grammar -------------------------------------------------------------------- */

struct gcase {
    const char *name;
    const char *text;
    int num_callers;
    int line;              /* 0: accepted */
    const char *msg;
    int entries;           /* when accepted */
};

#define E_BRACE "expected '{' or end-of-file"
#define E_CLOSE "unexpected '}'"
#define E_EOF_TOOL "unexpected end-of-file (expecting tool:suppr)"
#define E_MALFORMED "malformed 'tool1,tool2,...:supp' line"
#define E_CORE "unknown core suppression type"
#define E_KIND "unknown tool suppression type"
#define E_SKIP "unexpected end-of-file (when skipping suppression)"
#define E_EXTRA "bad or missing extra suppression info"
#define E_EOF_STACK "unexpected end-of-file (when reading stack trace)"
#define E_NOSTACK "missing stack trace"
#define E_MANY "too many callers in stack trace"
#define E_LOC "location should be \"...\", or should start with \"fun:\", \"obj:\", or \"src:\""
#define E_DOTS "suppression must contain at least one location line which is not \"...\""

/* Lines and messages as valgrind 3.19.0 printed them for these bytes. */
static const struct gcase gcases[] = {
    { "empty", "", 12, 0, NULL, 0 },
    { "blank", "\n\n   \n# c\n", 12, 0, NULL, 0 },
    { "ok1", "{\n  n1\n  Memcheck:Leak\n  fun:malloc\n}\n", 12, 0, NULL, 1 },
    { "nobrace", "foo\n", 12, 1, E_BRACE, 0 },
    { "missing_close", "{\n  n1\n  Memcheck:Leak\n  fun:malloc\n", 12, 4, E_EOF_STACK, 0 },
    { "missing_close2", "{\n  n1\n  Memcheck:Leak\n  fun:malloc\n{\n  n2\n  Memcheck:Leak\n  fun:malloc\n}\n",
      12, 5, E_LOC, 0 },
    { "unexp_close", "{\n}\n", 12, 2, E_CLOSE, 0 },
    { "eof_after_name", "{\n  n1\n", 12, 2, E_EOF_TOOL, 0 },
    { "notool", "{\n  n1\n  MemcheckLeak\n  fun:malloc\n}\n", 12, 3, E_MALFORMED, 0 },
    { "unk_kind", "{\n  n1\n  Memcheck:Leek\n  fun:malloc\n}\n", 12, 3, E_KIND, 0 },
    { "space_kind", "{\n  n1\n  Memcheck: Leak\n  fun:malloc\n}\n", 12, 3, E_KIND, 0 },
    { "other_tool", "{\n  n1\n  Helgrind:Race\n  junk junk\n}\n", 12, 0, NULL, 0 },
    { "other_tool_eof", "{\n  n1\n  Helgrind:Race\n  junk junk\n", 12, 4, E_SKIP, 0 },
    { "core", "{\n  n1\n  core:Leak\n  fun:malloc\n}\n", 12, 3, E_CORE, 0 },
    { "coreerr", "{\n  n1\n  CoreError:FdBadClose\n  fun:malloc\n}\n", 12, 0, NULL, 0 },
    { "toollist", "{\n  n1\n  Helgrind,Memcheck:Leek\n  fun:malloc\n}\n", 12, 3, E_KIND, 0 },
    { "toollist2", "{\n  n1\n  XMemcheck,Memcheck:Leek\n  fun:malloc\n}\n", 12, 0, NULL, 0 },
    { "toollist3", "{\n  n1\n  Helgrind,Memcheck:Leak\n  fun:malloc\n}\n", 12, 0, NULL, 1 },
    { "badkinds", "{\n  n1\n  Memcheck:Leak\n  match-leak-kinds: definite, possible\n  fun:malloc\n}\n",
      12, 4, E_EXTRA, 0 },
    { "badkinds2", "{\n  n1\n  Memcheck:Leak\n  match-leak-kinds: all,definite\n  fun:malloc\n}\n",
      12, 4, E_EXTRA, 0 },
    { "badkinds3", "{\n  n1\n  Memcheck:Leak\n  match-leak-kinds:\n  fun:malloc\n}\n", 12, 4, E_EXTRA, 0 },
    { "okkinds", "{\n  n1\n  Memcheck:Leak\n  match-leak-kinds:definite,,possible,\n  fun:malloc\n}\n",
      12, 0, NULL, 1 },
    { "okkinds2", "{\n  n1\n  Memcheck:Leak\n  match-leak-kinds: none\n  fun:malloc\n}\n", 12, 0, NULL, 1 },
    { "extraline", "{\n  n1\n  Memcheck:Leak\n  foo: bar\n  fun:malloc\n}\n", 12, 4, E_EXTRA, 0 },
    { "srcfirst", "{\n  n1\n  Memcheck:Leak\n  src:t1.c:3\n  fun:malloc\n}\n", 12, 4, E_EXTRA, 0 },
    { "srcsecond", "{\n  n1\n  Memcheck:Leak\n  fun:malloc\n  src:t1.c:3\n}\n", 12, 0, NULL, 1 },
    { "nostack", "{\n  n1\n  Memcheck:Leak\n}\n", 12, 4, E_EXTRA, 0 },
    { "nostack2", "{\n  n1\n  Memcheck:Leak\n  match-leak-kinds: all\n}\n", 12, 5, E_NOSTACK, 0 },
    { "onlydots", "{\n  n1\n  Memcheck:Leak\n  ...\n  ...\n}\n", 12, 6, E_DOTS, 0 },
    { "badloc", "{\n  n1\n  Memcheck:Leak\n  fun:malloc\n  foo:bar\n}\n", 12, 5, E_LOC, 0 },
    { "eof_in_stack", "{\n  n1\n  Memcheck:Leak\n  match-leak-kinds: all\n  fun:malloc", 12, 4, E_EOF_STACK, 0 },
    { "eof_after_tool", "{\n  n1\n  Memcheck:Leak\n", 12, 3, E_EOF_STACK, 0 },
    { "eof_after_tool2", "{\n  n1\n  Memcheck:Leak", 12, 2, E_EOF_STACK, 0 },
    { "param", "{\n  n1\n  Memcheck:Param\n  fun:malloc\n}\n", 12, 4, E_EXTRA, 0 },
    { "param_ok", "{\n  n1\n  Memcheck:Param\n  write(buf)\n  fun:malloc\n}\n", 12, 0, NULL, 1 },
    { "cond_kinds", "{\n  n1\n  Memcheck:Cond\n  match-leak-kinds: all\n  fun:malloc\n}\n", 12, 4, E_LOC, 0 },
    { "comment_mid",
      "{\n  n1 # x\n  Memcheck:Leak\n# comment\n   # indented comment\n  fun:malloc # not a comment\n}\n",
      12, 0, NULL, 1 },
    { "dots_after", "{\n  n1\n  Memcheck:Leak\n  fun:malloc\n  ...\n}\n", 12, 0, NULL, 1 },
    { "trailing_garbage", "{\n  n1\n  Memcheck:Leak\n  fun:malloc\n}\nxx\n", 12, 6, E_BRACE, 0 },
    { "two_open", "{\n{\n  Memcheck:Leak\n  fun:malloc\n}\n", 12, 0, NULL, 1 },
    { "brace_extra", "{ \n  n1\n  Memcheck:Leak\n  fun:malloc\n} \n", 12, 0, NULL, 1 },
    { "brace_inline", "{ n1\n  Memcheck:Leak\n  fun:malloc\n}\n", 12, 1, E_BRACE, 0 },
    { "crlf", "{\r\n  n1\r\n  Memcheck:Leak\r\n  fun:malloc\r\n}\r\n", 12, 0, NULL, 1 },
    { "fishy", "{\n  n1\n  Memcheck:FishyValue\n  malloc(size)\n  fun:malloc\n}\n", 12, 0, NULL, 1 },
    { "fishybad", "{\n  n1\n  Memcheck:FishyValue\n  malloc\n  fun:malloc\n}\n", 12, 4, E_EXTRA, 0 },
    { "addr32", "{\n  n1\n  Memcheck:Addr32\n  fun:malloc\n}\n", 12, 0, NULL, 1 },
    { "value0", "{\n  n1\n  Memcheck:Value0\n  fun:malloc\n}\n", 12, 0, NULL, 1 },
    { "realloczero", "{\n  n1\n  Memcheck:ReallocZero\n  fun:malloc\n}\n", 12, 3, E_KIND, 0 },
    /* --num-callers cuts the pattern while reading: 12 "..." then a frame */
    { "dots12", "{\n n\n Memcheck:Leak\n ...\n ...\n ...\n ...\n ...\n ...\n ...\n ...\n ...\n ...\n ...\n"
                " ...\n fun:malloc\n}\n", 12, 17, E_DOTS, 0 },
    { "dots12_13", "{\n n\n Memcheck:Leak\n ...\n ...\n ...\n ...\n ...\n ...\n ...\n ...\n ...\n ...\n ...\n"
                   " ...\n fun:malloc\n}\n", 13, 0, NULL, 1 },
    /* 14 frames, no '}': fine at 12 (the tail is skipped to end of file), not at 20 */
    { "unterm", "{\n n\n Memcheck:Leak\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n"
                " fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n", 12, 0, NULL, 1 },
    { "unterm20", "{\n n\n Memcheck:Leak\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n"
                  " fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n", 20, 17, E_EOF_STACK, 0 },
    { "garb", "{\n n\n Memcheck:Leak\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n"
              " fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n fun:x\n garbage\n}\njunk\n", 12, 20, E_BRACE, 0 },
};

static void test_grammar(void)
{
    char err[2048], want[2048];
    for (size_t i = 0; i < sizeof gcases / sizeof gcases[0]; i++) {
        const struct gcase *c = &gcases[i];
        fresh();
        lt_opt.num_callers = c->num_callers;
        char fname[64];
        snprintf(fname, sizeof fname, "%s.supp", c->name);
        int rc = load_text(fname, c->text, err, sizeof err);
        if (!c->line) {
            CHECK(rc == c->entries, "%s: rc %d, expected %d entries (%s)", c->name, rc, c->entries, err);
        } else {
            snprintf(want, sizeof want, "FATAL: in suppressions file \"%s/%s\" near line %d:\n   %s\nexiting now.",
                     dir, fname, c->line, c->msg);
            CHECK(rc == -1, "%s: accepted", c->name);
            CHECK(strcmp(err, want) == 0, "%s: got\n%s\nexpected\n%s", c->name, err, want);
        }
    }
    lt_opt.num_callers = 12;

    /* 501 frames at --num-callers=500: valgrind says line 504 (the 501st frame) */
    {
        size_t cap = 600 * 10;
        char *t = malloc(cap);
        strcpy(t, "{\n n\n Memcheck:Leak\n");
        for (int i = 0; i < 501; i++)
            strcat(t, " fun:x\n");
        strcat(t, "}\n");
        fresh();
        lt_opt.num_callers = 500;
        int rc = load_text("many.supp", t, err, sizeof err);
        snprintf(want, sizeof want, "FATAL: in suppressions file \"%s/many.supp\" near line 504:\n   %s\nexiting now.",
                 dir, E_MANY);
        CHECK(rc == -1 && strcmp(err, want) == 0, "many: %s", err);
        fresh();
        lt_opt.num_callers = 12;
        CHECK(load_text("many.supp", t, err, sizeof err) == 1, "many at 12: %s", err);
        free(t);
    }

    /* files that cannot be read */
    fresh();
    CHECK(lt_supp_load_file("/nonexistent/x.supp", err, sizeof err) == -1, "missing file accepted");
    CHECK_STR(err, "FATAL: can't open suppressions file \"/nonexistent/x.supp\"");
    CHECK(lt_supp_load_file(dir, err, sizeof err) == -1, "directory accepted");
    snprintf(want, sizeof want, "FATAL: suppressions file \"%s\" is a directory", dir);
    CHECK_STR(err, want);

    /* valgrind prints a bad location with an unprefixed line first */
    fresh();
    CHECK(load_text("badloc.supp", "{\n  n1\n  Memcheck:Leak\n  fun:malloc\n  foo:bar\n}\n", err, sizeof err) == -1,
          "badloc accepted");
    char *out = capture(write_error_42, err);
    snprintf(want, sizeof want,
             E_LOC "\n==42== FATAL: in suppressions file \"%s/badloc.supp\" near line 5:\n==42==    " E_LOC
                   "\n==42== exiting now.\n", dir);
    CHECK(strcmp(out, want) == 0, "write_error:\n%s\nexpected\n%s", out, want);
}

/* ---- matching ---------------------------------------------------------------------- */

static int match(int kind, uint32_t stack)
{
    return lt_supp_match(kind, stack);
}

#define ONE(name, body) "{\n   " name "\n   Memcheck:Leak\n" body "}\n"

static void test_matching(void)
{
    lt_opt.num_callers = 12;

    /* fun: from frame 0, prefix only; "..." */
    fresh();
    load_ok("a.supp", ONE("exact", "   fun:zz_alloc\n   fun:zz_leaf\n   fun:zz_mid\n   fun:zz_top\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == 0, "exact frames");
    CHECK(match(LT_DEFINITE, stack_other) == -1, "exact vs other");
    fresh();
    load_ok("a.supp", ONE("prefix", "   fun:zz_alloc\n   fun:zz_leaf\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == 0, "prefix");
    fresh();
    load_ok("a.supp", ONE("not_frame0", "   fun:zz_leaf\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == -1, "pattern must start at frame 0");
    fresh();
    load_ok("a.supp", ONE("dots", "   ...\n   fun:zz_mid\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == 0, "... then zz_mid");
    CHECK(match(LT_DEFINITE, stack_other) == -1, "... zz_mid vs other");
    fresh();
    load_ok("a.supp", ONE("dots0", "   fun:zz_alloc\n   ...\n   fun:zz_leaf\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == 0, "... matches zero frames");
    fresh();
    load_ok("a.supp", ONE("dots_end", "   fun:zz_alloc\n   fun:zz_leaf\n   fun:zz_mid\n   fun:zz_top\n"
                                      "   fun:*\n   ...\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == 0, "trailing ... after the last frame");
    fresh();
    load_ok("a.supp", ONE("too_long", "   fun:zz_alloc\n   fun:zz_leaf\n   fun:zz_mid\n   fun:zz_top\n"
                                      "   fun:*\n   fun:*\n   fun:*\n   fun:*\n   fun:*\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == -1, "pattern longer than the stack");

    /* globs */
    fresh();
    load_ok("a.supp", ONE("glob", "   fun:zz_?lloc\n   fun:*leaf\n   fun:zz_m*d\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == 0, "globs");
    fresh();
    load_ok("a.supp", ONE("glob_whole", "   fun:zz_all\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == -1, "a name matches whole, not as prefix");
    fresh();
    load_ok("a.supp", ONE("q", "   fun:zz_alloc?\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == -1, "? needs one character");

    /* kinds */
    fresh();
    load_ok("a.supp", ONE("poss", "   match-leak-kinds: possible,reachable\n   fun:zz_alloc\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == -1, "definite not in possible,reachable");
    CHECK(match(LT_INDIRECT, stack_plain) == -1, "indirect not in possible,reachable");
    CHECK(match(LT_POSSIBLE, stack_plain) == 0, "possible");
    CHECK(match(LT_REACHABLE, stack_plain) == 0, "reachable");
    fresh();
    load_ok("a.supp", ONE("none", "   match-leak-kinds: none\n   fun:zz_alloc\n"));
    for (int k = 0; k < LT_NKINDS; k++)
        CHECK(match(k, stack_plain) == -1, "none matches nothing (kind %d)", k);
    fresh();
    load_ok("a.supp", ONE("all", "   match-leak-kinds: all\n   fun:zz_alloc\n"));
    for (int k = 0; k < LT_NKINDS; k++)
        CHECK(match(k, stack_plain) == 0, "all matches kind %d", k);

    /* other Memcheck kinds and other tools never match leaks */
    fresh();
    load_ok("a.supp", "{\n c\n Memcheck:Cond\n fun:zz_alloc\n}\n{\n h\n Helgrind:Race\n fun:zz_alloc\n}\n"
                      "{\n a\n Memcheck:Addr4\n fun:*\n}\n");
    CHECK(lt_supp_count() == 2, "Cond and Addr4 kept, Helgrind skipped: %d", lt_supp_count());
    CHECK(match(LT_DEFINITE, stack_plain) == -1, "non-leak entries never match");

    /* obj: */
    fresh();
    char text[8192];
    snprintf(text, sizeof text, ONE("obj", "   fun:zz_alloc\n   obj:%s\n"), exe);
    load_ok("a.supp", text);
    CHECK(match(LT_DEFINITE, stack_plain) == 0, "obj: exact path");
    fresh();
    snprintf(text, sizeof text, ONE("objglob", "   obj:*/%s\n   obj:*test_supp*\n"), strrchr(exe, '/') + 1);
    load_ok("a.supp", text);
    CHECK(match(LT_DEFINITE, stack_plain) == 0, "obj: globs");
    fresh();
    load_ok("a.supp", ONE("objother", "   fun:zz_alloc\n   obj:/opt/*\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == -1, "obj: other path");

    /* frame 0 is the tool: Valgrind's preload path matches it, not other frames */
    fresh();
    load_ok("a.supp", ONE("vg0", "   obj:*vgpreload_memcheck*\n   fun:zz_leaf\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == 0, "obj:*vgpreload_memcheck* on frame 0");
    fresh();
    load_ok("a.supp", ONE("vg0b", "   obj:/usr/lib/x86_64-linux-gnu/valgrind/vgpreload_memcheck-amd64-linux.so\n"
                                  "   fun:zz_leaf\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == 0, "Debian's old preload path on frame 0");
    fresh();
    load_ok("a.supp", ONE("vg0c", "   obj:/opt/vg/lib/valgrind/vgpreload_memcheck-amd64-linux.so\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == 0, "any literal .../vgpreload_memcheck-amd64-linux.so");
    fresh();
    load_ok("a.supp", ONE("vg1", "   fun:zz_alloc\n   obj:*vgpreload_memcheck*\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == -1, "the preload alias is for frame 0 only");
    fresh();
    load_ok("a.supp", ONE("vgx", "   obj:*vgpreload_helgrind*\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == -1, "another preload does not match");

    /* src: the K-th line is compared with the K-th address (Valgrind 3.19:
     * supp_pattEQinp uses ips[ixInput]); frame 0 has no source */
    struct lt_frame_info fi[LT_SYMBOLS_MAX_FRAMES];
    const struct lt_stack *st = lt_depot_get(stack_plain);
    int n = lt_symbols_resolve(st->ips[1], true, fi, LT_SYMBOLS_MAX_FRAMES);
    CHECK(n >= 1 && fi[0].file && fi[0].line, "no line info for zz_leaf");
    if (n >= 1 && fi[0].file && fi[0].line) {
        fresh();
        snprintf(text, sizeof text, ONE("src", "   fun:zz_alloc\n   src:%s:%u\n"), fi[0].file, fi[0].line);
        load_ok("a.supp", text);
        CHECK(match(LT_DEFINITE, stack_plain) == 0, "src:FILE:LINE");
        fresh();
        snprintf(text, sizeof text, ONE("src2", "   fun:zz_alloc\n   src:%s:%u\n"), fi[0].file, fi[0].line + 1);
        load_ok("a.supp", text);
        CHECK(match(LT_DEFINITE, stack_plain) == -1, "src: wrong line");
        fresh();
        load_ok("a.supp", ONE("src3", "   fun:zz_alloc\n   src:test_supp*.c\n   src:*.c:0\n"));
        CHECK(match(LT_DEFINITE, stack_plain) == 0, "src: glob, :0 = any line");
        fresh();
        load_ok("a.supp", ONE("src0", "   match-leak-kinds: all\n   src:*\n"));
        CHECK(match(LT_DEFINITE, stack_plain) == -1, "frame 0 (the tool) has no source file");
        /* (src: right after Memcheck:Leak is an error: valgrind's quirk, see gcases "srcfirst") */
    }
    /* the inlined stack: [zz_alloc, zz_inl, zz_with_inl, caller] from 3 addresses */
    const char *inl0 = fn_at(lt_depot_get(stack_inl)->ips[1], true, 0);
    CHECK(inl0 && strcmp(inl0, "zz_inl") == 0, "inlined frame not found: %s", inl0 ? inl0 : "(null)");
    if (inl0 && strcmp(inl0, "zz_inl") == 0) {
        fresh();
        load_ok("a.supp", ONE("inl", "   fun:zz_alloc\n   fun:zz_inl\n   fun:zz_with_inl\n"));
        CHECK(match(LT_DEFINITE, stack_inl) == 0, "inlined call is a frame");
        fresh();
        load_ok("a.supp", ONE("inl2", "   fun:zz_alloc\n   fun:zz_with_inl\n"));
        CHECK(match(LT_DEFINITE, stack_inl) == -1, "inlined call cannot be skipped");
        /* position 2 is zz_with_inl, but src: there looks at address 2 (the caller) */
        const struct lt_stack *si = lt_depot_get(stack_inl);
        n = lt_symbols_resolve(si->ips[2], true, fi, LT_SYMBOLS_MAX_FRAMES);
        if (n >= 1 && fi[0].file) {
            fresh();
            snprintf(text, sizeof text, ONE("quirk", "   fun:zz_alloc\n   fun:zz_inl\n   src:%s:%u\n"),
                     fi[0].file, fi[0].line);
            load_ok("a.supp", text);
            CHECK(match(LT_DEFINITE, stack_inl) == 0, "src: at position 2 = address 2's line");
        }
        /* position 3 is the caller, but there is no address 3 */
        fresh();
        load_ok("a.supp", ONE("quirk3", "   fun:zz_alloc\n   fun:zz_inl\n   fun:zz_with_inl\n   src:*\n"));
        CHECK(match(LT_DEFINITE, stack_inl) == -1, "src: past the last address never matches");
    }

    /* (below main) */
    const char *below = fn_at(main_ra, true, 0);
    if (below && (strcmp(below, "__libc_start_call_main") == 0 || strcmp(below, "__libc_start_main") == 0)) {
        fresh();
        load_ok("a.supp", ONE("below", "   fun:zz_alloc\n   fun:(below main)\n"));
        CHECK(match(LT_DEFINITE, stack_main) == 0, "(below main)");
        fresh();
        snprintf(text, sizeof text, ONE("raw", "   fun:zz_alloc\n   fun:%s\n"), below);
        load_ok("a.supp", text);
        CHECK(match(LT_DEFINITE, stack_main) == -1, "raw below-main name does not match");
        lt_opt.show_below_main = 1;
        lt_supp_check_begin();
        CHECK(match(LT_DEFINITE, stack_main) == 0, "raw name with --show-below-main");
        lt_opt.show_below_main = 0;
    } else {
        printf("note: main's caller resolves to %s; (below main) not checked\n", below ? below : "???");
    }

    /* valgrind 3.19's frame 0 for posix_memalign: memalign, posix_memalign */
    const char *pm = fn_at((uintptr_t)&zz_pm + 1, false, 0);
    CHECK(pm && strcmp(pm, "posix_memalign") == 0, "zz_pm is %s", pm ? pm : "(null)");
    fresh();
    load_ok("a.supp", ONE("pm319", "   fun:memalign\n   fun:posix_memalign\n   fun:zz_other\n"));
    CHECK(match(LT_DEFINITE, stack_pm) == 0, "3.19 view of posix_memalign");
    fresh();
    load_ok("a.supp", ONE("pm", "   fun:posix_memalign\n   fun:zz_other\n"));
    CHECK(match(LT_DEFINITE, stack_pm) == 0, "real name of posix_memalign");
    fresh();
    load_ok("a.supp", ONE("pmno", "   fun:memalign\n   fun:zz_other\n"));
    CHECK(match(LT_DEFINITE, stack_pm) == -1, "posix_memalign is not plain memalign");
    fresh();
    load_ok("a.supp", ONE("pmobj", "   obj:*vgpreload_memcheck*\n   obj:*vgpreload_memcheck*\n   fun:zz_other\n"));
    CHECK(match(LT_DEFINITE, stack_pm) == 0, "3.19 view with preload obj: lines");
    fresh();
    load_ok("a.supp", ONE("pmsrc", "   fun:memalign\n   fun:posix_memalign\n   fun:zz_other\n   src:test_suppress.c\n"));
    CHECK(match(LT_DEFINITE, stack_pm) == 0, "3.19 view: src: indexes shift with the extra frame");

    /* --num-callers: frames past it do not exist */
    fresh();
    load_ok("a.supp", ONE("deep", "   fun:zz_alloc\n   fun:zz_leaf\n   fun:zz_mid\n   fun:zz_top\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == 0, "4 frames at 12");
    lt_opt.num_callers = 3;
    lt_supp_check_begin();
    CHECK(match(LT_DEFINITE, stack_plain) == -1, "4 frames at --num-callers=3");
    lt_opt.num_callers = 12;
}

/* The two-file scenario run under valgrind 3.19 (t1.c: records 1,2 = malloc
 * leak_a main definite; 3 = calloc leak_b; 4 = malloc inl leak_c definite;
 * 5 = malloc leak_a main reachable) gave:
 *   used_suppression:      1 s1_leak_a s1.supp:2 suppressed: 40 bytes in 1 blocks
 *   used_suppression:      1 s1_any_malloc s1.supp:8 suppressed: 30 bytes in 1 blocks
 *   used_suppression:      2 s2_leak_a_main s2.supp:2 suppressed: 21 bytes in 2 blocks
 * Here zz_leaf plays leak_a, zz_top main, zz_other leak_b, zz_inl leak_c. */
static void test_order(void)
{
    fresh();
    const char *s1 = write_file("s1.supp",
                                "{\n   s1_leak_a\n   Memcheck:Leak\n   fun:zz_alloc\n   fun:zz_leaf\n}\n"
                                "{\n   s1_any_malloc\n   Memcheck:Leak\n   match-leak-kinds: definite\n"
                                "   fun:zz_alloc\n   fun:zz_inl\n}\n");
    const char *s2 = write_file("s2.supp",
                                "{\n   s2_leak_a_main\n   Memcheck:Leak\n   match-leak-kinds: definite\n"
                                "   fun:zz_alloc\n   fun:zz_leaf\n   fun:zz_mid\n}\n");
    lt_opt.nsupp = 2;
    snprintf(lt_opt.supp_files[0], sizeof lt_opt.supp_files[0], "%s", s1);
    snprintf(lt_opt.supp_files[1], sizeof lt_opt.supp_files[1], "%s", s2);
    lt_opt.default_suppressions = 1;
    char err[1024];
    /* the default file is loaded last: its entry is tried first */
    write_file("default.supp", "{\n   dflt\n   Memcheck:Leak\n   match-leak-kinds: indirect\n   fun:zz_alloc\n}\n");
    CHECK(lt_supp_load_all(dir, err, sizeof err) == 0, "load_all: %s", err);
    CHECK(lt_supp_nfiles() == 3, "3 files, got %d", lt_supp_nfiles());
    CHECK(lt_supp_file(2) && strstr(lt_supp_file(2), "/default.supp"), "default.supp last");
    lt_opt.nsupp = 0;

    struct { int kind; uint32_t stack; uint64_t bytes; const char *want; } recs[] = {
        { LT_DEFINITE, stack_plain, 10, "s2_leak_a_main" },
        { LT_DEFINITE, stack_plain, 11, "s2_leak_a_main" },
        { LT_DEFINITE, stack_other, 20, NULL },
        { LT_DEFINITE, stack_inl, 30, "s1_any_malloc" },
        { LT_REACHABLE, stack_plain, 40, "s1_leak_a" },
        { LT_INDIRECT, stack_other, 50, "dflt" },
    };
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
        int idx = match(recs[i].kind, recs[i].stack);
        const char *got = idx >= 0 ? lt_supp_name(idx) : NULL;
        CHECK(recs[i].want ? got && strcmp(got, recs[i].want) == 0 : !got, "record %zu: %s, expected %s", i + 1,
              got ? got : "none", recs[i].want ? recs[i].want : "none");
        if (idx >= 0)
            lt_supp_note(idx, recs[i].bytes, 1);
    }
    char *out = capture(write_used_77, NULL);
    char want[4096];
    snprintf(want, sizeof want,
             "--77-- \n"
             "--77-- used_suppression:      1 dflt %s/default.supp:2 suppressed: 50 bytes in 1 blocks\n"
             "--77-- used_suppression:      1 s1_leak_a %s:2 suppressed: 40 bytes in 1 blocks\n"
             "--77-- used_suppression:      1 s1_any_malloc %s:8 suppressed: 30 bytes in 1 blocks\n"
             "--77-- used_suppression:      2 s2_leak_a_main %s:2 suppressed: 21 bytes in 2 blocks\n",
             dir, s1, s1, s2);
    CHECK(strcmp(out, want) == 0, "used:\n%s\nexpected\n%s", out, want);

    /* a second check: counts accumulate, bytes are the new check's; entries
     * not used in it lose the "suppressed:" part; thousands separators.
     * The list is now dflt, s1_leak_a, s1_any_malloc, s2_leak_a_main, so
     * s1_leak_a (any kind) takes a definite zz_leaf record first. */
    lt_supp_check_begin();
    int idx = match(LT_DEFINITE, stack_plain);
    CHECK(idx >= 0 && strcmp(lt_supp_name(idx), "s1_leak_a") == 0, "second check");
    lt_supp_note(idx, 1234567, 1000);
    out = capture(write_used_77, NULL);
    snprintf(want, sizeof want,
             "--77-- \n"
             "--77-- used_suppression:      2 s1_leak_a %s:2 suppressed: 1,234,567 bytes in 1,000 blocks\n"
             "--77-- used_suppression:      1 dflt %s/default.supp:2\n"
             "--77-- used_suppression:      1 s1_any_malloc %s:8\n"
             "--77-- used_suppression:      2 s2_leak_a_main %s:2\n",
             s1, dir, s1, s2);
    CHECK(strcmp(out, want) == 0, "used (2nd check):\n%s\nexpected\n%s", out, want);

    out = capture(write_used_xml, NULL);
    CHECK(strncmp(out, "<suppcounts>\n  <pair>\n    <count>2</count>\n    <name>s1_leak_a</name>\n  </pair>\n",
                  80) == 0, "xml:\n%s", out);
    CHECK(strstr(out, "</suppcounts>\n\n") != NULL, "xml end:\n%s", out);

    /* nothing used: nothing written */
    fresh();
    load_ok("a.supp", ONE("unused", "   fun:nothing\n"));
    CHECK(match(LT_DEFINITE, stack_plain) == -1, "unused");
    out = capture(write_used_77, NULL);
    CHECK(out[0] == 0, "nothing used, wrote: %s", out);

    /* where default.supp is found */
    char buf[1024], libp[600], sup[600];
    snprintf(libp, sizeof libp, "%s/build/libleaktrace.so", dir);
    snprintf(sup, sizeof sup, "%s/suppressions", dir);
    mkdir(sup, 0755);
    write_file("suppressions/default.supp", "");
    const char *dd = lt_supp_default_dir(libp, buf, sizeof buf);
    snprintf(want, sizeof want, "%s/suppressions", dir);
    CHECK(dd && strcmp(dd, want) == 0, "default dir %s", dd ? dd : "(null)");
    snprintf(sup, sizeof sup, "%s/share/leaktrace", dir);
    snprintf(libp, sizeof libp, "%s/share", dir);
    mkdir(libp, 0755);
    mkdir(sup, 0755);
    write_file("share/leaktrace/default.supp", "");
    snprintf(libp, sizeof libp, "%s/lib/libleaktrace.so", dir);
    dd = lt_supp_default_dir(libp, buf, sizeof buf);
    snprintf(want, sizeof want, "%s/share/leaktrace", dir);
    CHECK(dd && strcmp(dd, want) == 0, "installed default dir %s", dd ? dd : "(null)");

    /* --default-suppressions=no */
    fresh();
    lt_opt.default_suppressions = 0;
    CHECK(lt_supp_load_all(dir, err, sizeof err) == 0 && lt_supp_nfiles() == 0, "default skipped");
    lt_opt.default_suppressions = 1;
}

/* ---- LeakSanitizer ----------------------------------------------------------------- */

static void test_lsan(void)
{
    char err[1024];
    struct { const char *pat; bool hit; } cases[] = {
        { "zz_mid", true },            /* substring of a function */
        { "z_mi", true },
        { "^zz_m", true },
        { "^z_mid", false },
        { "zz_mid$", true },
        { "zz_mi$", false },
        { "zz_*_top", false },         /* no such function: "zz_" then "_top" */
        { "zz*top", true },
        { "test_suppress.c", true },   /* source file */
        { "test_suppress", true },     /* module (the program) */
        { "nowhere", false },
        { "zz_alloc", true },          /* frame 0 counts too */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fresh();
        char text[256];
        snprintf(text, sizeof text, "# LSan file\n\nleak:%s\n", cases[i].pat);
        CHECK(load_text("lsan.supp", text, err, sizeof err) == 1, "lsan load: %s", err);
        int idx = match(LT_DEFINITE, stack_plain);
        CHECK((idx >= 0) == cases[i].hit, "leak:%s -> %d", cases[i].pat, idx);
        CHECK(match(LT_REACHABLE, stack_plain) == idx, "LSan entries match every kind");
    }
    /* the first frame that matches decides; then the file order */
    fresh();
    CHECK(load_text("lsan.supp", "  leak:zz_top  \nleak:zz_leaf\r\n\tleak:zz_leaf\n", err, sizeof err) == 3,
          "%s", err);
    int idx = match(LT_DEFINITE, stack_plain);
    CHECK(idx >= 0 && strcmp(lt_supp_name(idx), "leak:zz_leaf") == 0, "innermost frame first: %s",
          idx >= 0 ? lt_supp_name(idx) : "none");
    CHECK(idx == 1, "file order within a frame: %d", idx);
    lt_supp_note(idx, 8, 1);
    char *out = capture(write_used_5, NULL);
    char want[1024];
    snprintf(want, sizeof want, "--5-- \n--5-- used_suppression:      1 leak:zz_leaf %s/lsan.supp:2 suppressed: 8 bytes in 1 blocks\n", dir);
    CHECK(strcmp(out, want) == 0, "lsan used:\n%s", out);
    /* Valgrind entries are tried first */
    load_ok("v.supp", ONE("vg", "   fun:zz_alloc\n"));
    idx = match(LT_DEFINITE, stack_plain);
    CHECK(idx >= 0 && strcmp(lt_supp_name(idx), "vg") == 0, "valgrind entry first");
    /* bad LSan line */
    fresh();
    CHECK(load_text("lsan2.supp", "leak:a\ninterceptor_via_fun:b\n", err, sizeof err) == -1, "bad lsan accepted");
    CHECK(strstr(err, "near line 2:") != NULL, "lsan error line: %s", err);
    /* a file not starting with leak: is Valgrind's, with Valgrind's error */
    fresh();
    CHECK(load_text("lsan3.supp", "interceptor_via_fun:b\n", err, sizeof err) == -1, "accepted");
    CHECK(strstr(err, "near line 1:\n   " E_BRACE) != NULL, "%s", err);
}

/* ---- generation ------------------------------------------------------------------ */

struct gen_arg { int kind; uint32_t stack; bool xml; };
static void gen_wr(struct lt_writer *w, void *arg)
{
    struct gen_arg *g = arg;
    if (g->xml)
        lt_supp_write_generated_xml(w, g->kind, g->stack);
    else
        lt_supp_write_generated(w, g->kind, g->stack);
}

static void test_generate(void)
{
    lt_opt.num_callers = 12;
    fresh();
    struct gen_arg g = { LT_POSSIBLE, stack_plain, false };
    char *out = capture(gen_wr, &g);
    char want[4096];
    snprintf(want, sizeof want,
             "{\n   <insert_a_suppression_name_here>\n   Memcheck:Leak\n   match-leak-kinds: possible\n"
             "   fun:zz_alloc\n   fun:zz_leaf\n   fun:zz_mid\n   fun:zz_top\n   fun:%s\n}\n", caller_name);
    CHECK(strcmp(out, want) == 0, "generated:\n%s\nexpected\n%s", out, want);

    /* read back, it suppresses that record, of that kind only */
    char text[4096];
    snprintf(text, sizeof text, "%s", out);
    load_ok("gen.supp", text);
    CHECK(match(LT_POSSIBLE, stack_plain) == 0, "generated suppression matches");
    CHECK(match(LT_DEFINITE, stack_plain) == -1, "generated suppression is for its kind");
    CHECK(match(LT_POSSIBLE, stack_other) == -1, "generated suppression is for its stack");

    /* inlined calls each get a fun: line */
    fresh();
    struct gen_arg gi = { LT_DEFINITE, stack_inl, false };
    out = capture(gen_wr, &gi);
    CHECK(strstr(out, "   fun:zz_alloc\n   fun:zz_inl\n   fun:zz_with_inl\n") != NULL, "inlined gen:\n%s", out);
    snprintf(text, sizeof text, "%s", out);
    load_ok("gen2.supp", text);
    CHECK(match(LT_DEFINITE, stack_inl) == 0, "generated (inlined) matches");

    /* cut after main: stack_main is zz_alloc, main's caller (below main) */
    const char *below = fn_at(main_ra, true, 0);
    if (below && strcmp(below, "__libc_start_call_main") == 0) {
        fresh();
        struct gen_arg gm = { LT_DEFINITE, stack_main, false };
        out = capture(gen_wr, &gm);
        CHECK(strstr(out, "   fun:zz_alloc\n   fun:(below main)\n}\n") != NULL, "below main gen:\n%s", out);
    }

    /* unknown addresses: obj:PATH when there is an object, obj:??? when none
     * (never obj:*, which would match every frame) */
    fresh();
    uintptr_t ips[3] = { (uintptr_t)&zz_alloc + 1, 0x10, 0 };
    uint32_t s = lt_depot_intern(ips, 2);
    struct gen_arg gu = { LT_DEFINITE, s, false };
    out = capture(gen_wr, &gu);
    CHECK(strstr(out, "   fun:zz_alloc\n   obj:???\n}\n") != NULL, "unknown frame gen:\n%s", out);
    snprintf(text, sizeof text, "%s", out);
    load_ok("gen3.supp", text);
    CHECK(match(LT_DEFINITE, s) == 0, "obj:??? round trip");
    uintptr_t ips_named[3] = { (uintptr_t)&zz_alloc + 1, (uintptr_t)&zz_alloc + 1, 0 };
    uint32_t s_named = lt_depot_intern(ips_named, 2);
    CHECK(match(LT_DEFINITE, s_named) != 0, "obj:??? does not match a frame in an object");
    fresh();
    load_ok("a.supp", ONE("unk", "   fun:zz_alloc\n   fun:???\n"));
    CHECK(match(LT_DEFINITE, s) == 0, "an unknown function is ???");

    /* XML */
    fresh();
    struct gen_arg gx = { LT_REACHABLE, stack_other, true };
    out = capture(gen_wr, &gx);
    snprintf(want, sizeof want,
             "  <suppression>\n    <sname>insert_a_suppression_name_here</sname>\n"
             "    <skind>Memcheck:Leak</skind>\n    <skaux>match-leak-kinds: reachable</skaux>\n"
             "    <sframe> <fun>zz_alloc</fun> </sframe>\n    <sframe> <fun>zz_other</fun> </sframe>\n"
             "    <sframe> <fun>%s</fun> </sframe>\n    <rawtext>\n<![CDATA[\n{\n"
             "   <insert_a_suppression_name_here>\n   Memcheck:Leak\n   match-leak-kinds: reachable\n"
             "   fun:zz_alloc\n   fun:zz_other\n   fun:%s\n}\n]]>\n    </rawtext>\n  </suppression>\n",
             caller_name, caller_name);
    CHECK(strcmp(out, want) == 0, "xml gen:\n%s\nexpected\n%s", out, want);
}

int main(void)
{
    main_ra = (uintptr_t)__builtin_return_address(0);
    lt_options_defaults(&lt_opt);
    snprintf(dir, sizeof dir, "/tmp/lt_supp_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    lt_symbols_begin();
    /* this program plays libleaktrace.so: frame 0 is the "allocation function" */
    lt_supp_set_tool_object(exe);
    make_stacks();

    RUN(test_grammar);
    RUN(test_matching);
    RUN(test_order);
    RUN(test_lsan);
    RUN(test_generate);

    lt_supp_check_end();
    lt_symbols_end();
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return UNIT_DONE();
}
