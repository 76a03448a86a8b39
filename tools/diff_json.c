/* diff_json.c — reads leaktrace's JSON reports (--json-file), schema_version 1
 * (docs/report-schema.json), with cJSON.
 *
 * A file may hold one report document, several concatenated (one per line or
 * not), or an array of them. Each document is one report of one process;
 * documents with the same pid and command are the same process (a
 * leaktrace_check() report, then the final one): the final report wins, else
 * the last. Only records the text report would print count ("shown": true —
 * not hidden by --show-leak-kinds, not suppressed), so a JSON report diffs
 * clean against the text report of the same run. Unknown properties are
 * ignored, as the schema asks. */
#include "diff.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void line_col(const char *buf, size_t off, long *line, long *col)
{
    long l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Whether text that cJSON rejected ends inside an open string, object or
 * array -- only to word the message ("truncated" vs "invalid"); the
 * parsing itself is cJSON's. */
static bool ends_open(const char *p, const char *end)
{
    long depth = 0;
    bool str = false, esc = false;
    for (; p < end; p++) {
        char ch = *p;
        if (str) {
            if (esc)
                esc = false;
            else if (ch == '\\')
                esc = true;
            else if (ch == '"')
                str = false;
        } else if (ch == '"') {
            str = true;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
    }
    return str || depth > 0;
}

static bool get_count(const cJSON *o, const char *name, uint64_t *v)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(n) || !(n->valuedouble >= 0 && n->valuedouble <= 9007199254740992.0) ||
        (double)(uint64_t)n->valuedouble != n->valuedouble)
        return false;
    *v = (uint64_t)n->valuedouble;
    return true;
}

/* A string property, or NULL when null or absent; -1 when of another type. */
static int get_str(struct ltd_report *r, const cJSON *o, const char *name, const char **out)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = NULL;
    if (!n || cJSON_IsNull(n))
        return 0;
    if (!cJSON_IsString(n) || !n->valuestring)
        return -1;
    *out = ltd_strdup(r, n->valuestring);
    return 0;
}

static int kind_from_word(const char *w)
{
    for (int k = 0; k < LTD_NKINDS; k++)
        if (strcmp(ltd_kind_word(k), w) == 0)
            return k;
    return -1;
}

static int read_frames(struct ltd_report *r, long doc, long ri, const cJSON *frames, struct ltd_record *rec)
{
    int n = cJSON_GetArraySize(frames);
    rec->frames = ltd_alloc(r, (size_t)(n > 0 ? n : 1) * sizeof *rec->frames);
    int j = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, frames)
    {
        struct ltd_frame *fr = &rec->frames[j];
        if (!cJSON_IsObject(f))
            return ltd_fail(r, "document %ld: records[%ld].frames[%d] is not an object", doc, ri, j);
        if (get_str(r, f, "fn", &fr->fn) || get_str(r, f, "file", &fr->file) || get_str(r, f, "object", &fr->obj))
            return ltd_fail(r, "document %ld: records[%ld].frames[%d]: fn, file and object must be strings or null",
                            doc, ri, j);
        const cJSON *ln = cJSON_GetObjectItemCaseSensitive(f, "line");
        if (ln && !cJSON_IsNull(ln)) {
            /* A line is a whole number a long can hold: converting a
             * double outside that range is undefined (a fuzzer finding). */
            double v = ln->valuedouble;
            if (!cJSON_IsNumber(ln) || !(v >= 0 && v <= 2147483647.0) || v != (double)(long)v)
                return ltd_fail(r, "document %ld: records[%ld].frames[%d].line is not a line number",
                                doc, ri, j);
            fr->line = (long)v;
        }
        if (!fr->file)
            fr->line = 0;
        j++;
    }
    rec->nframes = (size_t)j;
    return 0;
}

struct jctx {
    struct ltd_report *r;
    bool *final;        /* per process */
    size_t capfinal;
    long ndocs;
};

