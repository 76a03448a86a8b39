/* test_options.c — the option parser (src/options.c).
 *
 * Checks the defaults, every option and its value forms, the optional
 * leading dashes, kind and heuristic sets, numeric ranges, unknown and
 * Valgrind-only options, whole LEAKTRACE_OPTIONS strings (including an
 * error in the middle and the notice callback), file-name limits, and that
 * the parser never allocates. Prints every failed check; exit 0 = all good. */
#include "options.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        checks++;                                                                   \
        if (!(cond)) {                                                              \
            failures++;                                                             \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                  \
        }                                                                           \
    } while (0)

#define CHECK_INT(got, want)                                                        \
    do {                                                                            \
        long g_ = (long)(got), w_ = (long)(want);                                   \
        checks++;                                                                   \
        if (g_ != w_) {                                                             \
            failures++;                                                             \
            printf("FAIL %s:%d: %s == %ld, expected %ld\n", __FILE__, __LINE__, #got, \
                   g_, w_);                                                         \
        }                                                                           \
    } while (0)

#define CHECK_STR(got, want)                                                        \
    do {                                                                            \
        const char *g_ = (got), *w_ = (want);                                       \
        checks++;                                                                   \
        if (strcmp(g_, w_) != 0) {                                                  \
            failures++;                                                             \
            printf("FAIL %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
                   #got, g_, w_);                                                   \
        }                                                                           \
    } while (0)

#define CHECK_HAS(hay, needle)                                                      \
    do {                                                                            \
        const char *h_ = (hay), *n_ = (needle);                                     \
        checks++;                                                                   \
        if (!strstr(h_, n_)) {                                                      \
            failures++;                                                             \
            printf("FAIL %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
                   h_, n_);                                                         \
        }                                                                           \
    } while (0)

/* ---- allocation counter: the parser runs in the library's constructor and
 * must not allocate. Interpose malloc & co. in this test binary. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static volatile int counting;
static volatile long nallocs;

void *malloc(size_t n)
{
    if (counting)
        nallocs++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    if (counting)
        nallocs++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    if (counting)
        nallocs++;
    return __libc_realloc(p, n);
}
void free(void *p)
{
    __libc_free(p);
}

#define DEF_KINDS (LT_KIND_BIT(LT_DEFINITE) | LT_KIND_BIT(LT_POSSIBLE))
#define K(k) LT_KIND_BIT(LT_##k)
#define H(h) LT_HEUR_BIT(LT_HEUR_##h)

static struct lt_options o, ref;
static char err[1024];

/* Parses `word` into a fresh default struct o; returns parse_one's result. */
static int one(const char *word)
{
    lt_options_defaults(&o);
    strcpy(err, "(untouched)");
    return lt_options_parse_one(&o, word, err, sizeof err);
}

/* Expects `word` to be rejected, with a message containing `needle`, and
 * the struct to stay at its defaults. */
static void reject(const char *word, const char *needle, int line)
{
    int r = one(word);
    checks++;
    if (r != -1) {
        failures++;
        printf("FAIL line %d: '%s' returned %d, expected -1 (err \"%s\")\n", line, word, r, err);
        return;
    }
    if (needle && !strstr(err, needle)) {
        failures++;
        printf("FAIL line %d: '%s': message \"%s\" does not contain \"%s\"\n", line, word, err,
               needle);
    }
    lt_options_defaults(&ref);
    if (memcmp(&o, &ref, sizeof o) != 0) {
        failures++;
        printf("FAIL line %d: '%s' was rejected but changed the options\n", line, word);
    }
}
#define REJECT(word, needle) reject(word, needle, __LINE__)

/* Expects `word` to be accepted (0). */
#define ACCEPT(word)                                                                \
    do {                                                                            \
        int r_ = one(word);                                                         \
        checks++;                                                                   \
        if (r_ != 0) {                                                              \
            failures++;                                                             \
            printf("FAIL %s:%d: '%s' returned %d (err \"%s\")\n", __FILE__, __LINE__, \
                   (word), r_, err);                                                \
        }                                                                           \
    } while (0)

static void test_defaults(void)
{
    memset(&o, 0x5a, sizeof o);   /* garbage first: defaults must set every field */
    lt_options_defaults(&o);
    CHECK_INT(o.leak_check, LT_CHECK_FULL);
    CHECK_INT(o.show_kinds, DEF_KINDS);
    CHECK_INT(o.error_kinds, DEF_KINDS);
    CHECK_INT(o.error_exitcode, 0);
    CHECK_INT(o.num_callers, 12);
    CHECK_INT(o.freelist_vol, -1);
    CHECK_INT(o.leak_resolution, LT_RES_HIGH);
    CHECK_INT(o.heuristics, LT_HEUR_ALL);
    CHECK_INT(o.heuristics, H(STDSTRING) | H(LENGTH64) | H(NEWARRAY) | H(MULTIPLEINHERITANCE));
    CHECK_INT(o.quiet, 0);
    CHECK_INT(o.verbose, 0);
    CHECK_STR(o.log_file, "");
    CHECK_INT(o.log_fd, -1);
    CHECK_INT(o.nsupp, 0);
    CHECK_INT(o.default_suppressions, 1);
    CHECK_INT(o.gen_suppressions, 0);
    CHECK_INT(o.trace_children, 1);
    CHECK_INT(o.child_silent_after_fork, 0);
    CHECK_INT(o.xml, 0);
    CHECK_STR(o.xml_file, "");
    CHECK_STR(o.json_file, "");
    CHECK_STR(o.sarif_file, "");
    CHECK_STR(o.folded_file, "");
    CHECK_INT(o.show_below_main, 0);
    CHECK_INT(o.stop_signal, 0);
    /* The global exists and is a struct lt_options. */
    CHECK(sizeof lt_opt == sizeof(struct lt_options));
}

static void test_dashes(void)
{
    ACCEPT("--num-callers=30");
    CHECK_INT(o.num_callers, 30);
    ACCEPT("-num-callers=31");
    CHECK_INT(o.num_callers, 31);
    ACCEPT("num-callers=32");
    CHECK_INT(o.num_callers, 32);
    REJECT("---num-callers=33", "'---num-callers=33'");
    REJECT("--", "unknown option");
    REJECT("-", "unknown option");
    REJECT("--=3", "unknown option");

    ACCEPT("-q");
    CHECK_INT(o.quiet, 1);
    ACCEPT("q");
    CHECK_INT(o.quiet, 1);
    ACCEPT("--quiet");
    CHECK_INT(o.quiet, 1);
    ACCEPT("quiet");
    CHECK_INT(o.quiet, 1);
    REJECT("--q", "'--q'");          /* one-letter options take one dash at most */
    REJECT("-qq", "'-qq'");
    REJECT("-x", "'-x'");
    REJECT("-q=1", "takes no value");
    REJECT("--quiet=yes", "takes no value");
    REJECT("--verbose=2", "takes no value");

    ACCEPT("-v");
    CHECK_INT(o.verbose, 1);
    ACCEPT("--verbose");
    CHECK_INT(o.verbose, 1);
    ACCEPT("v");
    CHECK_INT(o.verbose, 1);
    ACCEPT("-s");
    CHECK_INT(o.verbose, 1);
    CHECK_INT(o.quiet, 0);
    ACCEPT("--show-error-list=yes");
    CHECK_INT(o.verbose, 1);
    ACCEPT("--show-error-list=no");
    CHECK_INT(o.verbose, 0);
    REJECT("--show-error-list=1", "bad value '1' for --show-error-list");
}

static void test_verbosity(void)
{
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_one(&o, "-v", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "-v", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "--verbose", err, sizeof err), 0);
    CHECK_INT(o.verbose, 3);
    CHECK_INT(o.quiet, 0);
    CHECK_INT(lt_options_parse_one(&o, "-q", err, sizeof err), 0);   /* one counter, as Valgrind */
    CHECK_INT(o.verbose, 2);
    CHECK_INT(o.quiet, 0);

    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_one(&o, "-q", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "-q", err, sizeof err), 0);
    CHECK_INT(o.quiet, 2);
    CHECK_INT(lt_options_parse_one(&o, "-v", err, sizeof err), 0);
    CHECK_INT(o.quiet, 1);
    CHECK_INT(o.verbose, 0);

    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_one(&o, "-v", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "-v", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "-s", err, sizeof err), 0);   /* -s: at least 1, never less */
    CHECK_INT(o.verbose, 2);
}

