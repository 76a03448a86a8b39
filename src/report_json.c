/* report_json.c — the report as JSON (see report_json.h, docs/report-schema.json). */
#include "report_json.h"
#include "arena.h"
#include "symbols.h"
#include "suppress.h"
#include "coverage.h"
#include <limits.h>
#include <string.h>
#include <unistd.h>

/* ---- strings ------------------------------------------------------------------ */

void lt_json_escape(struct lt_writer *w, const char *str, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t run = 0;                /* bytes [i-run, i) to copy as they are */
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        const char *esc = NULL;
        char u[6];
        size_t len = 1;
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\t')
            esc = "\\t";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\b')
            esc = "\\b";
        else if (c == '\f')
            esc = "\\f";
        else if (c < 0x20 || c == 0x7f) {
            u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
            u[4] = hex[c >> 4];
            u[5] = hex[c & 15];
        } else if (c >= 0x80) {
            len = lt_utf8_len(s + i, n - i);
            if (!len) {
                esc = "\\ufffd";
                len = 1;
            }
        }
        if (!esc && !(c < 0x20 || c == 0x7f)) {
            run += len;
            i += len;
            continue;
        }
        if (run)
            lt_putn(w, (const char *)s + i - run, run);
        run = 0;
        if (esc)
            lt_put(w, esc);
        else
            lt_putn(w, u, sizeof u);
        i += len;
    }
    if (run)
        lt_putn(w, (const char *)s + i - run, run);
}

void lt_json_string_n(struct lt_writer *w, const char *s, size_t n)
{
    lt_putc(w, '"');
    lt_json_escape(w, s, n);
    lt_putc(w, '"');
}

void lt_json_string(struct lt_writer *w, const char *s)
{
    if (!s) {
        lt_put(w, "null");
        return;
    }
    lt_json_string_n(w, s, strlen(s));
}

const char *lt_json_kind_name(int kind)
{
    static const char *const names[LT_NKINDS] = { "reachable", "possible", "indirect", "definite" };
    return kind >= 0 && kind < LT_NKINDS ? names[kind] : "unknown";
}

/* ---- emitter ------------------------------------------------------------------ */

void lt_json_init(struct lt_json *j, struct lt_writer *w)
{
    memset(j, 0, sizeof *j);
    j->w = w;
    j->first = true;
}

static bool is_inline(const struct lt_json *j)
{
    return j->inline_from > 0 && j->depth >= j->inline_from;
}

static void newline_indent(struct lt_json *j, int depth)
{
    lt_putc(j->w, '\n');
    for (int i = 0; i < depth; i++)
        lt_put(j->w, "  ");
}

void lt_json_key(struct lt_json *j, const char *key)
{
    if (j->depth > 0) {
        if (!j->first)
            lt_putc(j->w, ',');
        if (is_inline(j)) {
            if (!j->first)
                lt_putc(j->w, ' ');
        } else {
            newline_indent(j, j->depth);
        }
    }
    j->first = false;
    if (key) {
        lt_putc(j->w, '"');
        lt_put(j->w, key);
        lt_put(j->w, "\": ");
    }
}

void lt_json_open(struct lt_json *j, const char *key, char bracket)
{
    lt_json_key(j, key);
    lt_putc(j->w, bracket);
    j->depth++;
    j->first = true;
}

void lt_json_open_inline(struct lt_json *j, const char *key, char bracket)
{
    lt_json_open(j, key, bracket);
    if (!j->inline_from)
        j->inline_from = j->depth;
}

void lt_json_close(struct lt_json *j, char bracket)
{
    bool was_inline = is_inline(j);
    bool empty = j->first;
    j->depth--;
    if (!empty && !was_inline)
        newline_indent(j, j->depth);
    lt_putc(j->w, bracket);
    if (j->inline_from > j->depth)
        j->inline_from = 0;
    j->first = false;
}

void lt_json_str(struct lt_json *j, const char *key, const char *s)
{
    lt_json_key(j, key);
    lt_json_string(j->w, s);
}

void lt_json_u64(struct lt_json *j, const char *key, uint64_t v)
{
    lt_json_key(j, key);
    lt_put_u64(j->w, v);
}

void lt_json_i64(struct lt_json *j, const char *key, int64_t v)
{
    lt_json_key(j, key);
    if (v < 0) {
        lt_putc(j->w, '-');
        lt_put_u64(j->w, (uint64_t)0 - (uint64_t)v);
    } else {
        lt_put_u64(j->w, (uint64_t)v);
    }
}

void lt_json_bool(struct lt_json *j, const char *key, bool v)
{
    lt_json_key(j, key);
    lt_put(j->w, v ? "true" : "false");
}

