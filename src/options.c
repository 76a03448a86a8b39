/* options.c — the tool's settings and their parser.
 *
 * Promises (see options.h): Valgrind's option names, values and defaults
 * (except --leak-check, which defaults to full); leading dashes optional;
 * an unknown or malformed option is an error whose message names it;
 * Valgrind-only options that make no sense here are accepted with a notice.
 * Never allocates and uses no stdio beyond snprintf into the caller's
 * buffer: it runs in the preloaded library's constructor. Built both into
 * lt_core and, with LT_STANDALONE, into the `leaktrace` command, so it
 * includes nothing of the project but lt.h, options.h and vgoptions.h. */
#include "options.h"
#include "vgoptions.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct lt_options lt_opt = { .free_fill = -1 };   /* before the constructor: fill.h defaults */

/* A piece of a longer string: words of LEAKTRACE_OPTIONS are parsed in
 * place, without copying. */
struct span {
    const char *p;
    size_t n;
};

static int span_is(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* Where messages go: "ORIGIN: text" into buf. */
struct msg {
    char *buf;
    size_t len;
    const char *origin;
};

__attribute__((format(printf, 2, 3)))
static void say(const struct msg *m, const char *fmt, ...)
{
    if (!m->buf || m->len == 0)
        return;
    size_t k = 0;
    if (m->origin && m->origin[0]) {
        int r = snprintf(m->buf, m->len, "%s: ", m->origin);
        if (r < 0)
            r = 0;
        k = (size_t)r < m->len ? (size_t)r : m->len - 1;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->buf + k, m->len - k, fmt, ap);
    va_end(ap);
}

void lt_options_defaults(struct lt_options *o)
{
    memset(o, 0, sizeof *o);
    lt_options_set_defaults(o);
}

void lt_options_set_defaults(struct lt_options *o)
{
    o->leak_check = LT_CHECK_FULL;
    o->show_kinds = LT_KIND_BIT(LT_DEFINITE) | LT_KIND_BIT(LT_POSSIBLE);
    o->error_kinds = LT_KIND_BIT(LT_DEFINITE) | LT_KIND_BIT(LT_POSSIBLE);
    o->error_exitcode = 0;
    o->num_callers = 12;
    o->freelist_vol = -1;
    o->leak_resolution = LT_RES_HIGH;
    o->heuristics = LT_HEUR_ALL;
    o->quiet = 0;
    o->verbose = 0;
    o->verbosity = 0;
    o->log_file[0] = '\0';
    o->log_fd = -1;
    o->nsupp = 0;
    o->default_suppressions = 1;
    o->gen_suppressions = 0;
    o->trace_children = 1;
    o->run_libc_freeres = 1;
    o->run_cxx_freeres = 1;
    o->child_silent_after_fork = 0;
    o->xml = 0;
    o->xml_file[0] = '\0';
    o->xml_fd = -1;
    o->json_file[0] = '\0';
    o->sarif_file[0] = '\0';
    o->folded_file[0] = '\0';
    o->show_below_main = 0;
    o->stop_signal = 0;
    o->report_signal = 0;
    o->exit_on_first_error = 0;
    o->unwind_fp = 0;
    o->malloc_fill = 0;        /* not Valgrind's default (no fill): see fill.h */
    o->free_fill = -1;
    o->keep_debuginfo = 0;
}

/* ---- sets: kinds and heuristics ---------------------------------------- */

struct set_item {
    const char *name;
    unsigned bit;
};

static const struct set_item kind_items[] = {
    { "definite", LT_KIND_BIT(LT_DEFINITE) },
    { "indirect", LT_KIND_BIT(LT_INDIRECT) },
    { "possible", LT_KIND_BIT(LT_POSSIBLE) },
    { "reachable", LT_KIND_BIT(LT_REACHABLE) },
    { NULL, 0 }
};

static const struct set_item heur_items[] = {
    { "stdstring", LT_HEUR_BIT(LT_HEUR_STDSTRING) },
    { "length64", LT_HEUR_BIT(LT_HEUR_LENGTH64) },
    { "newarray", LT_HEUR_BIT(LT_HEUR_NEWARRAY) },
    { "multipleinheritance", LT_HEUR_BIT(LT_HEUR_MULTIPLEINHERITANCE) },
    { NULL, 0 }
};

/* "a,b,c" | "all" | "none". Empty items, unknown items, and all/none
 * mixed with anything else are errors (Valgrind rejects the latter too). */
static int parse_set(struct span s, const struct set_item *items, unsigned all, unsigned *out)
{
    if (s.n == 0)
        return -1;
    unsigned bits = 0;
    int nitems = 0, special = 0;
    size_t i = 0;
    while (i <= s.n) {
        size_t j = i;
        while (j < s.n && s.p[j] != ',')
            j++;
        struct span it = { s.p + i, j - i };
        if (it.n == 0)
            return -1;
        nitems++;
        if (span_is(it, "all")) {
            bits |= all;
            special = 1;
        } else if (span_is(it, "none")) {
            special = 1;
        } else {
            const struct set_item *k = items;
            while (k->name && !span_is(it, k->name))
                k++;
            if (!k->name)
                return -1;
            bits |= k->bit;
        }
        i = j + 1;
    }
    if (special && nitems > 1)
        return -1;
    *out = bits;
    return 0;
}

int lt_options_parse_kinds(const char *s, unsigned *out)
{
    struct span sp = { s, s ? strlen(s) : 0 };
    return parse_set(sp, kind_items, LT_KINDS_ALL, out);
}

int lt_options_parse_heuristics(const char *s, unsigned *out)
{
    struct span sp = { s, s ? strlen(s) : 0 };
    return parse_set(sp, heur_items, LT_HEUR_ALL, out);
}

/* ---- scalar values ------------------------------------------------------ */

/* Decimal digits only, no sign, no spaces; lo..hi inclusive. */
static int parse_num(struct span v, long lo, long hi, int *out)
{
    if (v.n == 0)
        return -1;
    long x = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return -1;
        if (x <= hi)               /* stop growing once out of range: no overflow */
            x = x * 10 + (v.p[i] - '0');
    }
    if (x < lo || x > hi)
        return -1;
    *out = (int)x;
    return 0;
}