static void test_enums_and_bools(void)
{
    ACCEPT("--leak-check=no");
    CHECK_INT(o.leak_check, LT_CHECK_NO);
    ACCEPT("--leak-check=summary");
    CHECK_INT(o.leak_check, LT_CHECK_SUMMARY);
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_one(&o, "--leak-check=no", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "--leak-check=full", err, sizeof err), 0);
    CHECK_INT(o.leak_check, LT_CHECK_FULL);
    CHECK_INT(lt_options_parse_one(&o, "--leak-check=no", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "--leak-check=yes", err, sizeof err), 0);
    CHECK_INT(o.leak_check, LT_CHECK_FULL);
    REJECT("--leak-check=Full", "bad value 'Full' for --leak-check");
    REJECT("--leak-check=", "bad value '' for --leak-check");
    REJECT("--leak-check", "needs a value");

    ACCEPT("--leak-resolution=low");
    CHECK_INT(o.leak_resolution, LT_RES_LOW);
    ACCEPT("--leak-resolution=med");
    CHECK_INT(o.leak_resolution, LT_RES_MED);
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_one(&o, "--leak-resolution=low", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "--leak-resolution=high", err, sizeof err), 0);
    CHECK_INT(o.leak_resolution, LT_RES_HIGH);
    REJECT("--leak-resolution=medium", "bad value 'medium' for --leak-resolution");

    ACCEPT("--gen-suppressions=yes");
    CHECK_INT(o.gen_suppressions, 1);
    ACCEPT("--gen-suppressions=all");
    CHECK_INT(o.gen_suppressions, 1);
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_one(&o, "--gen-suppressions=all", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "--gen-suppressions=no", err, sizeof err), 0);
    CHECK_INT(o.gen_suppressions, 0);
    REJECT("--gen-suppressions=some", "bad value 'some' for --gen-suppressions");

    ACCEPT("--default-suppressions=no");
    CHECK_INT(o.default_suppressions, 0);
    ACCEPT("--trace-children=no");
    CHECK_INT(o.trace_children, 0);
    ACCEPT("--child-silent-after-fork=yes");
    CHECK_INT(o.child_silent_after_fork, 1);
    ACCEPT("--xml=yes");
    CHECK_INT(o.xml, 1);
    ACCEPT("--show-below-main=yes");
    CHECK_INT(o.show_below_main, 1);
    ACCEPT("--keep-debuginfo=yes");
    CHECK_INT(o.keep_debuginfo, 1);
    ACCEPT("--keep-debuginfo=no");
    CHECK_INT(o.keep_debuginfo, 0);

    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_one(&o, "--xml=yes", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "--xml=no", err, sizeof err), 0);
    CHECK_INT(o.xml, 0);
    CHECK_INT(lt_options_parse_one(&o, "--default-suppressions=no", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "--default-suppressions=yes", err, sizeof err), 0);
    CHECK_INT(o.default_suppressions, 1);
    CHECK_INT(lt_options_parse_one(&o, "--trace-children=no", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "--trace-children=yes", err, sizeof err), 0);
    CHECK_INT(o.trace_children, 1);

    /* Valgrind takes only yes|no. */
    REJECT("--trace-children=true", "bad value 'true' for --trace-children (expected yes or no)");
    REJECT("--xml=1", "bad value '1' for --xml");
    REJECT("--xml=YES", "bad value 'YES' for --xml");
    REJECT("--show-below-main=", "bad value '' for --show-below-main");
    REJECT("--keep-debuginfo=1", "bad value '1' for --keep-debuginfo");
    REJECT("--child-silent-after-fork=on", "--child-silent-after-fork");
    REJECT("--default-suppressions=nope", "--default-suppressions");
    REJECT("--trace-children", "needs a value");
}

