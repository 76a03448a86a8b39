/* report_json.h — the report as JSON (--json-file), and the JSON emitter
 * the SARIF writer shares.
 *
 * Promises: one document per report that validates against
 * docs/report-schema.json (schema_version 1; see docs/outputs.md): the
 * program, its arguments, pid/ppid, exit status and fatal signal, the HEAP,
 * LEAK and ERROR summaries exactly as the text report counts them, and every
 * loss record (shown, hidden and suppressed) with its flags and its frames
 * as the text report prints them (lt_report_frames). Strings are valid
 * UTF-8: a byte that is not part of a valid UTF-8 sequence becomes \ufffd,
 * control characters (< 0x20, 0x7f) become \n \t ... or \u00XX, '"' and '\\'
 * are escaped; nothing else is. No malloc, no stdio: output goes through
 * the lt_writer, state lives on the stack. Symbolization runs inside (the
 * caller holds the guard, as for lt_report_text). */
#ifndef LT_REPORT_JSON_H
#define LT_REPORT_JSON_H
#include "report.h"

#define LT_JSON_SCHEMA_VERSION 1

void lt_report_json(struct lt_writer *w, const struct lt_records *r,
                    const struct lt_report_ctx *ctx, const struct lt_options *o) LT_HIDDEN;

/* Writes `s` as a JSON string literal (quotes included); NULL -> null. */
void lt_json_string(struct lt_writer *w, const char *s) LT_HIDDEN;
/* The same for `n` bytes (NUL bytes in them become \u0000). */
void lt_json_string_n(struct lt_writer *w, const char *s, size_t n) LT_HIDDEN;
/* Writes the bytes of `s` escaped for the inside of a JSON string literal. */
void lt_json_escape(struct lt_writer *w, const char *s, size_t n) LT_HIDDEN;

/* "definite", "indirect", "possible", "reachable". */
const char *lt_json_kind_name(int kind) LT_HIDDEN;

/* A small pretty-printing emitter: nested objects and arrays, commas and
 * indentation handled (two spaces a level); a container opened with
 * lt_json_open_inline is written on one line, with everything inside it.
 * Keys are written as given (callers pass literals that need no escaping). */
struct lt_json {
    struct lt_writer *w;
    int depth;
    int inline_from;       /* depth at which the current one-line run began, or 0 */
    bool first;            /* nothing written yet in the current container */
};

void lt_json_init(struct lt_json *j, struct lt_writer *w) LT_HIDDEN;
void lt_json_open(struct lt_json *j, const char *key, char bracket) LT_HIDDEN;   /* '{' or '[' */
void lt_json_open_inline(struct lt_json *j, const char *key, char bracket) LT_HIDDEN;
void lt_json_close(struct lt_json *j, char bracket) LT_HIDDEN;                    /* '}' or ']' */
void lt_json_key(struct lt_json *j, const char *key) LT_HIDDEN;   /* separator + "key": (key NULL: array item) */
void lt_json_str(struct lt_json *j, const char *key, const char *s) LT_HIDDEN;    /* NULL -> null */
void lt_json_u64(struct lt_json *j, const char *key, uint64_t v) LT_HIDDEN;
void lt_json_i64(struct lt_json *j, const char *key, int64_t v) LT_HIDDEN;
void lt_json_bool(struct lt_json *j, const char *key, bool v) LT_HIDDEN;
void lt_json_null(struct lt_json *j, const char *key) LT_HIDDEN;
/* Ends the document with a newline. */
void lt_json_finish(struct lt_json *j) LT_HIDDEN;
#endif