/* A byte in hexadecimal, with or without 0x (Valgrind's VG_BHEX_CLO for
 * --malloc-fill/--free-fill: 0x00..0xFF), or "none" (leaktrace: no fill). */
static int parse_fill(struct span v, int *out)
{
    if (span_is(v, "none")) {
        *out = -1;
        return 0;
    }
    if (v.n > 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X')) {
        v.p += 2;
        v.n -= 2;
    }
    if (v.n == 0 || v.n > 2)
        return -1;
    int x = 0;
    for (size_t i = 0; i < v.n; i++) {
        char c = v.p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        x = x * 16 + d;
    }
    *out = x;
    return 0;
}

/* A signal by number (1..64) or by name, with or without "SIG"
 * (sigabbrev_np gives glibc's names: "USR2", "TERM", ...). */
static int parse_signal(struct span v, int *out)
{
    if (parse_num(v, 1, 64, out) == 0)
        return 0;
    struct span name = v;
    if (name.n > 3 && memcmp(name.p, "SIG", 3) == 0) {
        name.p += 3;
        name.n -= 3;
    }
    for (int sig = 1; sig < 65; sig++) {
        const char *abbrev = sigabbrev_np(sig);
        if (abbrev && span_is(name, abbrev)) {
            *out = sig;
            return 0;
        }
    }
    return -1;
}