static void test_kinds(void)
{
    unsigned k = 12345;
    CHECK_INT(lt_options_parse_kinds("all", &k), 0);
    CHECK_INT(k, LT_KINDS_ALL);
    CHECK_INT(lt_options_parse_kinds("none", &k), 0);
    CHECK_INT(k, 0);
    CHECK_INT(lt_options_parse_kinds("definite", &k), 0);
    CHECK_INT(k, K(DEFINITE));
    CHECK_INT(lt_options_parse_kinds("indirect", &k), 0);
    CHECK_INT(k, K(INDIRECT));
    CHECK_INT(lt_options_parse_kinds("possible", &k), 0);
    CHECK_INT(k, K(POSSIBLE));
    CHECK_INT(lt_options_parse_kinds("reachable", &k), 0);
    CHECK_INT(k, K(REACHABLE));
    CHECK_INT(lt_options_parse_kinds("reachable,definite", &k), 0);
    CHECK_INT(k, K(REACHABLE) | K(DEFINITE));
    CHECK_INT(lt_options_parse_kinds("definite,indirect,possible,reachable", &k), 0);
    CHECK_INT(k, LT_KINDS_ALL);
    CHECK_INT(lt_options_parse_kinds("possible,possible", &k), 0);
    CHECK_INT(k, K(POSSIBLE));

    static const char *const bad[] = {
        "", "definite,,possible", "definitely", "definite, possible", " definite",
        "definite ", ",definite", "definite,", ",", "all,definite", "definite,all",
        "none,possible", "all,none", "Definite", "stdstring", NULL
    };
    for (int i = 0; bad[i]; i++) {
        k = 777;
        int r = lt_options_parse_kinds(bad[i], &k);
        checks++;
        if (r != -1 || k != 777) {
            failures++;
            printf("FAIL kinds '%s': returned %d, set %u (expected -1, untouched)\n", bad[i], r, k);
        }
    }

    ACCEPT("--show-leak-kinds=all");
    CHECK_INT(o.show_kinds, LT_KINDS_ALL);
    CHECK_INT(o.error_kinds, DEF_KINDS);
    ACCEPT("--show-leak-kinds=none");
    CHECK_INT(o.show_kinds, 0);
    ACCEPT("--show-leak-kinds=indirect,reachable");
    CHECK_INT(o.show_kinds, K(INDIRECT) | K(REACHABLE));
    ACCEPT("--errors-for-leak-kinds=definite");
    CHECK_INT(o.error_kinds, K(DEFINITE));
    CHECK_INT(o.show_kinds, DEF_KINDS);
    ACCEPT("--errors-for-leak-kinds=none");
    CHECK_INT(o.error_kinds, 0);
    REJECT("--show-leak-kinds=definite,,possible",
           "bad value 'definite,,possible' for --show-leak-kinds");
    REJECT("--show-leak-kinds=definitely", "'definitely'");
    REJECT("--show-leak-kinds=", "--show-leak-kinds");
    REJECT("--errors-for-leak-kinds=all,definite", "--errors-for-leak-kinds");
    REJECT("--errors-for-leak-kinds=", "--errors-for-leak-kinds");

    /* --show-reachable / --show-possibly-lost, memcheck's semantics. */
    ACCEPT("--show-reachable=yes");
    CHECK_INT(o.show_kinds, LT_KINDS_ALL);
    ACCEPT("--show-reachable=no");
    CHECK_INT(o.show_kinds, DEF_KINDS);
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_one(&o, "--show-leak-kinds=indirect,reachable", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "--show-reachable=no", err, sizeof err), 0);
    CHECK_INT(o.show_kinds, K(INDIRECT));
    CHECK_INT(lt_options_parse_one(&o, "--show-possibly-lost=yes", err, sizeof err), 0);
    CHECK_INT(o.show_kinds, K(INDIRECT) | K(POSSIBLE));
    CHECK_INT(lt_options_parse_one(&o, "--show-possibly-lost=no", err, sizeof err), 0);
    CHECK_INT(o.show_kinds, K(INDIRECT));
    ACCEPT("--show-possibly-lost=no");
    CHECK_INT(o.show_kinds, K(DEFINITE));
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_one(&o, "--show-reachable=yes", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "--show-leak-kinds=definite", err, sizeof err), 0);
    CHECK_INT(o.show_kinds, K(DEFINITE));     /* later ones win */
    REJECT("--show-reachable=all", "--show-reachable");
    REJECT("--show-possibly-lost=maybe", "--show-possibly-lost");
}

