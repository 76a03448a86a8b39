/* report.h — loss records, their order, and the text report.
 *
 * Promises (Valgrind memcheck, mc_leakcheck.c print_results and research
 * note §2): blocks are grouped into loss records by (kind, allocation
 * stack), stacks compared over --leak-resolution frames; records are sorted
 * by total bytes, then kind, then block count, then stack age, and numbered
 * 1..T over all records (shown, hidden and suppressed); a definite record
 * carries the indirect bytes of the cliques it leads. The text is Valgrind's
 * line for line. */
#ifndef LT_REPORT_H
#define LT_REPORT_H
#include "lt.h"
#include "scan.h"
#include "table.h"
#include "options.h"
#include "writer.h"

struct lt_record {
    uint8_t kind;          /* enum lt_kind */
    uint32_t stack;        /* depot id of the record's stack */
    uint64_t bytes;        /* direct bytes */
    uint64_t indirect;     /* definite records: bytes of the cliques they lead */
    uint64_t blocks;
    uint32_t number;       /* 1-based "loss record K of T" */
    int supp;              /* index of the suppression that matched, or -1 */
    bool shown;            /* printed in the full report */
    bool error;            /* counted in ERROR SUMMARY (and for --error-exitcode) */
};

struct lt_records {
    struct lt_record *v;
    size_t n, bytes;
    uint64_t kind_bytes[LT_NKINDS], kind_blocks[LT_NKINDS];
    uint64_t heur_bytes[LT_NHEURISTICS], heur_blocks[LT_NHEURISTICS];
    uint64_t supp_bytes, supp_blocks;
    uint64_t in_use_bytes, in_use_blocks;
    uint64_t errors, supp_errors;
    uint64_t checked_bytes;        /* roots and reached blocks scanned (Valgrind -v "Checked") */
    bool stopped_at_first_error;   /* --exit-on-first-error: the report stopped there */
};

/* Groups, sorts, numbers and classifies (shown/error/suppressed). */
int lt_records_build(struct lt_records *r, const struct lt_scan *s, const struct lt_options *o) LT_HIDDEN;
void lt_records_free(struct lt_records *r) LT_HIDDEN;

/* Context of a report. */
struct lt_report_ctx {
    int pid;
    const char *command;   /* "prog arg1 arg2", or NULL */
    const char *xml_command; /* the same for the XML preamble (args.h), or NULL: command */
    struct lt_heap_usage usage;
    int fatal_signal;      /* the process is dying of this signal, or 0 */
    uint32_t fatal_stack;  /* where it was raised (depot id), or 0 */
    int fatal_code;        /* its si_code: > 0 a fault the kernel raised (SEGV_MAPERR, ...),
                              <= 0 sent by kill(), raise(), tgkill() */
    uintptr_t fatal_addr;  /* its si_addr (the faulting address of a fault) */
    bool final;            /* the process is ending (not a check on request) */
    int exit_status;       /* final: the status the program asked for (exit, _exit, return), or -1 */
    int argc;
    char **argv;           /* the program's arguments, when known (else NULL) */
};

/* Writes the text report (HEAP SUMMARY, records, LEAK SUMMARY, ERROR
 * SUMMARY). Symbolization runs inside; the caller holds the guard. */
void lt_report_text(struct lt_writer *w, struct lt_records *r,
                    const struct lt_report_ctx *ctx, const struct lt_options *o) LT_HIDDEN;

/* "definitely lost", "indirectly lost", "possibly lost", "still reachable"
 * for enum lt_kind, as the loss records and the LEAK SUMMARY name them. */
const char *lt_kind_text(int kind) LT_HIDDEN;

/* A loss record's sentence, without the ==PID== prefix or newline
 * (Valgrind's mc_leakcheck.c pp_LossRecord): "1,258 (1,226 direct, 32
 * indirect) bytes in 2 blocks are definitely lost in loss record 5 of 9"
 * (the parenthesis only for a definite record that leads indirect bytes). */
void lt_put_record_sentence(struct lt_writer *w, const struct lt_record *rec, size_t total) LT_HIDDEN;

/* Frames of a stack as printed (inlined frames expanded, cut after main).
 * Calls fn once per printed frame; returns the number printed. */
struct lt_frame_info;
typedef void (*lt_frame_cb)(void *arg, int index, uintptr_t ip, const struct lt_frame_info *f);
int lt_report_frames(uint32_t stack, const struct lt_options *o, lt_frame_cb cb, void *arg) LT_HIDDEN;
#endif
