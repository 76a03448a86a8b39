/* options.h — the tool's settings and their parser.
 *
 * Promises: one parser for LEAKTRACE_OPTIONS (space-separated, leading
 * dashes optional) and for the `leaktrace` command's flags; Valgrind's
 * option names, defaults and meanings; an unknown or malformed option is an
 * error whose message names it. The parser never allocates, so it can run
 * in the library's constructor. */
#ifndef LT_OPTIONS_H
#define LT_OPTIONS_H
#include "lt.h"
#include <limits.h>

enum lt_leak_check { LT_CHECK_NO = 0, LT_CHECK_SUMMARY = 1, LT_CHECK_FULL = 2 };
enum lt_resolution { LT_RES_LOW = 2, LT_RES_MED = 4, LT_RES_HIGH = 0 };

#define LT_MAX_SUPP_FILES 32
#define LT_MAX_CALLERS 500

struct lt_options {
    int leak_check;            /* enum lt_leak_check; default full (we are a leak checker) */
    unsigned show_kinds;       /* LT_KIND_BIT set; default definite,possible */
    unsigned error_kinds;      /* default definite,possible */
    int error_exitcode;        /* 0 = keep the program's status */
    int num_callers;           /* default 12, 1..500 */
    int leak_resolution;       /* enum lt_resolution; frames compared (0 = all) */
    unsigned heuristics;       /* LT_HEUR_BIT set; default all */
    int quiet;                 /* -q */
    int verbose;               /* -s / -v count */
    int verbosity;             /* -v count only (Valgrind's verbosity above 1; -q takes one back) */
    char log_file[PATH_MAX];   /* "" = stderr; %p = pid, %q{VAR} = env */
    int log_fd;                /* -1 = not given */
    /* Options other modules own; parsed here so a typo is caught once. */
    int nsupp;
    char supp_files[LT_MAX_SUPP_FILES][PATH_MAX];
    int default_suppressions;  /* 1 */
    char symbol_cache[PATH_MAX]; /* "" = the XDG cache dir, "no" = off, else a dir */
    int gen_suppressions;      /* 0 no, 1 all (yes is interactive in valgrind: treated as all) */
    int run_libc_freeres;      /* --run-libc-freeres: __libc_freeres before the final check */
    int run_cxx_freeres;       /* --run-cxx-freeres: __gnu_cxx::__freeres likewise */
    int trace_children;        /* 1: exec'd programs keep the preload */
    int child_silent_after_fork; /* 0 */
    int xml;                   /* 0 */
    char xml_file[PATH_MAX];
    int xml_fd;                /* --xml-fd; -1 = not given (the last of it and --xml-file wins) */
    char json_file[PATH_MAX];
    char sarif_file[PATH_MAX];
    char folded_file[PATH_MAX];
    int show_below_main;       /* 0 */
    int stop_signal;           /* signal used to stop threads at the check; 0 = default */
    int report_signal;         /* a check and report each time this signal arrives; 0 = none */
    int exit_on_first_error;   /* stop after the first shown record, status --error-exitcode */
    int unwind_fp;             /* --unwind=fp: walk frame pointers instead of DWARF */
    int malloc_fill;           /* byte written into fresh blocks; -1 = none; default 0 (fill.h) */
    int free_fill;             /* byte written into freed blocks; -1 = none (default) */
    int keep_debuginfo;        /* --keep-debuginfo=yes: name frames of dlclose'd objects */
    long long freelist_vol;    /* --freelist-vol: bytes of freed blocks kept from reuse;
                                  -1 = default (20000000 for Go programs, else 0) */
};

/* Fills *o with the defaults. */
void lt_options_defaults(struct lt_options *o) LT_HIDDEN;
/* The same on storage known to be all zero (the global lt_opt before the
 * first parse, C11 6.7.9p10): the 150 KB structure's pages are not touched
 * needlessly at every start-up. */
void lt_options_set_defaults(struct lt_options *o) LT_HIDDEN;

/* Characters that separate words in LEAKTRACE_OPTIONS (no quoting: a
 * value cannot contain them, as in Valgrind's VALGRIND_OPTS). */
#define LT_OPTIONS_SEPARATORS " \t\n\r\v\f"

/* Parses one option word ("--num-callers=30", "num-callers=30", "-q").
 * Up to two leading dashes are optional; one-letter options (-q -v -s)
 * take at most one dash. Returns 0 on success, 1 if the word is a
 * Valgrind-only option that is accepted and ignored (*err then holds a
 * one-line notice, "ignoring valgrind-only option --track-origins=yes"),
 * -1 on error (*err names the option and the reason). *err gets no
 * trailing newline and no "leaktrace: " prefix.
 * Later options win. -q/-v move one verbosity counter as Valgrind does
 * (-q after -v undoes it, and vice versa); -s sets verbose >= 1.
 * --log-file and --log-fd replace each other (the last one given wins). */
int lt_options_parse_one(struct lt_options *o, const char *word, char *err, size_t errlen) LT_HIDDEN;

/* Receives one notice (an ignored Valgrind-only option), already prefixed
 * with the origin: "LEAKTRACE_OPTIONS: ignoring valgrind-only option
 * --track-origins=yes". `msg` lives on the parser's stack: copy it if it
 * must outlive the call. */
typedef void (*lt_options_notice_fn)(void *ctx, const char *msg);

/* Parses a whole LEAKTRACE_OPTIONS string. `origin` names where it came
 * from for messages ("LEAKTRACE_OPTIONS"); NULL or "" = no prefix.
 * Words are applied in order; the first bad one stops the parse with
 * *err = "ORIGIN: unknown option 'foo'" (options before it stay applied).
 * Returns 0 or -1. Notices for ignored Valgrind-only options are dropped:
 * use lt_options_parse_string_notify to see them. */
int lt_options_parse_string(struct lt_options *o, const char *text, const char *origin,
                            char *err, size_t errlen) LT_HIDDEN;

/* As lt_options_parse_string, and calls notice(ctx, msg) once per ignored
 * Valgrind-only option, in order, once the whole string is parsed, and not
 * at all if it leaves -q in effect (notice may be NULL). A caller that can
 * print only later (e.g. once the log file is open) can parse the same text
 * again into a scratch struct lt_options with a printing callback. */
int lt_options_parse_string_notify(struct lt_options *o, const char *text, const char *origin,
                                   char *err, size_t errlen,
                                   lt_options_notice_fn notice, void *ctx) LT_HIDDEN;

/* Parses a kind set ("definite,possible", "all", "none"); -1 if malformed
 * (unknown or empty item, spaces, "all"/"none" mixed with other items).
 * Returns 0 and sets *out (LT_KIND_BIT set) on success. */
int lt_options_parse_kinds(const char *s, unsigned *out) LT_HIDDEN;

/* Same grammar for --leak-check-heuristics (stdstring, length64, newarray,
 * multipleinheritance, all, none); *out is an LT_HEUR_BIT set. */
int lt_options_parse_heuristics(const char *s, unsigned *out) LT_HIDDEN;

/* The process-wide settings (filled by the constructor). */
extern struct lt_options lt_opt LT_HIDDEN;
#endif