static void test_heuristics(void)
{
    unsigned h = 999;
    CHECK_INT(lt_options_parse_heuristics("all", &h), 0);
    CHECK_INT(h, LT_HEUR_ALL);
    CHECK_INT(lt_options_parse_heuristics("none", &h), 0);
    CHECK_INT(h, 0);
    CHECK_INT(lt_options_parse_heuristics("stdstring,newarray", &h), 0);
    CHECK_INT(h, H(STDSTRING) | H(NEWARRAY));
    CHECK_INT(lt_options_parse_heuristics("length64", &h), 0);
    CHECK_INT(h, H(LENGTH64));
    CHECK_INT(lt_options_parse_heuristics("multipleinheritance", &h), 0);
    CHECK_INT(h, H(MULTIPLEINHERITANCE));
    h = 999;
    CHECK_INT(lt_options_parse_heuristics("stdstring,,newarray", &h), -1);
    CHECK_INT(lt_options_parse_heuristics("definite", &h), -1);
    CHECK_INT(lt_options_parse_heuristics("all,none", &h), -1);
    CHECK_INT(lt_options_parse_heuristics("", &h), -1);
    CHECK_INT(h, 999);

    ACCEPT("--leak-check-heuristics=none");
    CHECK_INT(o.heuristics, 0);
    ACCEPT("--leak-check-heuristics=stdstring,length64");
    CHECK_INT(o.heuristics, H(STDSTRING) | H(LENGTH64));
    REJECT("--leak-check-heuristics=std", "bad value 'std' for --leak-check-heuristics");
}