void lt_json_null(struct lt_json *j, const char *key)
{
    lt_json_key(j, key);
    lt_put(j->w, "null");
}

void lt_json_finish(struct lt_json *j)
{
    lt_putc(j->w, '\n');
}

/* ---- the report --------------------------------------------------------------- */

static void put_frame(void *arg, int index, uintptr_t ip, const struct lt_frame_info *f)
{
    struct lt_json *j = arg;
    lt_json_open_inline(j, NULL, '{');
    lt_json_i64(j, "index", index);
    lt_json_str(j, "fn", f->fn);
    lt_json_str(j, "mangled", f->mangled);
    lt_json_str(j, "file", f->file);
    lt_json_str(j, "dir", f->file ? f->dir : NULL);
    if (f->file)
        lt_json_u64(j, "line", f->line);
    else
        lt_json_null(j, "line");
    lt_json_str(j, "object", f->obj);
    if (f->obj)
        lt_json_u64(j, "offset", f->obj_offset);
    else
        lt_json_null(j, "offset");
    lt_json_u64(j, "ip", ip);
    lt_json_close(j, '}');
}

static void put_frames(struct lt_json *j, uint32_t stack, const struct lt_options *o)
{
    lt_json_open(j, "frames", '[');
    if (stack)
        lt_report_frames(stack, o, put_frame, j);
    lt_json_close(j, ']');
}

static void put_kinds(struct lt_json *j, const char *key, unsigned set)
{
    static const int order[] = { LT_DEFINITE, LT_INDIRECT, LT_POSSIBLE, LT_REACHABLE };
    lt_json_open_inline(j, key, '[');
    for (int i = 0; i < 4; i++)
        if (set & LT_KIND_BIT(order[i]))
            lt_json_str(j, NULL, lt_json_kind_name(order[i]));
    lt_json_close(j, ']');
}

static void put_amount(struct lt_json *j, const char *key, uint64_t bytes, uint64_t blocks)
{
    lt_json_open_inline(j, key, '{');
    lt_json_u64(j, "bytes", bytes);
    lt_json_u64(j, "blocks", blocks);
    lt_json_close(j, '}');
}

static void put_program(struct lt_json *j)
{
    /* Arena, not stack: the report may be written on a signal stack. */
    size_t size = PATH_MAX;
    char *exe = lt_arena_alloc(size);
    ssize_t n = exe ? readlink("/proc/self/exe", exe, size) : -1;
    lt_json_key(j, "program");
    if (n > 0 && (size_t)n < size)
        lt_json_string_n(j->w, exe, (size_t)n);
    else
        lt_put(j->w, "null");
    if (exe)
        lt_arena_free(exe, size);
}