static int read_document(struct jctx *c, const cJSON *d)
{
    struct ltd_report *r = c->r;
    long doc = ++c->ndocs;
    if (!cJSON_IsObject(d))
        return ltd_fail(r, "document %ld is not a JSON object: not a leaktrace JSON report", doc);
    const cJSON *sv = cJSON_GetObjectItemCaseSensitive(d, "schema_version");
    if (!sv)
        return ltd_fail(r, "document %ld has no \"schema_version\": not a leaktrace JSON report", doc);
    if (!cJSON_IsNumber(sv))
        return ltd_fail(r, "document %ld: \"schema_version\" is not a number: not a leaktrace JSON report", doc);
    if (sv->valuedouble != 1)
        return ltd_fail(r, "document %ld: unsupported schema_version %g (this leaktrace reads schema_version 1)", doc,
                        sv->valuedouble);
    const cJSON *tool = cJSON_GetObjectItemCaseSensitive(d, "tool");
    const cJSON *tname = cJSON_GetObjectItemCaseSensitive(tool, "name");
    if (!cJSON_IsString(tname) || strcmp(tname->valuestring, "leaktrace") != 0)
        return ltd_fail(r, "document %ld: \"tool\".\"name\" is not \"leaktrace\"", doc);
    uint64_t pid;
    if (!get_count(d, "pid", &pid))
        return ltd_fail(r, "document %ld: \"pid\" missing or not an integer", doc);
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(d, "records");
    if (!cJSON_IsArray(recs))
        return ltd_fail(r, "document %ld: \"records\" missing or not an array", doc);
    const char *command, *program;
    if (get_str(r, d, "command", &command) || get_str(r, d, "program", &program))
        return ltd_fail(r, "document %ld: \"command\" and \"program\" must be strings or null", doc);
    const char *exe = NULL;
    const cJSON *argv = cJSON_GetObjectItemCaseSensitive(d, "argv");
    if (cJSON_IsArray(argv) && cJSON_IsString(cJSON_GetArrayItem(argv, 0)))
        exe = cJSON_GetArrayItem(argv, 0)->valuestring;
    else if (!command)
        exe = program;
    const cJSON *fin = cJSON_GetObjectItemCaseSensitive(d, "final");
    bool final = !cJSON_IsBool(fin) || cJSON_IsTrue(fin);

    /* The same process reported before: keep the final report, else the later. */
    for (size_t i = 0; i < r->nprocs; i++) {
        struct ltd_proc *p = &r->procs[i];
        if (p->dropped || p->pid != (long)pid)
            continue;
        if (!((!p->command && !command) || (p->command && command && strcmp(p->command, command) == 0)))
            continue;
        if (c->final[i] && !final)
            return 0;
        p->dropped = 1;
    }
    struct ltd_proc *p = ltd_proc_new(r, (long)pid);
    if (r->nprocs > c->capfinal) {
        c->capfinal = r->capprocs;
        c->final = ltd_xrealloc(c->final, c->capfinal * sizeof *c->final);
    }
    c->final[r->nprocs - 1] = final;
    ltd_proc_set_command(r, p, command, exe);

    long ri = 0;
    const cJSON *rec;
    cJSON_ArrayForEach(rec, recs)
    {
        if (!cJSON_IsObject(rec))
            return ltd_fail(r, "document %ld: records[%ld] is not an object", doc, ri);
        const cJSON *shown = cJSON_GetObjectItemCaseSensitive(rec, "shown");
        const cJSON *supp = cJSON_GetObjectItemCaseSensitive(rec, "suppressed");
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(rec, "kind");
        const cJSON *frames = cJSON_GetObjectItemCaseSensitive(rec, "frames");
        int k = cJSON_IsString(kind) ? kind_from_word(kind->valuestring) : -1;
        uint64_t bytes, blocks, direct, indirect;
        if (k < 0)
            return ltd_fail(r, "document %ld: records[%ld].kind missing or not one of definite, indirect, "
                               "possible, reachable",
                            doc, ri);
        if (!get_count(rec, "bytes", &bytes) || !get_count(rec, "blocks", &blocks))
            return ltd_fail(r, "document %ld: records[%ld]: \"bytes\" and \"blocks\" must be integers >= 0", doc, ri);
        if (!cJSON_IsArray(frames))
            return ltd_fail(r, "document %ld: records[%ld].frames missing or not an array", doc, ri);
        if ((shown && !cJSON_IsBool(shown)) || (supp && !cJSON_IsBool(supp)))
            return ltd_fail(r, "document %ld: records[%ld]: \"shown\" and \"suppressed\" must be booleans", doc, ri);
        if (!get_count(rec, "direct_bytes", &direct) || !get_count(rec, "indirect_bytes", &indirect) ||
            direct + indirect != bytes) {
            direct = bytes;
            indirect = 0;
        }
        if ((shown && cJSON_IsFalse(shown)) || cJSON_IsTrue(supp)) {
            ri++;
            continue;
        }
        p = &r->procs[r->nprocs - 1];
        struct ltd_record *out = ltd_proc_add(r, p);
        out->kind = k;
        out->bytes = bytes;
        out->direct = direct;
        out->indirect = indirect;
        out->blocks = blocks;
        uint64_t v;
        out->number = get_count(rec, "number", &v) ? (long)v : 0;
        out->total = get_count(rec, "total", &v) ? (long)v : 0;
        if (read_frames(r, doc, ri, frames, out) != 0)
            return -1;
        if (out->nframes == 0)
            return ltd_fail(r, "document %ld: records[%ld] has no frames", doc, ri);
        ri++;
    }
    return 0;
}

int ltd_read_json(struct ltd_report *r, const char *buf, size_t len)
{
    struct jctx c = { .r = r };
    const char *p = buf, *end = buf + len;
    int rc = 0;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if (p >= end)
            break;
        const char *pe = NULL;
        cJSON *d = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &pe, false);
        if (!d) {
            const char *at = pe ? pe : cJSON_GetErrorPtr();
            size_t off = at && at >= buf && at <= end ? (size_t)(at - buf) : len;
            long line, col;
            line_col(buf, off, &line, &col);
            if (ends_open(p, end))
                rc = ltd_fail(r, "truncated JSON: the file ends inside a value (line %ld, column %ld)", line, col);
            else
                rc = ltd_fail(r, "invalid JSON at line %ld, column %ld", line, col);
            break;
        }
        if (cJSON_IsArray(d)) {
            const cJSON *e;
            cJSON_ArrayForEach(e, d)
            {
                if ((rc = read_document(&c, e)) != 0)
                    break;
            }
        } else {
            rc = read_document(&c, d);
        }
        cJSON_Delete(d);
        if (rc != 0)
            break;
        p = pe;
    }
    free(c.final);
    if (rc == 0 && c.ndocs == 0)
        rc = ltd_fail(r, "an empty JSON array: no report in it");
    return rc;
}