static void test_numbers(void)
{
    ACCEPT("--freelist-vol=0");
    CHECK_INT(o.freelist_vol, 0);
    ACCEPT("--freelist-vol=1000000000");
    CHECK_INT(o.freelist_vol, 1000000000);
    REJECT("--freelist-vol=1000000001", "0 to 1000000000");
    REJECT("--freelist-vol=-1", "0 to 1000000000");
    ACCEPT("--num-callers=1");
    CHECK_INT(o.num_callers, 1);
    ACCEPT("--num-callers=500");
    CHECK_INT(o.num_callers, 500);
    ACCEPT("--num-callers=007");
    CHECK_INT(o.num_callers, 7);
    REJECT("--num-callers=x",
           "bad value 'x' for --num-callers (expected a number from 1 to 500)");
    CHECK_STR(err, "bad value 'x' for --num-callers (expected a number from 1 to 500)");
    REJECT("--num-callers=0", "bad value '0' for --num-callers");
    REJECT("--num-callers=501", "bad value '501' for --num-callers");
    REJECT("--num-callers=12x", "'12x'");
    REJECT("--num-callers=-1", "'-1'");
    REJECT("--num-callers=+3", "'+3'");
    REJECT("--num-callers= 3", "' 3'");
    REJECT("--num-callers=3 ", "'3 '");
    REJECT("--num-callers=0x10", "'0x10'");
    REJECT("--num-callers=", "--num-callers");
    REJECT("--num-callers=99999999999999999999999999", "--num-callers");
    REJECT("--num-callers=18446744073709551621", "--num-callers");   /* 2^64 + 5 */
    REJECT("--num-callers=4294967308", "--num-callers");             /* 2^32 + 12 */
    REJECT("--num-callers", "needs a value");
    REJECT("--num-callers=1.5", "'1.5'");

    ACCEPT("--error-exitcode=0");
    CHECK_INT(o.error_exitcode, 0);
    ACCEPT("--error-exitcode=1");
    CHECK_INT(o.error_exitcode, 1);
    ACCEPT("--error-exitcode=255");
    CHECK_INT(o.error_exitcode, 255);
    REJECT("--error-exitcode=256", "bad value '256' for --error-exitcode");
    REJECT("--error-exitcode=-1", "--error-exitcode");

    ACCEPT("--stop-signal=1");
    CHECK_INT(o.stop_signal, 1);
    ACCEPT("--stop-signal=64");
    CHECK_INT(o.stop_signal, 64);
    REJECT("--stop-signal=0", "--stop-signal");
    REJECT("--stop-signal=65", "--stop-signal");
    REJECT("--stop-signal=SIGUSR1", "--stop-signal");

    ACCEPT("--log-fd=0");
    CHECK_INT(o.log_fd, 0);
    ACCEPT("--log-fd=9");
    CHECK_INT(o.log_fd, 9);
    REJECT("--log-fd=-1", "--log-fd");
    REJECT("--log-fd=3x", "--log-fd");
    REJECT("--log-fd=99999999999", "--log-fd");
}

static char longword[PATH_MAX + 64];

/* "--NAME=" followed by `n` x's. */
static const char *long_file_word(const char *name, size_t n)
{
    int k = snprintf(longword, sizeof longword, "--%s=", name);
    memset(longword + k, 'x', n);
    longword[(size_t)k + n] = '\0';
    return longword;
}

/* --malloc-fill / --free-fill: Valgrind's hex byte; "none" is ours. */
static void test_fill(void)
{
    lt_options_defaults(&o);
    CHECK_INT(o.malloc_fill, 0);
    CHECK_INT(o.free_fill, -1);
    ACCEPT("--malloc-fill=0xAB");
    CHECK_INT(o.malloc_fill, 0xab);
    ACCEPT("--malloc-fill=ff");
    CHECK_INT(o.malloc_fill, 0xff);
    ACCEPT("--malloc-fill=none");
    CHECK_INT(o.malloc_fill, -1);
    ACCEPT("--free-fill=0xCD");
    CHECK_INT(o.free_fill, 0xcd);
    ACCEPT("--free-fill=0x0");
    CHECK_INT(o.free_fill, 0);
    REJECT("--malloc-fill=0x100", "a byte in hexadecimal");
    REJECT("--malloc-fill=0x", "a byte in hexadecimal");
    REJECT("--free-fill=zz", "a byte in hexadecimal");
    REJECT("--free-fill=", "a byte in hexadecimal");
}

static void test_files(void)
{
    ACCEPT("--log-file=out.%p.txt");
    CHECK_STR(o.log_file, "out.%p.txt");
    ACCEPT("--xml-file=/tmp/a.xml");
    CHECK_STR(o.xml_file, "/tmp/a.xml");
    CHECK_INT(o.xml, 0);                      /* --xml-file alone does not set --xml */
    ACCEPT("--json-file=a.json");
    CHECK_STR(o.json_file, "a.json");
    ACCEPT("--sarif-file=b.sarif");
    CHECK_STR(o.sarif_file, "b.sarif");
    ACCEPT("--folded-file=c.folded");
    CHECK_STR(o.folded_file, "c.folded");
    ACCEPT("--suppressions=my.supp");
    CHECK_INT(o.nsupp, 1);
    CHECK_STR(o.supp_files[0], "my.supp");
    ACCEPT("--log-file=a=b");                 /* only the first '=' separates */
    CHECK_STR(o.log_file, "a=b");

    REJECT("--log-file=", "empty file name for --log-file");
    REJECT("--xml-file=", "--xml-file");
    REJECT("--suppressions=", "--suppressions");
    REJECT("--log-file", "needs a value");

    /* --log-file and --log-fd replace each other. */
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_one(&o, "--log-fd=5", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_one(&o, "--log-file=x.log", err, sizeof err), 0);
    CHECK_INT(o.log_fd, -1);
    CHECK_STR(o.log_file, "x.log");
    CHECK_INT(lt_options_parse_one(&o, "--log-fd=6", err, sizeof err), 0);
    CHECK_INT(o.log_fd, 6);
    CHECK_STR(o.log_file, "");

    /* Repeatable --suppressions, in order, up to LT_MAX_SUPP_FILES. */
    lt_options_defaults(&o);
    char w[64];
    for (int i = 0; i < LT_MAX_SUPP_FILES; i++) {
        snprintf(w, sizeof w, "--suppressions=s%d.supp", i);
        CHECK_INT(lt_options_parse_one(&o, w, err, sizeof err), 0);
    }
    CHECK_INT(o.nsupp, LT_MAX_SUPP_FILES);
    CHECK_STR(o.supp_files[0], "s0.supp");
    CHECK_STR(o.supp_files[LT_MAX_SUPP_FILES - 1], "s31.supp");
    CHECK_INT(lt_options_parse_one(&o, "--suppressions=one-too-many.supp", err, sizeof err), -1);
    CHECK_HAS(err, "--suppressions");
    CHECK_HAS(err, "32");
    CHECK_INT(o.nsupp, LT_MAX_SUPP_FILES);

    /* File names: PATH_MAX-1 bytes fit, PATH_MAX do not. */
    static const char *const names[] = {
        "log-file", "xml-file", "json-file", "sarif-file", "folded-file", "suppressions", NULL
    };
    for (int i = 0; names[i]; i++) {
        int r = one(long_file_word(names[i], PATH_MAX - 1));
        checks++;
        if (r != 0) {
            failures++;
            printf("FAIL --%s with %d bytes: %d (%s)\n", names[i], PATH_MAX - 1, r, err);
        }
        char msgname[64];
        snprintf(msgname, sizeof msgname, "--%s", names[i]);
        REJECT(long_file_word(names[i], PATH_MAX), msgname);
        CHECK_HAS(err, "too long");
        REJECT(long_file_word(names[i], PATH_MAX + 50), "too long");
    }
    one(long_file_word("log-file", PATH_MAX - 1));
    CHECK_INT(strlen(o.log_file), PATH_MAX - 1);
    one(long_file_word("suppressions", PATH_MAX - 1));
    CHECK_INT(strlen(o.supp_files[0]), PATH_MAX - 1);
}