void lt_report_json(struct lt_writer *w, const struct lt_records *r,
                    const struct lt_report_ctx *ctx, const struct lt_options *o)
{
    static const char *const check_names[] = { "no", "summary", "full" };
    struct lt_json jj, *j = &jj;
    lt_json_init(j, w);       /* one frame a line, the rest one value a line */
    lt_json_open(j, NULL, '{');
    lt_json_i64(j, "schema_version", LT_JSON_SCHEMA_VERSION);
    lt_json_open_inline(j, "tool", '{');
    lt_json_str(j, "name", "leaktrace");
    lt_json_str(j, "version", LT_VERSION);
    lt_json_close(j, '}');
    put_program(j);
    if (ctx->argv) {
        lt_json_open_inline(j, "argv", '[');
        for (int i = 0; i < ctx->argc && ctx->argv[i]; i++)
            lt_json_str(j, NULL, ctx->argv[i]);
        lt_json_close(j, ']');
    } else {
        lt_json_null(j, "argv");
    }
    lt_json_str(j, "command", ctx->command);
    lt_json_i64(j, "pid", ctx->pid);
    lt_json_i64(j, "ppid", (int64_t)getppid());
    lt_json_bool(j, "final", ctx->final);
    lt_json_i64(j, "exit_status", ctx->exit_status >= 0 ? (ctx->exit_status & 0xff) : -1);
    if (ctx->fatal_signal) {
        const char *abbrev = sigabbrev_np(ctx->fatal_signal);
        char name[32] = "SIG?";
        if (abbrev && strlen(abbrev) < sizeof name - 4) {
            memcpy(name + 3, abbrev, strlen(abbrev) + 1);
        }
        lt_json_open(j, "fatal_signal", '{');
        lt_json_i64(j, "number", ctx->fatal_signal);
        lt_json_str(j, "name", name);
        lt_json_bool(j, "by_kernel", ctx->fatal_code > 0);
        put_frames(j, ctx->fatal_stack, o);
        lt_json_close(j, '}');
    } else {
        lt_json_null(j, "fatal_signal");
    }

    lt_json_open(j, "options", '{');
    lt_json_str(j, "leak_check", o->leak_check >= 0 && o->leak_check <= 2 ? check_names[o->leak_check] : "full");
    put_kinds(j, "show_leak_kinds", o->show_kinds);
    put_kinds(j, "errors_for_leak_kinds", o->error_kinds);
    lt_json_i64(j, "num_callers", o->num_callers);
    lt_json_str(j, "leak_resolution", o->leak_resolution == LT_RES_LOW   ? "low"
                                      : o->leak_resolution == LT_RES_MED ? "med"
                                                                         : "high");
    lt_json_bool(j, "show_below_main", o->show_below_main != 0);
    lt_json_close(j, '}');

    lt_json_open(j, "heap_summary", '{');
    lt_json_u64(j, "in_use_bytes", r->in_use_bytes);
    lt_json_u64(j, "in_use_blocks", r->in_use_blocks);
    lt_json_u64(j, "allocs", ctx->usage.allocs);
    lt_json_u64(j, "frees", ctx->usage.frees);
    lt_json_u64(j, "bytes_allocated", ctx->usage.bytes_allocated);
    lt_json_close(j, '}');

    bool searched = o->leak_check != LT_CHECK_NO;
    if (searched) {
        static const char *const heur[LT_NHEURISTICS] = { NULL, "stdstring", "length64", "newarray",
                                                          "multipleinheritance" };
        lt_json_open(j, "leak_summary", '{');
        put_amount(j, "definitely_lost", r->kind_bytes[LT_DEFINITE], r->kind_blocks[LT_DEFINITE]);
        put_amount(j, "indirectly_lost", r->kind_bytes[LT_INDIRECT], r->kind_blocks[LT_INDIRECT]);
        put_amount(j, "possibly_lost", r->kind_bytes[LT_POSSIBLE], r->kind_blocks[LT_POSSIBLE]);
        put_amount(j, "still_reachable", r->kind_bytes[LT_REACHABLE], r->kind_blocks[LT_REACHABLE]);
        put_amount(j, "suppressed", r->supp_bytes, r->supp_blocks);
        lt_json_open(j, "reachable_via_heuristic", '{');
        for (int h = 1; h < LT_NHEURISTICS; h++)
            put_amount(j, heur[h], r->heur_bytes[h], r->heur_blocks[h]);
        lt_json_close(j, '}');
        lt_json_close(j, '}');
    } else {
        lt_json_null(j, "leak_summary");
    }

    /* What the check could not see (coverage.h): "incomplete" is true when
     * the report must not pass as a clean heap; one sentence per warning. */
    struct lt_coverage cov;
    lt_coverage_get(&cov);
    lt_json_bool(j, "incomplete", cov.incomplete);
    lt_json_open(j, "warnings", '[');
    for (int i = 0; i < cov.n; i++)
        lt_json_str(j, NULL, cov.text[i]);
    lt_json_close(j, ']');

    lt_json_open(j, "error_summary", '{');
    lt_json_u64(j, "errors", r->errors);
    lt_json_u64(j, "contexts", r->errors);
    lt_json_u64(j, "suppressed_errors", r->supp_errors);
    lt_json_u64(j, "suppressed_contexts", r->supp_errors);
    lt_json_close(j, '}');

    lt_json_open(j, "records", '[');
    if (searched) {
        for (size_t i = 0; i < r->n; i++) {
            const struct lt_record *rec = &r->v[i];
            uint64_t indirect = rec->kind == LT_DEFINITE ? rec->indirect : 0;
            lt_json_open(j, NULL, '{');
            lt_json_u64(j, "number", rec->number);
            lt_json_u64(j, "total", r->n);
            lt_json_str(j, "kind", lt_json_kind_name(rec->kind));
            lt_json_u64(j, "bytes", rec->bytes + indirect);
            lt_json_u64(j, "direct_bytes", rec->bytes);
            lt_json_u64(j, "indirect_bytes", indirect);
            lt_json_u64(j, "blocks", rec->blocks);
            lt_json_bool(j, "shown", rec->shown);
            lt_json_bool(j, "error", rec->error);
            lt_json_bool(j, "suppressed", rec->supp >= 0);
            lt_json_str(j, "suppression", rec->supp >= 0 ? lt_supp_name(rec->supp) : NULL);
            put_frames(j, rec->stack, o);
            lt_json_close(j, '}');
        }
    }
    lt_json_close(j, ']');
    lt_json_close(j, '}');
    lt_json_finish(j);
}
