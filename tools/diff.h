/* diff.h — `leaktrace diff BASE NEW`: compare two leak reports.
 *
 * The launcher (tools/leaktrace.c) dispatches `leaktrace diff ...` here:
 *     if (argc > 1 && strcmp(argv[1], "diff") == 0) return lt_diff_main(argc - 1, argv + 1);
 * argv[0] is then "diff". Exit status: 0 nothing new or grown among the error
 * kinds, 1 something is, 2 bad usage or a bad input file. See docs/diff.md.
 *
 * Everything below lt_diff_main is internal to tools/diff*.c: the report
 * model the readers (diff_text.c, diff_xml.c, diff_json.c) fill in and the
 * comparison (diff.c) consumes. */
#ifndef LT_DIFF_H
#define LT_DIFF_H

#include <stddef.h>
#include <stdint.h>

int lt_diff_main(int argc, char **argv);

/* ---- internal ------------------------------------------------------------------------ */

/* Leak kinds, in Valgrind's sort order (least to most severe). */
enum { LTD_REACHABLE, LTD_POSSIBLE, LTD_INDIRECT, LTD_DEFINITE, LTD_NKINDS };

/* One frame as the report prints it; NULL where the report has nothing. */
struct ltd_frame {
    const char *fn;     /* demangled name; NULL for ??? */
    const char *file;   /* source file as printed (usually a base name) */
    const char *obj;    /* object path */
    long line;          /* 0 when unknown */
};

/* One loss record. */
struct ltd_record {
    int kind;
    uint64_t bytes;           /* direct + indirect */
    uint64_t direct, indirect;
    uint64_t blocks;
    long number, total;       /* "loss record K of T"; 0 when unknown */
    struct ltd_frame *frames;
    size_t nframes;
    const char *program;      /* base name of the program, NULL if unknown */
    long pid;
    long src_line;            /* where it starts in the file (text, XML); 0 otherwise */
};

/* Records of one process while a reader collects them. A process may hold
 * several leak searches (leaktrace_check(), VALGRIND_DO_LEAK_CHECK): only
 * the last one counts, so a new search empties the list. */
struct ltd_proc {
    long pid;
    const char *command;      /* "Command:" text, NULL if none */
    const char *program;
    struct ltd_record *recs;
    size_t n, cap;
    long last_number;         /* K of the latest record of the current search */
    int dropped;              /* superseded by a later report of the same process */
};

struct ltd_chunk;

struct ltd_report {
    const char *path;         /* as given on the command line ("-" = stdin) */
    const char *format;       /* "leaktrace text", "valgrind text", "valgrind XML", "leaktrace JSON" */
    struct ltd_chunk *arena;
    struct ltd_proc *procs;
    size_t nprocs, capprocs;
    struct ltd_record *recs;  /* all records of the kept processes, after ltd_commit() */
    size_t nrecs;
    size_t nkept;             /* processes kept */
    char error[1024];
};

/* realloc that never returns NULL: out of memory ends the tool (status 2). */
void *ltd_xrealloc(void *p, size_t n);
void *ltd_alloc(struct ltd_report *r, size_t n);
char *ltd_strndup(struct ltd_report *r, const char *s, size_t n);
char *ltd_strdup(struct ltd_report *r, const char *s);
/* Records "what is wrong" (the caller prefixes the file name); returns -1. */
int ltd_fail(struct ltd_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct ltd_proc *ltd_proc_new(struct ltd_report *r, long pid);
/* Appends a zeroed record to the process; NULL when out of memory. */
struct ltd_record *ltd_proc_add(struct ltd_report *r, struct ltd_proc *p);
/* Starts a new leak search in the process (its records so far are dropped). */
void ltd_proc_restart(struct ltd_proc *p);
/* Sets command and program (base name of the first word, or of exe if given). */
void ltd_proc_set_command(struct ltd_report *r, struct ltd_proc *p, const char *command, const char *exe);
/* Moves the records of the processes not dropped into r->recs. */
int ltd_commit(struct ltd_report *r);

/* "definitely lost" -> LTD_DEFINITE ...; -1 if not a kind. */
int ltd_kind_from_text(const char *s, size_t n);
const char *ltd_kind_text(int kind);   /* "definitely lost" */
const char *ltd_kind_word(int kind);   /* "definite" */

/* Readers: fill r from the whole file; 0, or -1 with r->error set. */
int ltd_read_text(struct ltd_report *r, const char *buf, size_t len);
int ltd_read_xml(struct ltd_report *r, const char *buf, size_t len);
int ltd_read_json(struct ltd_report *r, const char *buf, size_t len);

/* Parses the text after "==PID== " of a loss record header:
 *   "N [(D direct, I indirect)] bytes in M blocks are KIND in [new ]loss record K of T"
 * (Valgrind's delta decorations "(+N)"/"(-N)" are skipped). 0 on success. */
int ltd_parse_record_header(const char *s, size_t n, struct ltd_record *out);

#endif