static void test_unknown_and_ignored(void)
{
    REJECT("--num-caller=3", "unknown option '--num-caller=3'");
    CHECK_STR(err, "unknown option '--num-caller=3'");
    REJECT("--foo", "unknown option '--foo'");
    REJECT("foo", "unknown option 'foo'");
    REJECT("--help", "unknown option");           /* the launcher's, not the library's */
    REJECT("--version", "unknown option");
    /* Valgrind core options (issue 11, item 11): tolerated; --xml-fd is ours. */
    CHECK_INT(one("--log-socket=1.2.3.4:5"), 1);
    CHECK_INT(one("--xml-fd=3"), 0);
    CHECK_INT(o.xml_fd, 3);
    CHECK_INT(one("--error-markers=BEGIN,END"), 1);
    CHECK_INT(one("--vex-iropt-register-updates=allregs-at-mem-access"), 1);
    CHECK_INT(one("--px-default=allregs-at-mem-access"), 1);
    CHECK_INT(one("--xtree-memory=full"), 1);
    CHECK_INT(one("--xtree-leak-file=x.kcg"), 1);
    CHECK_INT(one("-d"), 1);
    CHECK_INT(one("--trace-children=no"), 0);        /* ours, though --trace-* is a family */
    CHECK_INT(one("--run-libc-freeres=no"), 0);      /* ours (issue 11, item 12) */
    CHECK_INT(o.run_libc_freeres, 0);
    CHECK_INT(one("--run-cxx-freeres=no"), 0);
    CHECK_INT(o.run_cxx_freeres, 0);
    REJECT("--LEAK-CHECK=full", "unknown option");

    static const char *const ignored[] = {
        "--track-origins=yes", "--read-var-info=yes", "--read-inline-info=no",
        "--trace-malloc=yes", "--undef-value-errors=no", "--keep-stacktraces=alloc",
        "--freelist-big-blocks=10",
        "--partial-loads-ok=yes", "--expensive-definedness-checks=yes",
        "--vgdb=no", "--vgdb-error=0", "--time-stamp=yes", "--demangle=no",
        "--smc-check=all", "--fair-sched=yes", "--max-stackframe=4000000",
        "--main-stacksize=8000000", "--num-transtab-sectors=64", "--track-fds=yes",
        "--redzone-size=32", "--show-mismatched-frees=no", "--ignore-ranges=0x1-0x2",
        "--sim-hints=lax-ioctls",
        "--soname-synonyms=somalloc=NONE", "--fullpath-after=",
        "--max-threads=1000", "--valgrind-stacksize=2000000", "--merge-recursive-frames=2",
        "--error-limit=no", "--vgdb-poll=100", "--vgdb-prefix=/tmp/v",
        "--vgdb-stop-at=none", "--vgdb-shadow-registers=no", "--avg-transtab-entry-size=0",
        "--alignment=16", "--ignore-range-below-sp=1024-1", "--workaround-gcc296-bugs=no",
        "--kernel-variant=none", "--extra-debuginfo-path=/x", "--allow-mismatched-debuginfo=no",
        "--trace-children-skip=*/sh", "--trace-children-skip-by-arg=*x*", "--show-emwarns=no",
        "--sigill-diagnostics=no", "--xml-user-comment=hi",
        "-track-origins=yes", "track-origins=yes",
        NULL
    };
    for (int i = 0; ignored[i]; i++) {
        int r = one(ignored[i]);
        checks++;
        if (r != 1) {
            failures++;
            printf("FAIL valgrind-only '%s' returned %d (err \"%s\"), expected 1\n", ignored[i], r,
                   err);
            continue;
        }
        CHECK_HAS(err, "ignoring valgrind-only option --");
        const char *body = ignored[i];
        while (*body == '-')
            body++;
        CHECK_HAS(err, body);
        lt_options_defaults(&ref);
        checks++;
        if (memcmp(&o, &ref, sizeof o) != 0) {
            failures++;
            printf("FAIL valgrind-only '%s' changed the options\n", ignored[i]);
        }
    }
    CHECK_INT(one("--track-origins=yes"), 1);
    CHECK_STR(err, "ignoring valgrind-only option --track-origins=yes");
    CHECK_INT(one("--tool=memcheck"), 1);
    CHECK_HAS(err, "--tool=memcheck");
    REJECT("--tool=helgrind", "--tool=helgrind");
    REJECT("--tool=", "--tool");
    REJECT("--tool", "needs a value");
    REJECT("--track-origins", "needs a value");   /* Valgrind's form is NAME=VALUE */
    /* Ours, not ignored. */
    CHECK_INT(one("--leak-check-heuristics=none"), 0);
    CHECK_INT(one("--child-silent-after-fork=yes"), 0);

    /* Error buffers: truncated but terminated; NULL/0 is allowed. */
    lt_options_defaults(&o);
    char small[8];
    memset(small, 'z', sizeof small);
    CHECK_INT(lt_options_parse_one(&o, "--bogus-option", small, sizeof small), -1);
    CHECK_INT(strlen(small), sizeof small - 1);
    CHECK_INT(lt_options_parse_one(&o, "--bogus-option", NULL, 0), -1);
    CHECK_INT(lt_options_parse_one(&o, "--num-callers=20", NULL, 0), 0);
    CHECK_INT(o.num_callers, 20);
    strcpy(err, "stale");
    CHECK_INT(lt_options_parse_one(&o, "--num-callers=21", err, sizeof err), 0);
    CHECK_STR(err, "");                         /* success leaves no stale message */
}

