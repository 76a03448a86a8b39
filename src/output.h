/* output.h — where reports go.
 *
 * Promises: the text report goes to --log-fd, to --log-file (%p, written
 * under a temporary name and renamed), or to a private duplicate of the
 * stderr the program started with — taken at start-up, since programs
 * close fd 2 — and never to a descriptor the program has since reused for
 * something else; --xml-file, --json-file, --sarif-file and --folded-file
 * are written beside it. Writing cannot kill the program (SIGPIPE,
 * SIGXFSZ). A destination that cannot be written falls back to stderr with
 * a warning. */
#ifndef LT_OUTPUT_H
#define LT_OUTPUT_H
#include "report.h"

/* Takes the private duplicate of stderr (constructor). */
void lt_output_init(void) LT_HIDDEN;
/* Writes every report the options ask for. */
void lt_output_write(struct lt_records *r, const struct lt_report_ctx *ctx) LT_HIDDEN;
#endif
