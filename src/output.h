/* output.h — where reports go.
 *
 * Promises: the text report goes to --log-fd, to --log-file (%p, written
 * under a temporary name and renamed), or to the stderr the program
 * started with — fd 2 while it is still that file, a copy taken when the
 * program replaced it, or the file reopened by name — and never to a descriptor the program has since reused for
 * something else; --xml-file, --json-file, --sarif-file and --folded-file
 * are written beside it. Writing cannot kill the program (SIGPIPE,
 * SIGXFSZ). A destination that cannot be written falls back to stderr with
 * a warning. */
#ifndef LT_OUTPUT_H
#define LT_OUTPUT_H
#include "report.h"

/* Notes which file stderr is (constructor). */
void lt_output_init(void) LT_HIDDEN;
/* Before the program closes or replaces fd 2: a copy of the original at or
 * below `top` (descriptors.c); the descriptor, or -1. */
int lt_output_stash_stderr(int top) LT_HIDDEN;
/* Where a one-line diagnostic may go: lt_err_fd while it is still the
 * original stderr, else -1 (lt.c: lt_warn). */
int lt_output_diag_fd(void) LT_HIDDEN;
/* Writes every report the options ask for. */
void lt_output_write(struct lt_records *r, const struct lt_report_ctx *ctx) LT_HIDDEN;
#endif