/* Notice collector for parse_string_notify. */
struct notes {
    int n;
    char text[8][256];
};
static void collect(void *ctx, const char *msg)
{
    struct notes *ns = ctx;
    if (ns->n < 8)
        snprintf(ns->text[ns->n], sizeof ns->text[0], "%s", msg);
    ns->n++;
}

static void test_strings(void)
{
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_string(&o,
                                      "  --num-callers=30\tleak-check=summary\n-q "
                                      "show-leak-kinds=all -num-callers=40 --log-file=x.log ",
                                      "LEAKTRACE_OPTIONS", err, sizeof err), 0);
    CHECK_INT(o.num_callers, 40);                 /* later ones win */
    CHECK_INT(o.leak_check, LT_CHECK_SUMMARY);
    CHECK_INT(o.quiet, 1);
    CHECK_INT(o.show_kinds, LT_KINDS_ALL);
    CHECK_STR(o.log_file, "x.log");

    /* Empty and blank strings are fine and change nothing. */
    lt_options_defaults(&o);
    lt_options_defaults(&ref);
    CHECK_INT(lt_options_parse_string(&o, "", "LEAKTRACE_OPTIONS", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_string(&o, " \t\n ", "LEAKTRACE_OPTIONS", err, sizeof err), 0);
    CHECK_INT(lt_options_parse_string(&o, NULL, "LEAKTRACE_OPTIONS", err, sizeof err), 0);
    CHECK(memcmp(&o, &ref, sizeof o) == 0);

    /* An error in the middle: earlier words applied, later ones not. */
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_string(&o, "num-callers=20 foo num-callers=30 -q",
                                      "LEAKTRACE_OPTIONS", err, sizeof err), -1);
    CHECK_STR(err, "LEAKTRACE_OPTIONS: unknown option 'foo'");
    CHECK_INT(o.num_callers, 20);
    CHECK_INT(o.quiet, 0);

    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_string(&o, "-q --num-callers=x --xml=yes", "ENV", err, sizeof err),
              -1);
    CHECK_STR(err, "ENV: bad value 'x' for --num-callers (expected a number from 1 to 500)");
    CHECK_INT(o.xml, 0);

    /* The space after the comma splits the word: the set is malformed. */
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_string(&o, "--show-leak-kinds=definite, possible", "E", err,
                                      sizeof err), -1);
    CHECK_HAS(err, "E: bad value 'definite,' for --show-leak-kinds");

    /* No origin: no prefix. */
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_string(&o, "bogus", NULL, err, sizeof err), -1);
    CHECK_STR(err, "unknown option 'bogus'");
    CHECK_INT(lt_options_parse_string(&o, "bogus", "", err, sizeof err), -1);
    CHECK_STR(err, "unknown option 'bogus'");

    /* Ignored options: parse_string succeeds and drops the notice... */
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_string(&o, "--track-origins=yes num-callers=9", "LEAKTRACE_OPTIONS",
                                      err, sizeof err), 0);
    CHECK_INT(o.num_callers, 9);
    CHECK_STR(err, "");

    /* ...and parse_string_notify passes each one on, in order, with the origin. */
    struct notes ns = { 0 };
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_string_notify(&o, "--track-origins=yes -v tool=memcheck --vgdb=no",
                                             "LEAKTRACE_OPTIONS", err, sizeof err, collect, &ns),
              0);
    CHECK_INT(ns.n, 3);
    CHECK_STR(ns.text[0], "LEAKTRACE_OPTIONS: ignoring valgrind-only option --track-origins=yes");
    CHECK_STR(ns.text[1], "LEAKTRACE_OPTIONS: ignoring valgrind-only option --tool=memcheck");
    CHECK_STR(ns.text[2], "LEAKTRACE_OPTIONS: ignoring valgrind-only option --vgdb=no");
    CHECK_INT(o.verbose, 1);

    /* Notices before an error are delivered; the error stops the rest. */
    memset(&ns, 0, sizeof ns);
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_string_notify(&o, "--demangle=no --nope --time-stamp=yes", "X", err,
                                             sizeof err, collect, &ns), -1);
    CHECK_INT(ns.n, 1);
    CHECK_STR(err, "X: unknown option '--nope'");
    CHECK_INT(lt_options_parse_string_notify(&o, "--demangle=no", "X", err, sizeof err, NULL,
                                             NULL), 0);

    /* A too-long file name inside a string. */
    static char text[PATH_MAX + 128];
    snprintf(text, sizeof text, "-q %s -v", long_file_word("log-file", PATH_MAX));
    lt_options_defaults(&o);
    CHECK_INT(lt_options_parse_string(&o, text, "LEAKTRACE_OPTIONS", err, sizeof err), -1);
    CHECK_HAS(err, "LEAKTRACE_OPTIONS: file name for --log-file is too long");
    CHECK_INT(o.quiet, 1);
    CHECK_STR(o.log_file, "");
}

