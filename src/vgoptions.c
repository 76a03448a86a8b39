/* vgoptions.c — Valgrind options leaktrace accepts and ignores (see
 * vgoptions.h). The lists are Valgrind 3.19's `valgrind --help` and
 * `valgrind --help-debug` (Debian 12), less the options leaktrace
 * implements (options.c), plus the families Valgrind matches by prefix:
 * --vex-*, --px-*, --xtree-*, --vgdb*, --trace-* (tracing of Valgrind's
 * own internals), --debug-*, --profile-*. */
#include "vgoptions.h"
#include <string.h>

/* --name=VALUE options. */
static const char *const with_value[] = {
    /* core: user options */
    "xml-socket", "log-socket", "xml-user-comment", "error-markers",
    "extra-debuginfo-path", "debuginfo-server", "allow-mismatched-debuginfo",
    "time-stamp", "input-fd", "demangle", "error-limit",
    "sim-hints", "fair-sched", "kernel-variant", "merge-recursive-frames",
    "num-transtab-sectors", "avg-transtab-entry-size", "aspace-minaddr", "valgrind-stacksize",
    "show-emwarns", "require-text-symbol", "soname-synonyms", "smc-check", "read-inline-info",
    "read-var-info", "max-stackframe", "main-stacksize", "max-threads", "fullpath-after",
    "trace-children-skip", "trace-children-skip-by-arg", "sigill-diagnostics",
    "unw-stack-scan-thresh", "unw-stack-scan-frames", "resync-filter", "dsymutil",
    "track-fds", "command-line-only", "progress-interval", "stats", "wait-for-gdb",
    "workaround-gcc296-bugs", "sym-offsets", "dump-error", "sanity-level", "core-redzone-size",
    "redzone-size", "hg-sanity-flags", "vgdb",
    /* memcheck: the checks other than leaks */
    "undef-value-errors", "track-origins", "partial-loads-ok", "expensive-definedness-checks",
    "keep-stacktraces", "freelist-big-blocks",
    "show-mismatched-frees", "ignore-ranges", "ignore-range-below-sp", "alignment",
    "trace-malloc",
    /* removed or renamed in earlier Valgrind versions, still on old command lines */
    "db-attach", "db-command", "auto-run-dsymutil", "show-below-main-frames",
    NULL
};

/* Families matched by prefix (with a value). */
static const char *const prefixes[] = {
    "vex-", "px-", "xtree-", "vgdb", "trace-", "debug-", "profile-", NULL
};

/* Bare flags (no value): -d, and --trace-flags's and the help-debug forms. */
static const char *const flags[] = {
    "d", "stats", NULL
};

static bool in(const char *const *list, const char *name, size_t n)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(*list, name, n) == 0)
            return true;
    return false;
}

bool lt_vgoption_ignored(const char *name, size_t n, int dashes, bool has_value)
{
    if (n == 1)
        return dashes <= 1 && !has_value && name[0] == 'd';
    if (!has_value)
        return in(flags, name, n);
    if (in(with_value, name, n))
        return true;
    /* --trace-children is leaktrace's own (options.c looks it up first). */
    for (const char *const *p = prefixes; *p; p++) {
        size_t k = strlen(*p);
        if (n > k && memcmp(name, *p, k) == 0)
            return true;
    }
    return false;
}
