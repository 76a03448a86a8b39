/* report_sarif.h — the report as SARIF 2.1.0 (--sarif-file), for
 * code-scanning dashboards.
 *
 * Promises (docs/outputs.md has the details):
 *  - one run, tool.driver "leaktrace" with four rules, one per kind
 *    (leaktrace/definitely-lost error, leaktrace/possibly-lost warning,
 *    leaktrace/indirectly-lost and leaktrace/still-reachable note), one
 *    invocation (command line, exit code or signal, working directory);
 *  - one result per *shown* loss record (the records the text report
 *    prints), in loss-record order; its message is the record's header
 *    line and its stack as the text prints them (without addresses);
 *  - its location is the record's "own" frame: the first printed frame
 *    that is not in the tool, whose object is not a system library (under
 *    /lib, /lib32, /lib64, /usr/lib, /usr/lib32, /usr/lib64, /usr/libexec),
 *    whose source is not a system header (/usr/include, /usr/lib) nor
 *    code cgo generates (_cgo_*, cgo-*) nor the Go runtime (runtime.*) and
 *    that has file:line; failing that the first frame with file:line; failing
 *    that the first frame's object (no region);
 *  - artifact URIs: the source path is the DWARF dir + file, lexically
 *    normalised; it is made relative to its source root, the nearest
 *    ancestor directory holding ".git" (file or directory), else the
 *    working directory if it lies under it, with uriBaseId "SRCROOT"
 *    (further roots "SRCROOT1", "SRCROOT2", ...; all in
 *    run.originalUriBaseIds); otherwise an absolute file:// URI. URIs are
 *    percent-encoded (RFC 3986);
 *  - codeFlows: one thread flow with the frames that have file:line,
 *    outermost first (nestingLevel 0 = the outermost), ending at the
 *    allocating call; stacks: every printed frame, innermost first, with
 *    its module (object path);
 *  - partialFingerprints "leaktraceStack/v1": a hash of the kind and the
 *    symbolic stack (function and file base name per frame, object base
 *    name when there is no function), stable across runs and machines.
 * No malloc, no stdio: arena memory, the lt_writer, and access(2)/getcwd
 * for the source-root rule. */
#ifndef LT_REPORT_SARIF_H
#define LT_REPORT_SARIF_H
#include "report.h"

void lt_report_sarif(struct lt_writer *w, const struct lt_records *r,
                     const struct lt_report_ctx *ctx, const struct lt_options *o) LT_HIDDEN;

/* Exposed for tests. */

/* Normalises an absolute path in place: "//" and "/./" collapse, "x/.."
 * goes away (lexically, as the DWARF text says; symlinks are not
 * resolved). Relative paths are left as they are. */
void lt_sarif_normalize_path(char *path) LT_HIDDEN;

/* Writes `s` percent-encoded as a URI path (unreserved characters,
 * sub-delims, ':', '@' and '/' stay). */
void lt_sarif_put_uri_path(struct lt_writer *w, const char *s) LT_HIDDEN;

/* True if a frame in `obj` with source in `dir` counts as the program's
 * own code (see above); NULL dir is fine. */
bool lt_sarif_own_frame(const char *obj, const char *dir) LT_HIDDEN;

/* The fingerprint of a record: FNV-1a 64 of the kind and symbolic stack,
 * as 16 lowercase hex digits and a NUL into out[17]. */
struct lt_frame_list;
void lt_sarif_fingerprint(int kind, const struct lt_frame_list *l, char out[17]) LT_HIDDEN;
#endif
