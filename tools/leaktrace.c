/* leaktrace — run a program under libleaktrace with Valgrind-style options.
 *
 *   leaktrace [options] [--] PROG [ARGS...]
 *
 * Options come first and start with '-'; the first word that does not (or
 * the word after "--") is the program. Each option is checked with the
 * library's own parser (options.c), so a typo fails here, before the
 * program runs. The launcher then sets
 *   LEAKTRACE_OPTIONS = $LEAKTRACE_OPTIONS + the accepted options, in order
 *   LD_PRELOAD        = /abs/path/libleaktrace.so[:$LD_PRELOAD]
 * and execs the program, whose exit status becomes the launcher's. */
#include "lt.h"
#include "options.h"
#include "diff.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LT_VERSION
#define LT_VERSION "unknown"
#endif
#ifndef LT_INSTALL_LIBDIR
#define LT_INSTALL_LIBDIR "/usr/local/lib"
#endif

#define LIBNAME "libleaktrace.so"

/* Debian-style multiarch directory for this build's architecture. */
#if defined(__x86_64__) && defined(__ILP32__)
#define LT_MULTIARCH "x86_64-linux-gnux32"
#elif defined(__x86_64__)
#define LT_MULTIARCH "x86_64-linux-gnu"
#elif defined(__i386__)
#define LT_MULTIARCH "i386-linux-gnu"
#elif defined(__aarch64__)
#define LT_MULTIARCH "aarch64-linux-gnu"
#elif defined(__arm__) && defined(__ARM_PCS_VFP)
#define LT_MULTIARCH "arm-linux-gnueabihf"
#elif defined(__arm__)
#define LT_MULTIARCH "arm-linux-gnueabi"
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#define LT_MULTIARCH "powerpc64le-linux-gnu"
#elif defined(__s390x__)
#define LT_MULTIARCH "s390x-linux-gnu"
#elif defined(__riscv) && __riscv_xlen == 64
#define LT_MULTIARCH "riscv64-linux-gnu"
#endif