static int parse_bool(struct span v, int *out)
{
    if (span_is(v, "yes")) {
        *out = 1;
        return 0;
    }
    if (span_is(v, "no")) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* Copies a file name; -1 if empty or too long for PATH_MAX. */
static int copy_path(struct span v, char *dst)
{
    if (v.n == 0 || v.n > PATH_MAX - 1)
        return -1;
    memcpy(dst, v.p, v.n);
    dst[v.n] = '\0';
    return 0;
}

/* ---- the option table --------------------------------------------------- */

enum opt_id {
    O_QUIET, O_VERBOSE, O_S, O_SHOW_ERROR_LIST,
    O_LEAK_CHECK, O_SHOW_LEAK_KINDS, O_SHOW_REACHABLE, O_SHOW_POSSIBLY_LOST,
    O_ERRORS_FOR_LEAK_KINDS, O_ERROR_EXITCODE, O_NUM_CALLERS, O_LEAK_RESOLUTION,
    O_HEURISTICS, O_LOG_FILE, O_LOG_FD, O_SUPPRESSIONS, O_DEFAULT_SUPPRESSIONS, O_SYMBOL_CACHE,
    O_GEN_SUPPRESSIONS, O_TRACE_CHILDREN, O_CHILD_SILENT, O_XML, O_XML_FILE, O_XML_FD,
    O_JSON_FILE, O_SARIF_FILE, O_FOLDED_FILE, O_SHOW_BELOW_MAIN, O_STOP_SIGNAL, O_REPORT_SIGNAL, O_EXIT_ON_FIRST_ERROR, O_UNWIND,
    O_MALLOC_FILL, O_FREE_FILL, O_KEEP_DEBUGINFO, O_RUN_LIBC_FREERES, O_RUN_CXX_FREERES,
    O_FREELIST_VOL, O_TOOL, O_IGNORED
};

/* How the value is written. */
enum opt_form { F_FLAG, F_VALUE };

struct opt_def {
    const char *name;
    enum opt_id id;
    enum opt_form form;
};

static const struct opt_def opt_defs[] = {
    { "quiet", O_QUIET, F_FLAG },
    { "verbose", O_VERBOSE, F_FLAG },
    { "show-error-list", O_SHOW_ERROR_LIST, F_VALUE },
    { "leak-check", O_LEAK_CHECK, F_VALUE },
    { "show-leak-kinds", O_SHOW_LEAK_KINDS, F_VALUE },
    { "show-reachable", O_SHOW_REACHABLE, F_VALUE },
    { "show-possibly-lost", O_SHOW_POSSIBLY_LOST, F_VALUE },
    { "errors-for-leak-kinds", O_ERRORS_FOR_LEAK_KINDS, F_VALUE },
    { "error-exitcode", O_ERROR_EXITCODE, F_VALUE },
    { "num-callers", O_NUM_CALLERS, F_VALUE },
    { "leak-resolution", O_LEAK_RESOLUTION, F_VALUE },
    { "leak-check-heuristics", O_HEURISTICS, F_VALUE },
    { "log-file", O_LOG_FILE, F_VALUE },
    { "log-fd", O_LOG_FD, F_VALUE },
    { "suppressions", O_SUPPRESSIONS, F_VALUE },
    { "default-suppressions", O_DEFAULT_SUPPRESSIONS, F_VALUE },
    { "symbol-cache", O_SYMBOL_CACHE, F_VALUE },
    { "gen-suppressions", O_GEN_SUPPRESSIONS, F_VALUE },
    { "trace-children", O_TRACE_CHILDREN, F_VALUE },
    { "child-silent-after-fork", O_CHILD_SILENT, F_VALUE },
    { "xml", O_XML, F_VALUE },
    { "xml-file", O_XML_FILE, F_VALUE },
    { "xml-fd", O_XML_FD, F_VALUE },
    { "json-file", O_JSON_FILE, F_VALUE },
    { "sarif-file", O_SARIF_FILE, F_VALUE },
    { "folded-file", O_FOLDED_FILE, F_VALUE },
    { "show-below-main", O_SHOW_BELOW_MAIN, F_VALUE },
    { "stop-signal", O_STOP_SIGNAL, F_VALUE },
    { "report-signal", O_REPORT_SIGNAL, F_VALUE },
    { "exit-on-first-error", O_EXIT_ON_FIRST_ERROR, F_VALUE },
    { "unwind", O_UNWIND, F_VALUE },
    { "malloc-fill", O_MALLOC_FILL, F_VALUE },
    { "free-fill", O_FREE_FILL, F_VALUE },
    { "keep-debuginfo", O_KEEP_DEBUGINFO, F_VALUE },
    { "run-libc-freeres", O_RUN_LIBC_FREERES, F_VALUE },
    { "run-cxx-freeres", O_RUN_CXX_FREERES, F_VALUE },
    { "tool", O_TOOL, F_VALUE },
    { "freelist-vol", O_FREELIST_VOL, F_VALUE },
    /* Valgrind's options with no meaning here: vgoptions.c. */
    { NULL, O_IGNORED, F_FLAG }
};

#define KINDS_EXPECTED "a comma-separated list of definite,indirect,possible,reachable, or all, or none"
#define HEUR_EXPECTED "a comma-separated list of stdstring,length64,newarray,multipleinheritance, or all, or none"

/* Parses one word given as a span. Messages go to *m. */
static int parse_word(struct lt_options *o, struct span w, const struct msg *m)
{
    size_t dashes = 0;
    while (dashes < w.n && w.p[dashes] == '-')
        dashes++;
    struct span body = { w.p + dashes, w.n - dashes };
    if (dashes > 2 || body.n == 0) {
        say(m, "unknown option '%.*s'", (int)w.n, w.p);
        return -1;
    }
    const char *eq = memchr(body.p, '=', body.n);
    struct span name = { body.p, eq ? (size_t)(eq - body.p) : body.n };
    struct span v = { eq ? eq + 1 : body.p + body.n, eq ? body.n - name.n - 1 : 0 };

    /* One-letter options: -q, -v, -s (at most one dash). */
    enum opt_id id;
    enum opt_form form;
    if (name.n == 1) {
        if (dashes > 1 || (name.p[0] != 'q' && name.p[0] != 'v' && name.p[0] != 's')) {
            if (lt_vgoption_ignored(name.p, name.n, (int)dashes, eq != NULL))
                goto ignored;
            say(m, "unknown option '%.*s'", (int)w.n, w.p);
            return -1;
        }
        id = name.p[0] == 'q' ? O_QUIET : name.p[0] == 'v' ? O_VERBOSE : O_S;
        form = F_FLAG;
    } else {
        const struct opt_def *d = opt_defs;
        while (d->name && !span_is(name, d->name))
            d++;
        if (!d->name) {
            if (lt_vgoption_ignored(name.p, name.n, (int)dashes, eq != NULL))
                goto ignored;
            if (!eq && lt_vgoption_ignored(name.p, name.n, (int)dashes, true)) {
                say(m, "option '--%.*s' needs a value, as in --%.*s=VALUE (got '%.*s')",
                    (int)name.n, name.p, (int)name.n, name.p, (int)w.n, w.p);
                return -1;
            }
            say(m, "unknown option '%.*s'", (int)w.n, w.p);
            return -1;
        }
        id = d->id;
        form = d->form;
    }

    const char *dd = name.n == 1 ? "-" : "--";     /* canonical spelling in messages */
    int nn = (int)name.n;
    if (form == F_FLAG && eq) {
        say(m, "option '%s%.*s' takes no value (got '%.*s')", dd, nn, name.p, (int)w.n, w.p);
        return -1;
    }
    if (form == F_VALUE && !eq) {
        say(m, "option '--%.*s' needs a value, as in --%.*s=VALUE (got '%.*s')",
            nn, name.p, nn, name.p, (int)w.n, w.p);
        return -1;
    }

#define BAD(expected)                                                              \
    do {                                                                           \
        say(m, "bad value '%.*s' for --%.*s (expected %s)", (int)v.n, v.p, nn,     \
            name.p, expected);                                                     \
        return -1;                                                                 \
    } while (0)
#define BAD_PATH()                                                                 \
    do {                                                                           \
        if (v.n == 0)                                                              \
            say(m, "empty file name for --%.*s", nn, name.p);                      \
        else                                                                       \
            say(m, "file name for --%.*s is too long (%zu bytes; at most %d)", nn, \
                name.p, v.n, PATH_MAX - 1);                                        \
        return -1;                                                                 \
    } while (0)

    int b, num;
    unsigned set;
    switch (id) {
    case O_QUIET:                /* Valgrind keeps one verbosity counter */
        if (o->verbosity > 0)
            o->verbosity--;
        if (o->verbose > 0)
            o->verbose--;
        else
            o->quiet++;
        return 0;
    case O_VERBOSE:
        if (o->quiet > 0) {
            o->quiet--;
        } else {
            o->verbose++;
            o->verbosity++;
        }
        return 0;
    case O_S:
        if (o->verbose < 1)
            o->verbose = 1;
        return 0;
    case O_SHOW_ERROR_LIST:      /* what -s stands for in Valgrind */
        if (parse_bool(v, &b))
            BAD("yes or no");
        if (b && o->verbose < 1)
            o->verbose = 1;
        return 0;
    case O_LEAK_CHECK:
        if (span_is(v, "no"))
            o->leak_check = LT_CHECK_NO;
        else if (span_is(v, "summary"))
            o->leak_check = LT_CHECK_SUMMARY;
        else if (span_is(v, "full") || span_is(v, "yes"))
            o->leak_check = LT_CHECK_FULL;
        else
            BAD("no, summary or full");
        return 0;
    case O_SHOW_LEAK_KINDS:
        if (parse_set(v, kind_items, LT_KINDS_ALL, &set))
            BAD(KINDS_EXPECTED);
        o->show_kinds = set;
        return 0;
    case O_SHOW_REACHABLE:       /* as memcheck: yes = all; no drops reachable */
        if (parse_bool(v, &b))
            BAD("yes or no");
        if (b)
            o->show_kinds = LT_KINDS_ALL;
        else
            o->show_kinds &= ~LT_KIND_BIT(LT_REACHABLE);
        return 0;
    case O_SHOW_POSSIBLY_LOST:
        if (parse_bool(v, &b))
            BAD("yes or no");
        if (b)
            o->show_kinds |= LT_KIND_BIT(LT_POSSIBLE);
        else
            o->show_kinds &= ~LT_KIND_BIT(LT_POSSIBLE);
        return 0;
    case O_ERRORS_FOR_LEAK_KINDS:
        if (parse_set(v, kind_items, LT_KINDS_ALL, &set))
            BAD(KINDS_EXPECTED);
        o->error_kinds = set;
        return 0;
    case O_ERROR_EXITCODE:
        if (parse_num(v, 0, 255, &num))
            BAD("a number from 0 to 255");
        o->error_exitcode = num;
        return 0;
    case O_FREELIST_VOL: {
        /* Valgrind's range: 0 .. 1,000,000,000 (bytes). */
        long long x = 0;
        for (size_t i = 0; i < v.n && x <= 1000000000; i++)
            x = v.p[i] >= '0' && v.p[i] <= '9' ? x * 10 + (v.p[i] - '0') : LLONG_MAX;
        if (v.n == 0 || x > 1000000000)
            BAD("a number of bytes from 0 to 1000000000");
        o->freelist_vol = x;
        return 0;
    }
    case O_NUM_CALLERS:
        if (parse_num(v, 1, LT_MAX_CALLERS, &num))
            BAD("a number from 1 to 500");
        o->num_callers = num;
        return 0;
    case O_LEAK_RESOLUTION:
        if (span_is(v, "low"))
            o->leak_resolution = LT_RES_LOW;
        else if (span_is(v, "med"))
            o->leak_resolution = LT_RES_MED;
        else if (span_is(v, "high"))
            o->leak_resolution = LT_RES_HIGH;
        else
            BAD("low, med or high");
        return 0;
    case O_HEURISTICS:
        if (parse_set(v, heur_items, LT_HEUR_ALL, &set))
            BAD(HEUR_EXPECTED);
        o->heuristics = set;
        return 0;
    case O_LOG_FILE:             /* --log-file and --log-fd: the last one wins */
        if (copy_path(v, o->log_file))
            BAD_PATH();
        o->log_fd = -1;
        return 0;
    case O_LOG_FD:
        if (parse_num(v, 0, INT_MAX, &num))
            BAD("a file descriptor number");
        o->log_fd = num;
        o->log_file[0] = '\0';
        return 0;
    case O_SUPPRESSIONS:
        if (o->nsupp >= LT_MAX_SUPP_FILES) {
            say(m, "too many --suppressions files (at most %d)", LT_MAX_SUPP_FILES);
            return -1;
        }
        if (copy_path(v, o->supp_files[o->nsupp]))
            BAD_PATH();
        o->nsupp++;
        return 0;
    case O_DEFAULT_SUPPRESSIONS:
        if (parse_bool(v, &b))
            BAD("yes or no");
        o->default_suppressions = b;
        return 0;
    case O_SYMBOL_CACHE:                 /* yes, no, or a directory */
        if (span_is(v, "yes"))
            o->symbol_cache[0] = '\0';
        else if (copy_path(v, o->symbol_cache))
            BAD_PATH();
        return 0;
    case O_GEN_SUPPRESSIONS:
        if (span_is(v, "no"))
            o->gen_suppressions = 0;
        else if (span_is(v, "yes") || span_is(v, "all"))
            o->gen_suppressions = 1;
        else
            BAD("no, yes or all");
        return 0;
    case O_TRACE_CHILDREN:
        if (parse_bool(v, &b))
            BAD("yes or no");
        o->trace_children = b;
        return 0;
    case O_RUN_LIBC_FREERES:
        if (parse_bool(v, &b))
            BAD("yes or no");
        o->run_libc_freeres = b;
        return 0;
    case O_RUN_CXX_FREERES:
        if (parse_bool(v, &b))
            BAD("yes or no");
        o->run_cxx_freeres = b;
        return 0;
    case O_CHILD_SILENT:
        if (parse_bool(v, &b))
            BAD("yes or no");
        o->child_silent_after_fork = b;
        return 0;
    case O_XML:
        if (parse_bool(v, &b))
            BAD("yes or no");
        o->xml = b;
        return 0;
    case O_XML_FILE:
        if (copy_path(v, o->xml_file))
            BAD_PATH();
        o->xml_fd = -1;
        return 0;
    case O_XML_FD:
        if (parse_num(v, 0, INT_MAX, &num))
            BAD("a file descriptor number");
        o->xml_fd = num;
        o->xml_file[0] = '\0';
        return 0;
    case O_JSON_FILE:
        if (copy_path(v, o->json_file))
            BAD_PATH();
        return 0;
    case O_SARIF_FILE:
        if (copy_path(v, o->sarif_file))
            BAD_PATH();
        return 0;
    case O_FOLDED_FILE:
        if (copy_path(v, o->folded_file))
            BAD_PATH();
        return 0;
    case O_SHOW_BELOW_MAIN:
        if (parse_bool(v, &b))
            BAD("yes or no");
        o->show_below_main = b;
        return 0;
    case O_STOP_SIGNAL:
        if (parse_num(v, 1, 64, &num))
            BAD("a signal number from 1 to 64");
        o->stop_signal = num;
        return 0;
    case O_EXIT_ON_FIRST_ERROR:
        if (parse_bool(v, &b))
            BAD("yes or no");
        o->exit_on_first_error = b;
        return 0;
    case O_MALLOC_FILL:
    case O_FREE_FILL:
        if (parse_fill(v, &num))
            BAD("a byte in hexadecimal (0x00 to 0xff) or none");
        if (id == O_MALLOC_FILL)
            o->malloc_fill = num;
        else
            o->free_fill = num;
        return 0;
    case O_KEEP_DEBUGINFO:
        if (parse_bool(v, &b))
            BAD("yes or no");
        o->keep_debuginfo = b;
        return 0;
    case O_UNWIND:
        if (span_is(v, "dwarf"))
            o->unwind_fp = 0;
        else if (span_is(v, "fp"))
            o->unwind_fp = 1;
        else
            BAD("dwarf or fp");
        return 0;
    case O_REPORT_SIGNAL:
        if (parse_signal(v, &num))
            BAD("a signal number from 1 to 64 or a name such as USR2 or SIGUSR2");
        o->report_signal = num;
        return 0;
    case O_TOOL:
        if (!span_is(v, "memcheck")) {
            say(m, "unsupported option '%.*s': leaktrace only does memcheck's leak checking",
                (int)w.n, w.p);
            return -1;
        }
        say(m, "ignoring valgrind-only option --tool=memcheck");
        return 1;
    case O_IGNORED:
    ignored:
        say(m, "ignoring valgrind-only option %s%.*s", name.n == 1 ? "-" : "--", (int)body.n, body.p);
        return 1;
    }
#undef BAD
#undef BAD_PATH
    say(m, "unknown option '%.*s'", (int)w.n, w.p);
    return -1;
}

int lt_options_parse_one(struct lt_options *o, const char *word, char *err, size_t errlen)
{
    struct msg m = { err, errlen, NULL };
    if (err && errlen)
        err[0] = '\0';
    if (!word) {
        say(&m, "missing option");
        return -1;
    }
    struct span w = { word, strlen(word) };
    return parse_word(o, w, &m);
}

static int is_sep(char c)
{
    return c != '\0' && strchr(LT_OPTIONS_SEPARATORS, c) != NULL;
}

int lt_options_parse_string_notify(struct lt_options *o, const char *text, const char *origin,
                                   char *err, size_t errlen,
                                   lt_options_notice_fn notice, void *ctx)
{
    if (err && errlen)
        err[0] = '\0';
    if (!text)
        return 0;
    /* Notices wait for the whole string: a -q anywhere in it silences them
     * (Valgrind's -q prints nothing on a clean run). */
    char notes[16][256];
    int nnotes = 0;
    const char *p = text;
    for (;;) {
        while (is_sep(*p))
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && !is_sep(*p))
            p++;
        struct span w = { start, (size_t)(p - start) };
        char note[512];
        struct msg nm = { note, sizeof note, origin };
        note[0] = '\0';
        int r = parse_word(o, w, &nm);
        if (r < 0) {
            if (err && errlen) {
                size_t n = strlen(note);
                if (n >= errlen)
                    n = errlen - 1;
                memcpy(err, note, n);
                err[n] = '\0';
            }
            for (int i = 0; i < nnotes && notice && o->quiet == 0; i++)
                notice(ctx, notes[i]);
            return -1;
        }
        if (r > 0 && nnotes < 16)
            snprintf(notes[nnotes++], sizeof notes[0], "%s", note);
    }
    for (int i = 0; i < nnotes && notice && o->quiet == 0; i++)
        notice(ctx, notes[i]);
    return 0;
}

int lt_options_parse_string(struct lt_options *o, const char *text, const char *origin,
                            char *err, size_t errlen)
{
    return lt_options_parse_string_notify(o, text, origin, err, errlen, NULL, NULL);
}