static void test_no_allocation(void)
{
    static char text[PATH_MAX + 128];
    snprintf(text, sizeof text, "num-callers=9 %s --track-origins=yes --show-leak-kinds=all",
             long_file_word("log-file", PATH_MAX - 1));
    struct notes ns = { 0 };
    nallocs = 0;
    void *probe = malloc(1);      /* the counter itself works */
    free(probe);
    counting = 1;
    probe = malloc(1);
    counting = 0;
    free(probe);
    CHECK_INT(nallocs, 1);

    nallocs = 0;
    counting = 1;
    lt_options_defaults(&o);
    int r1 = lt_options_parse_string_notify(&o, text, "LEAKTRACE_OPTIONS", err, sizeof err,
                                            collect, &ns);
    int r2 = lt_options_parse_one(&o, "--num-callers=bad", err, sizeof err);
    int r3 = lt_options_parse_string(&o, "-v --bogus", "LEAKTRACE_OPTIONS", err, sizeof err);
    unsigned k;
    int r4 = lt_options_parse_kinds("definite,possible", &k);
    counting = 0;
    CHECK_INT(r1, 0);
    CHECK_INT(r2, -1);
    CHECK_INT(r3, -1);
    CHECK_INT(r4, 0);
    CHECK_INT(nallocs, 0);
}

static int check_exit_on_first_error(void)
{
    struct lt_options o;
    char err[256];
    int fails = 0;
    lt_options_defaults(&o);
    if (o.exit_on_first_error != 0) { printf("FAIL exit-on-first-error default is not no\n"); fails++; }
    if (lt_options_parse_one(&o, "--exit-on-first-error=yes", err, sizeof err) != 0 || o.exit_on_first_error != 1) {
        printf("FAIL --exit-on-first-error=yes not applied (%s)\n", err); fails++; }
    if (lt_options_parse_one(&o, "--exit-on-first-error=maybe", err, sizeof err) != -1) {
        printf("FAIL --exit-on-first-error=maybe accepted\n"); fails++; }
    return fails;
}

int main(void)
{
    test_defaults();
    test_dashes();
    test_verbosity();
    test_enums_and_bools();
    test_kinds();
    test_heuristics();
    test_numbers();
    test_fill();
    test_files();
    test_unknown_and_ignored();
    test_strings();
    test_no_allocation();
    checks += 3;
    failures += check_exit_on_first_error();
    if (failures) {
        printf("test_options: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("test_options: all %d checks passed\n", checks);
    return 0;
}