/* The --help text, in pieces (ISO C caps one string literal at 4095 bytes). */
static const char *const usage_text[] = {
"usage: leaktrace [options] [--] PROG [ARGS...]\n"
"\n",
"Runs PROG with libleaktrace preloaded. When PROG ends, the heap blocks it\n"
"still holds are classified as Valgrind memcheck does (definitely lost,\n"
"indirectly lost, possibly lost, still reachable) and reported in memcheck's\n"
"format. Options use Valgrind's names, values and meanings; they come before\n"
"PROG and start with '-'. The first word that does not start with '-', or the\n"
"word after \"--\", is the program. Defaults are in [ ].\n"
"\n",
"General:\n"
"  -h, --help                   show this text and exit\n"
"  --version                    show the version and exit\n"
"  -q, --quiet                  print only the leak records, no summaries\n"
"  -v, --verbose                more detail (repeatable); -q and -v cancel out\n"
"  -s, --show-error-list=yes    list the suppressions used, with counts [no]\n"
"  --log-file=FILE              write the report to FILE instead of stderr;\n"
"                               %p becomes the process id, %q{VAR} the value\n"
"                               of environment variable VAR [stderr]\n"
"  --log-fd=N                   write the report to file descriptor N [2];\n"
"                               the last of --log-file and --log-fd wins\n"
"  --trace-children=no|yes      keep checking programs that PROG execs [yes]\n"
"                               (unlike Valgrind, whose default is no)\n"
"  --run-libc-freeres=no|yes    release libc's own caches before the final\n"
"                               check (not when a signal ends the process) [yes]\n"
"  --run-cxx-freeres=no|yes     the same for libstdc++'s [yes]\n"
"  --child-silent-after-fork=no|yes\n"
"                               no report from a forked child that has not\n"
"                               exec'd [no]\n"
"  --stop-signal=N              signal (1..64) used to stop the other threads\n"
"                               while the heap is scanned [0 = built-in choice]\n"
"\n",
"Leak checking:\n"
"  --leak-check=no|summary|full what to report at exit [full]\n"
"                               (yes = full; Valgrind's default is summary)\n"
"  --show-leak-kinds=SET        which kinds get a full record\n"
"                               [definite,possible]\n"
"  --errors-for-leak-kinds=SET  which kinds count as errors (for\n"
"                               --error-exitcode and the ERROR SUMMARY)\n"
"                               [definite,possible]\n"
"      SET is a comma-separated list (no spaces) of definite, indirect,\n"
"      possible, reachable; or all; or none.\n"
"  --show-reachable=yes|no      yes = --show-leak-kinds=all; no removes\n"
"                               reachable from the shown kinds\n"
"  --show-possibly-lost=yes|no  add or remove possible in the shown kinds\n"
"  --leak-resolution=low|med|high\n"
"                               how many frames must match to merge records\n"
"                               into one: 2, 4 or all [high]\n"
"  --leak-check-heuristics=SET  interior pointers that count as reachable:\n"
"                               stdstring, length64, newarray,\n"
"                               multipleinheritance; or all; or none [all]\n"
"  --num-callers=N              frames kept per allocation stack, 1..500 [12]\n"
"  --show-below-main=no|yes     show frames below main() [no]\n"
"  --keep-debuginfo=no|yes      name frames in objects dlclose'd before the\n"
"                               report (no: \"???\", as Valgrind) [no]\n"
"  --unwind=dwarf|fp            how allocation stacks are taken: DWARF unwind\n"
"                               info (right for any code) or frame pointers\n"
"                               (about half the cost; right only for code built\n"
"                               with -fno-omit-frame-pointer) [dwarf]\n"
"  --malloc-fill=HEX|none       byte written into every block the program gets\n"
"                               uninitialised (malloc, realloc's grown part,\n"
"                               memalign family, new), so stale words in reused\n"
"                               memory keep no leak alive [0x00]\n"
"  --free-fill=HEX|none         byte written into every freed block [none]\n"
"  --freelist-vol=N             bytes of freed blocks kept from reuse, so a\n"
"                               stale pointer cannot hide a new block; 0 = off\n"
"                               [20000000 for Go programs, else 0]\n"
"  --error-exitcode=N           exit status 0..255 if there are errors\n"
"                               (needs --leak-check=full) [0 = keep PROG's]\n"
"\n",
"Suppressions:\n"
"  --exit-on-first-error=no|yes stop at the first leak record shown, with\n"
"                               --error-exitcode's status [no]\n"
"  --suppressions=FILE          read Valgrind suppressions from FILE\n"
"                               (repeatable, up to 32 files)\n"
"  --default-suppressions=yes|no\n"
"                               load the bundled default suppressions [yes]\n"
"  --symbol-cache=yes|no|DIR    share symbolized frames between processes, by\n"
"                               build ID, in $XDG_CACHE_HOME/leaktrace/symbols\n"
"                               (or DIR); no writes nothing [yes]\n"
"  --gen-suppressions=no|yes|all\n"
"                               print a suppression after each shown record\n"
"                               (yes is treated as all: nothing asks) [no]\n"
"\n",
"Other report formats (each in addition to the text report):\n"
"  --xml=no|yes                 write Valgrind's XML format (to --xml-file) [no]\n"
"  --xml-file=FILE              where the XML goes (%p, %q{VAR} as above)\n"
"  --json-file=FILE             write the leak records as JSON to FILE\n"
"  --sarif-file=FILE            write the leak records as SARIF 2.1 to FILE\n"
"  --folded-file=FILE           write leaked bytes per stack in folded format\n"
"                               (one \"frame;frame;... BYTES\" line each), for\n"
"                               flame graphs\n"
"  Relative names of files written are made absolute against the directory\n"
"  leaktrace was started in, so a program that changes directory still\n"
"  writes there.\n"
"\n",
"Valgrind-only options: accepted so existing command lines work, ignored\n"
"with a one-line notice on stderr (they are not passed on):\n"
"  --tool=memcheck (any other tool is an error), --track-origins,\n"
"  --read-var-info, --read-inline-info, --trace-malloc, --undef-value-errors,\n"
"  --keep-stacktraces, --freelist-big-blocks,\n"
"  --partial-loads-ok, --expensive-definedness-checks, --vgdb,\n"
"  --vgdb-error, --vgdb-poll, --vgdb-prefix, --vgdb-stop-at,\n"
"  --vgdb-shadow-registers, --time-stamp, --demangle, --smc-check,\n"
"  --fair-sched, --max-stackframe, --main-stacksize, --num-transtab-sectors,\n"
"  --avg-transtab-entry-size, --track-fds, --redzone-size, --alignment,\n"
"  --show-mismatched-frees, --ignore-ranges, --ignore-range-below-sp,\n"
"  --workaround-gcc296-bugs,\n"
"  --sim-hints, --kernel-variant, --soname-synonyms, --fullpath-after,\n"
"  --error-limit,\n"
"  --extra-debuginfo-path, --allow-mismatched-debuginfo, --max-threads,\n"
"  --valgrind-stacksize, --merge-recursive-frames, --trace-children-skip,\n"
"  --trace-children-skip-by-arg, --show-emwarns, --sigill-diagnostics,\n"
"  --xml-user-comment, and every other option of valgrind --help and\n"
"  --help-debug: --log-socket, --xml-socket, --error-markers, --stats,\n"
"  --vex-*, --px-*, --xtree-*, --trace-*, -d ... (each given as --NAME=VALUE;\n"
"  -q silences the notices). --xml-fd=N writes the XML report to fd N.\n"
"Any other option is an error: leaktrace says which and does not run PROG.\n"
"Boolean values are yes or no; numbers are plain decimal.\n"
"\n",
"Environment:\n"
"  LEAKTRACE_OPTIONS  options for the library, separated by white space,\n"
"                     leading dashes optional (\"num-callers=30 -q\"); no\n"
"                     quoting, so values cannot contain spaces. leaktrace\n"
"                     checks it first (a malformed value is an error), then\n"
"                     appends its own options, which therefore win. It is\n"
"                     also read when the library is preloaded by hand:\n"
"                       LD_PRELOAD=/path/to/libleaktrace.so ./prog\n"
"  LEAKTRACE_LIB      the libleaktrace.so to preload. Without it leaktrace\n"
"                     looks next to its own executable, then in ../lib,\n"
"                     ../lib64 and ../lib/<multiarch> beside it, then in\n"
"                     " LT_INSTALL_LIBDIR ".\n"
"  LD_PRELOAD         the library is put first; existing entries are kept.\n"
"\n",
"Exit status:\n"
"  leaktrace execs PROG, so the status is PROG's own, except that with\n"
"  --error-exitcode=N (N > 0) and --leak-check=full a run with at least one\n"
"  error (a leak of a kind in --errors-for-leak-kinds, not suppressed) exits\n"
"  with N instead.\n"
"  0    --help or --version\n"
"  1    bad usage: unknown or malformed option, malformed LEAKTRACE_OPTIONS,\n"
"       no program given, library not found\n"
"  126  PROG was found but could not be executed\n"
"  127  PROG was not found\n"
"\n",
"Examples:\n"
"  leaktrace ./prog arg1 arg2\n"
"  leaktrace --show-leak-kinds=all --error-exitcode=99 -- ./prog\n"
"  leaktrace --log-file=leaks.%p.txt --suppressions=my.supp make check\n",
    NULL
};

static void print_usage(FILE *f)
{
    for (const char *const *p = usage_text; *p; p++)
        fputs(*p, f);
}

__attribute__((format(printf, 1, 2), noreturn))
static void die_usage(const char *fmt, ...)
{
    va_list ap;
    fputs("leaktrace: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nusage: leaktrace [options] [--] PROG [ARGS...]   (leaktrace --help for more)\n",
          stderr);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fputs("leaktrace: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The options whose value is a file the report is written to, made
 * absolute before passing on (the program may change directory before it
 * ends). Suppression files are read at start-up and, as in Valgrind, named
 * in messages exactly as given: they are passed through unchanged. */
static const char *const path_options[] = {
    "log-file", "xml-file", "json-file", "sarif-file", "folded-file", NULL
};

/* If `word` is a file-name option with a relative value, returns a new word
 * with the value made absolute against `cwd`; else NULL. */
static char *absolutize(const char *word, const char *cwd)
{
    const char *body = word;
    for (int i = 0; i < 2 && *body == '-'; i++)
        body++;
    const char *eq = strchr(body, '=');
    if (!eq || eq[1] == '\0' || eq[1] == '/')
        return NULL;
    size_t nlen = (size_t)(eq - body);
    for (const char *const *p = path_options; *p; p++) {
        if (strlen(*p) == nlen && memcmp(body, *p, nlen) == 0) {
            size_t head = (size_t)(eq + 1 - word);
            const char *val = eq + 1;
            if (val[0] == '.' && val[1] == '/')     /* "./x" -> "cwd/x" */
                val += 2;
            size_t n = head + strlen(cwd) + 1 + strlen(val) + 1;
            char *out = xmalloc(n);
            snprintf(out, n, "%.*s%s%s%s", (int)head, word, cwd,
                     strcmp(cwd, "/") == 0 ? "" : "/", val);
            return out;
        }
    }
    return NULL;
}

/* Absolute, resolved path of a library candidate, or NULL if it is not there. */
static char *try_lib(const char *path)
{
    return is_file(path) ? realpath(path, NULL) : NULL;
}

static char *find_lib(void)
{
    const char *env = getenv("LEAKTRACE_LIB");
    if (env && *env) {
        struct stat st;
        if (stat(env, &st) != 0) {
            fprintf(stderr, "leaktrace: LEAKTRACE_LIB=%s: %s\n", env, strerror(errno));
            exit(1);
        }
        char *lib = S_ISREG(st.st_mode) ? realpath(env, NULL) : NULL;
        if (!lib) {
            fprintf(stderr, "leaktrace: LEAKTRACE_LIB=%s: %s\n", env,
                    S_ISREG(st.st_mode) ? strerror(errno) : "not a regular file");
            exit(1);
        }
        return lib;
    }

    char exe[PATH_MAX];
    if (realpath("/proc/self/exe", exe)) {
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const rel[] = {
                "/" LIBNAME,
                "/../lib/" LIBNAME,
                "/../lib64/" LIBNAME,
#ifdef LT_MULTIARCH
                "/../lib/" LT_MULTIARCH "/" LIBNAME,
#endif
                NULL
            };
            for (const char *const *r = rel; *r; r++) {
                char cand[PATH_MAX + 64];
                snprintf(cand, sizeof cand, "%s%s", exe, *r);
                char *lib = try_lib(cand);
                if (lib)
                    return lib;
            }
        }
    }
    char *lib = try_lib(LT_INSTALL_LIBDIR "/" LIBNAME);
    if (lib)
        return lib;
    fprintf(stderr,
            "leaktrace: cannot find " LIBNAME " (looked next to the leaktrace executable, in\n"
            "leaktrace: ../lib, ../lib64 and ../lib/<multiarch> beside it, and in "
            LT_INSTALL_LIBDIR "); set LEAKTRACE_LIB=/path/to/" LIBNAME "\n");
    exit(1);
}

int main(int argc, char **argv)
{
    /* `leaktrace diff BASE NEW` compares reports (tools/diff.c). To check a
     * program that is itself called "diff": leaktrace -- diff ... */
    if (argc > 1 && strcmp(argv[1], "diff") == 0)
        return lt_diff_main(argc - 1, argv + 1);
    static struct lt_options opts;   /* large: keep it off the stack */
    char err[1024];

    lt_options_defaults(&opts);

    /* The user's own LEAKTRACE_OPTIONS come first (ours are appended and win),
     * so check them first: a malformed value must not be silently dropped. */
    const char *env_opts = getenv("LEAKTRACE_OPTIONS");
    if (env_opts && lt_options_parse_string(&opts, env_opts, "LEAKTRACE_OPTIONS",
                                            err, sizeof err) < 0) {
        fprintf(stderr, "leaktrace: %s\n", err);
        fprintf(stderr, "leaktrace: fix or unset LEAKTRACE_OPTIONS (leaktrace --help lists the options)\n");
        return 1;
    }

    char cwd[PATH_MAX];
    int have_cwd = getcwd(cwd, sizeof cwd) != NULL;
    int cwd_errno = errno;

    /* The accepted options, space-separated, in order. */
    size_t cap = 1, len = 0;
    for (int i = 1; i < argc; i++)
        cap += strlen(argv[i]) + 1 + (have_cwd ? strlen(cwd) + 1 : 0);
    char *mine = xmalloc(cap);
    mine[0] = '\0';

    static char notes[32][1024];
    int nnotes = 0;
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-')
            break;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_usage(stdout);
            return fflush(stdout) == 0 ? 0 : 1;
        }
        if (strcmp(a, "--version") == 0) {
            printf("leaktrace-%s\n", LT_VERSION);
            return fflush(stdout) == 0 ? 0 : 1;
        }

        int r = lt_options_parse_one(&opts, a, err, sizeof err);
        if (r < 0)
            die_usage("%s", err);
        if (r > 0) {
            /* Ignored: say so once here (after the loop, and not under -q,
             * which Valgrind honours wherever it stands), and do not pass it
             * on (the library and every traced child would only repeat it). */
            if (nnotes < 32)
                snprintf(notes[nnotes++], sizeof notes[0], "%s", err);
            continue;
        }
        if (strpbrk(a, LT_OPTIONS_SEPARATORS))
            die_usage("option '%s' contains white space, which LEAKTRACE_OPTIONS cannot carry", a);

        char *word = absolutize(a, have_cwd ? cwd : "");
        if (word && !have_cwd) {
            fprintf(stderr, "leaktrace: cannot make '%s' absolute: current directory: %s\n",
                    a, strerror(cwd_errno));
            return 1;
        }
        if (word) {
            const char *eq = strchr(word, '=');
            if (strlen(eq + 1) > PATH_MAX - 1) {
                fprintf(stderr, "leaktrace: file name in '%s' is too long once made absolute "
                        "(at most %d bytes)\n", a, PATH_MAX - 1);
                return 1;
            }
        }
        const char *w = word ? word : a;
        size_t wl = strlen(w);
        if (len + wl + 2 > cap) {       /* cannot happen: cap counts the worst case */
            fputs("leaktrace: internal error: option buffer\n", stderr);
            return 1;
        }
        if (len)
            mine[len++] = ' ';
        memcpy(mine + len, w, wl + 1);
        len += wl;
        free(word);
    }

    for (int k = 0; k < nnotes && opts.quiet == 0; k++)
        fprintf(stderr, "leaktrace: %s\n", notes[k]);
    if (i >= argc)
        die_usage("%s", "no program given");
    const char *prog = argv[i];
    if (prog[0] == '\0')
        die_usage("%s", "empty program name");

    /* LD_PRELOAD: our library first, the user's entries after it. */
    char *lib = find_lib();
    if (strpbrk(lib, ": \t\n")) {
        fprintf(stderr, "leaktrace: the library path '%s' contains ':' or white space, "
                "which LD_PRELOAD cannot carry; set LEAKTRACE_LIB to a path without them\n", lib);
        return 1;
    }
    const char *old_preload = getenv("LD_PRELOAD");
    char *preload;
    if (old_preload && *old_preload) {
        size_t n = strlen(lib) + 1 + strlen(old_preload) + 1;
        preload = xmalloc(n);
        snprintf(preload, n, "%s:%s", lib, old_preload);
    } else {
        preload = lib;
    }

    /* LEAKTRACE_OPTIONS: the user's value, then ours. */
    if (len) {
        if (env_opts && *env_opts) {
            size_t n = strlen(env_opts) + 1 + len + 1;
            char *all = xmalloc(n);
            snprintf(all, n, "%s %s", env_opts, mine);
            free(mine);
            mine = all;
        }
        if (setenv("LEAKTRACE_OPTIONS", mine, 1) != 0) {
            fprintf(stderr, "leaktrace: cannot set LEAKTRACE_OPTIONS: %s\n", strerror(errno));
            return 1;
        }
    }
    if (setenv("LD_PRELOAD", preload, 1) != 0) {
        fprintf(stderr, "leaktrace: cannot set LD_PRELOAD: %s\n", strerror(errno));
        return 1;
    }

    /* --log-file without %p: every process of the tree adds its report to
     * the one file (the library opens it O_APPEND); like Valgrind, the run
     * starts it empty. Never through a symbolic link (O_NOFOLLOW). */
    if (opts.log_file[0] && !strchr(opts.log_file, '%') && opts.log_fd < 0) {
        int fd = open(opts.log_file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd >= 0)
            close(fd);
    }

    fflush(NULL);
    execvp(prog, &argv[i]);
    int e = errno;
    fprintf(stderr, "leaktrace: cannot run '%s': %s\n", prog, strerror(e));
    return (e == ENOENT || e == ENOTDIR) ? 127 : 126;
}
