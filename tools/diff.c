/* diff.c — `leaktrace diff [options] BASE NEW`: which leaks are new, fixed,
 * grown or shrunk between two reports.
 *
 * Inputs (detected by content, see load()): our JSON (--json-file), our text
 * report, Valgrind's text report, Valgrind's XML (--xml=yes). Each reader
 * (diff_text.c, diff_xml.c, diff_json.c) fills the same model (diff.h): the
 * loss records of every process in the file, the last leak search of each.
 *
 * Identity of a leak (identity_key()): its kind and its symbolic stack —
 * frame 0 by function name only (allocator families folded: Valgrind 3.19
 * names realloc(NULL)/reallocarray "malloc" or "realloc", aligned_alloc/valloc
 * "memalign"; leading frames inside the checker's own object are skipped, as
 * Valgrind's posix_memalign shows memalign above it), then each frame as
 * "fn (file)" or "fn", or "??? (in object)" when it has no symbol, with file
 * and object reduced to their base names and no line numbers unless
 * --match-lines. Addresses never count.
 * Records of one report with the same identity are summed; all processes of a
 * file are merged (--per-program adds the program's name to the identity).
 *
 * Exit status: 0 nothing new or grown among --errors-for-leak-kinds
 * (default definite,possible), 1 something is, 2 bad usage or bad input. */
#include "diff.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- memory, errors, processes (shared by the readers) -------------------------------- */

struct ltd_chunk {
    struct ltd_chunk *next;
    size_t used, cap;
    _Alignas(max_align_t) unsigned char data[];
};

void *ltd_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "leaktrace diff: out of memory\n");
        exit(2);
    }
    return q;
}

void *ltd_alloc(struct ltd_report *r, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct ltd_chunk *c = r->arena;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = ltd_xrealloc(NULL, sizeof *c + cap);
        c->next = r->arena;
        c->used = 0;
        c->cap = cap;
        r->arena = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *ltd_strndup(struct ltd_report *r, const char *s, size_t n)
{
    char *d = ltd_alloc(r, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *ltd_strdup(struct ltd_report *r, const char *s)
{
    return s ? ltd_strndup(r, s, strlen(s)) : NULL;
}

int ltd_fail(struct ltd_report *r, const char *fmt, ...)
{
    if (!r->error[0]) {     /* the first problem found is the one reported */
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->error, sizeof r->error, fmt, ap);
        va_end(ap);
    }
    return -1;
}

struct ltd_proc *ltd_proc_new(struct ltd_report *r, long pid)
{
    if (r->nprocs == r->capprocs) {
        r->capprocs = r->capprocs ? 2 * r->capprocs : 8;
        r->procs = ltd_xrealloc(r->procs, r->capprocs * sizeof *r->procs);
    }
    struct ltd_proc *p = &r->procs[r->nprocs++];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    return p;
}

struct ltd_record *ltd_proc_add(struct ltd_report *r, struct ltd_proc *p)
{
    (void)r;
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 16;
        p->recs = ltd_xrealloc(p->recs, p->cap * sizeof *p->recs);
    }
    struct ltd_record *rec = &p->recs[p->n++];
    memset(rec, 0, sizeof *rec);
    rec->pid = p->pid;
    rec->program = p->program;
    return rec;
}

void ltd_proc_restart(struct ltd_proc *p)
{
    p->n = 0;
    p->last_number = 0;
}

static const char *base_name(const char *path)
{
    if (!path)
        return NULL;
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

void ltd_proc_set_command(struct ltd_report *r, struct ltd_proc *p, const char *command, const char *exe)
{
    p->command = command ? ltd_strdup(r, command) : NULL;
    const char *prog = NULL;
    if (exe && *exe) {
        prog = ltd_strdup(r, base_name(exe));
    } else if (command) {
        size_t n = strcspn(command, " \t");
        char *first = ltd_strndup(r, command, n);
        prog = base_name(first);
    }
    if (prog && !*prog)
        prog = NULL;
    p->program = prog;
    for (size_t i = 0; i < p->n; i++)
        p->recs[i].program = prog;
}

int ltd_commit(struct ltd_report *r)
{
    size_t total = 0;
    for (size_t i = 0; i < r->nprocs; i++)
        if (!r->procs[i].dropped)
            total += r->procs[i].n;
    r->recs = ltd_xrealloc(NULL, total * sizeof *r->recs);
    r->nrecs = 0;
    r->nkept = 0;
    for (size_t i = 0; i < r->nprocs; i++) {
        struct ltd_proc *p = &r->procs[i];
        if (!p->dropped) {
            r->nkept++;
            for (size_t k = 0; k < p->n; k++) {
                r->recs[r->nrecs] = p->recs[k];
                if (!r->recs[r->nrecs].program)
                    r->recs[r->nrecs].program = p->program;
                r->nrecs++;
            }
        }
        free(p->recs);
        p->recs = NULL;
        p->n = p->cap = 0;
    }
    return 0;
}

static void report_free(struct ltd_report *r)
{
    for (size_t i = 0; i < r->nprocs; i++)
        free(r->procs[i].recs);
    free(r->procs);
    free(r->recs);
    while (r->arena) {
        struct ltd_chunk *n = r->arena->next;
        free(r->arena);
        r->arena = n;
    }
}

static const char *const kind_texts[LTD_NKINDS] = { "still reachable", "possibly lost", "indirectly lost",
                                                    "definitely lost" };
static const char *const kind_words[LTD_NKINDS] = { "reachable", "possible", "indirect", "definite" };

int ltd_kind_from_text(const char *s, size_t n)
{
    for (int k = 0; k < LTD_NKINDS; k++)
        if (strlen(kind_texts[k]) == n && memcmp(kind_texts[k], s, n) == 0)
            return k;
    return -1;
}

const char *ltd_kind_text(int kind) { return kind_texts[kind]; }
const char *ltd_kind_word(int kind) { return kind_words[kind]; }

/* ---- loading a file ------------------------------------------------------------------ */

static int read_all(struct ltd_report *r, const char *path, char **out, size_t *outlen)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return ltd_fail(r, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        if (f != stdin)
            fclose(f);
        return ltd_fail(r, "is a directory, not a report");
    }
    size_t cap = 65536, len = 0;
    char *buf = ltd_xrealloc(NULL, cap + 1);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = ltd_xrealloc(buf, cap + 1);
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                int e = errno;
                free(buf);
                if (f != stdin)
                    fclose(f);
                return ltd_fail(r, "cannot read: %s", strerror(e));
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return 0;
}

/* Reads and parses one report; detects the format from the content. */
static int load(struct ltd_report *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    char *buf = NULL;
    size_t len = 0;
    if (read_all(r, path, &buf, &len) != 0)
        return -1;
    size_t bom = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, i = bom;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
        i++;
    int rc;
    if (i == len) {
        rc = ltd_fail(r, len ? "no report: the file holds only white space" : "empty file: no report in it");
    } else if (buf[i] == '{' || buf[i] == '[') {
        r->format = "leaktrace JSON";
        rc = ltd_read_json(r, buf + i, len - i);
    } else if (buf[i] == '<' && (strncmp(buf + i, "<?xml", 5) == 0 || memmem(buf + i, len - i, "<valgrindoutput", 15))) {
        r->format = "valgrind XML";
        rc = ltd_read_xml(r, buf + bom, len - bom);
    } else {
        r->format = "text";
        rc = ltd_read_text(r, buf, len);
    }
    free(buf);
    if (rc == 0)
        rc = ltd_commit(r);
    return rc;
}

/* ---- identity ------------------------------------------------------------------------- */

struct sbuf {
    char *s;
    size_t n, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = ltd_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof tmp) {
        sb_add(b, tmp, (size_t)n);
        return;
    }
    char *big = ltd_xrealloc(NULL, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, big, (size_t)n);
    free(big);
}

/* A frame inside the checker's own allocation functions: Valgrind's
 * vgpreload_memcheck-*.so (vg_replace_malloc.c with its debug info), our
 * libleaktrace.so. */
static bool is_tool_frame(const struct ltd_frame *f)
{
    const char *o = base_name(f->obj), *s = base_name(f->file);
    return (o && (strncmp(o, "vgpreload_", 10) == 0 || strncmp(o, "libleaktrace", 12) == 0)) ||
           (s && strcmp(s, "vg_replace_malloc.c") == 0);
}

/* Index of the frame that names the allocation function the program called. */
static size_t alloc_frame(const struct ltd_record *rec)
{
    size_t i = 0;
    while (i + 1 < rec->nframes && is_tool_frame(&rec->frames[i + 1]))
        i++;
    return i;
}

/* Valgrind 3.19 reports realloc(NULL, n) and reallocarray(NULL, ...) as
 * malloc and reallocarray(p, ...) as realloc; aligned_alloc and valloc as
 * memalign. We print the function the program called. */
static const char *alloc_family(const char *fn)
{
    if (!fn)
        return "???";
    if (strcmp(fn, "malloc") == 0 || strcmp(fn, "realloc") == 0 || strcmp(fn, "reallocarray") == 0)
        return "malloc";
    if (strcmp(fn, "memalign") == 0 || strcmp(fn, "aligned_alloc") == 0 || strcmp(fn, "valloc") == 0)
        return "memalign";
    return fn;
}

struct options {
    bool match_lines, json, per_program;
    unsigned errors;   /* bit per kind */
    unsigned kinds;    /* kinds compared */
};

/* A Lua source frame (luaframes.c): a file named *.lua, or a chunk name as
 * LuaJIT shortens it ([string "..."]) or OpenResty names it
 * (content_by_lua(nginx.conf:17)). */
static bool is_lua_source(const char *file)
{
    size_t n = file ? strlen(file) : 0;
    return n && ((n > 4 && strcmp(file + n - 4, ".lua") == 0) || strncmp(file, "[string ", 8) == 0 ||
                 strstr(file, "_by_lua") != NULL);
}

static void frame_key(struct sbuf *b, const struct ltd_frame *f, bool match_lines)
{
    const char *fn = f->fn ? f->fn : "???";
    const char *file = base_name(f->file);
    /* A Lua frame's line is part of its identity: a main chunk or a
     * handler is one "function" for all its lines, so without the line every
     * leak of a script would be one leak, and a leak moved to another line
     * would go unseen. (An edit above it moves it too: reported as fixed at
     * the old line and new at the new one.) */
    bool lines = (match_lines || is_lua_source(file)) && f->line > 0;
    /* A thread's outermost frame: clone3 natively, clone under Valgrind 3.19
     * (no clone3 support). Its line is glibc's, never the program's. */
    if (strcmp(fn, "clone3") == 0 || strcmp(fn, "clone") == 0) {
        fn = "clone";
        if (file && (strcmp(file, "clone3.S") == 0 || strcmp(file, "clone.S") == 0))
            file = "clone.S";
        lines = false;
    }
    sb_puts(b, fn);
    if (file) {
        sb_puts(b, " (");
        sb_puts(b, file);
        if (lines)
            sb_printf(b, ":%ld", f->line);
        sb_puts(b, ")");
    } else if (!f->fn && f->obj) {
        /* No symbol: the object names the frame. */
        sb_puts(b, " (in ");
        sb_puts(b, base_name(f->obj));
        sb_puts(b, ")");
    }
}

static char *identity_key(const struct ltd_record *rec, const struct options *o)
{
    struct sbuf b = { 0 };
    if (o->per_program) {
        sb_puts(&b, rec->program ? rec->program : "?");
        sb_puts(&b, "\x1f");
    }
    sb_puts(&b, kind_words[rec->kind]);
    size_t i0 = alloc_frame(rec);
    sb_puts(&b, "\x1e");
    sb_puts(&b, rec->nframes ? alloc_family(rec->frames[i0].fn) : "");
    for (size_t i = i0 + 1; i < rec->nframes; i++) {
        sb_puts(&b, "\x1e");
        frame_key(&b, &rec->frames[i], o->match_lines);
    }
    return b.s;
}

/* ---- merging and comparing ------------------------------------------------------------ */

#define MAX_PROGRAMS 8

struct entry {
    char *key;
    int kind;
    uint64_t bytes, direct, indirect, blocks;
    size_t nrecs;
    size_t seq;                       /* position in the file, for a stable sort */
    const struct ltd_record *rep;     /* the first record with this identity */
    const char *programs[MAX_PROGRAMS];
    size_t nprograms;
};

static int cmp_entry_key(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    return c ? c : a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void add_program(struct entry *e, const char *prog)
{
    if (!prog)
        return;
    for (size_t i = 0; i < e->nprograms; i++)
        if (strcmp(e->programs[i], prog) == 0)
            return;
    if (e->nprograms < MAX_PROGRAMS)
        e->programs[e->nprograms++] = prog;
}

/* One entry per identity, sorted by key; records with the same identity summed. */
static struct entry *build_entries(const struct ltd_report *r, const struct options *o, size_t *count)
{
    struct entry *v = ltd_xrealloc(NULL, (r->nrecs ? r->nrecs : 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < r->nrecs; i++) {
        const struct ltd_record *rec = &r->recs[i];
        if (!(o->kinds & (1u << rec->kind)))
            continue;
        struct entry *e = &v[n++];
        memset(e, 0, sizeof *e);
        e->key = identity_key(rec, o);
        e->kind = rec->kind;
        e->bytes = rec->bytes;
        e->direct = rec->direct;
        e->indirect = rec->indirect;
        e->blocks = rec->blocks;
        e->nrecs = 1;
        e->seq = n - 1;
        e->rep = rec;
        add_program(e, rec->program);
    }
    /* By identity, then file order: the first record of an identity represents it. */
    qsort(v, n, sizeof *v, cmp_entry_key);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && strcmp(v[m - 1].key, v[i].key) == 0) {
            struct entry *e = &v[m - 1];
            e->bytes += v[i].bytes;
            e->direct += v[i].direct;
            e->indirect += v[i].indirect;
            e->blocks += v[i].blocks;
            e->nrecs++;
            for (size_t k = 0; k < v[i].nprograms; k++)
                add_program(e, v[i].programs[k]);
            free(v[i].key);
        } else {
            v[m++] = v[i];
        }
    }
    *count = m;
    return v;
}

enum { CAT_NEW, CAT_GROWN, CAT_FIXED, CAT_SHRUNK, NCATS };
static const char *const cat_names[NCATS] = { "new", "grown", "fixed", "shrunk" };
static const char *const cat_labels[NCATS] = { "NEW", "GROWN", "FIXED", "SHRUNK" };

struct change {
    int cat;
    const struct entry *base, *cur;   /* cur NULL when fixed, base NULL when new */
};

static const struct entry *change_entry(const struct change *c)
{
    return c->cur ? c->cur : c->base;
}

static int cmp_change(const void *pa, const void *pb)
{
    const struct change *a = pa, *b = pb;
    if (a->cat != b->cat)
        return a->cat - b->cat;
    const struct entry *ea = change_entry(a), *eb = change_entry(b);
    if (ea->kind != eb->kind)
        return eb->kind - ea->kind;                    /* definite first */
    if (ea->bytes != eb->bytes)
        return ea->bytes > eb->bytes ? -1 : 1;          /* biggest first */
    return strcmp(ea->key, eb->key);
}

/* ---- output --------------------------------------------------------------------------- */

static void put_num(FILE *out, uint64_t v)
{
    char tmp[32], res[48];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v), k = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            res[k++] = ',';
        res[k++] = tmp[i];
    }
    res[k] = '\0';
    fputs(res, out);
}

static void put_signed(FILE *out, uint64_t now, uint64_t was)
{
    if (now >= was) {
        fputc('+', out);
        put_num(out, now - was);
    } else {
        fputc('-', out);
        put_num(out, was - now);
    }
}

static void put_amount(FILE *out, const struct entry *e)
{
    put_num(out, e->bytes);
    if (e->kind == LTD_DEFINITE && e->indirect > 0) {
        fputs(" (", out);
        put_num(out, e->direct);
        fputs(" direct, ", out);
        put_num(out, e->indirect);
        fputs(" indirect)", out);
    }
    fputs(" bytes in ", out);
    put_num(out, e->blocks);
    fputs(" blocks", out);
}

static void put_frame_text(FILE *out, size_t i, const struct ltd_frame *f)
{
    fprintf(out, "     %s %s", i == 0 ? "at" : "by", f->fn ? f->fn : "???");
    if (f->file)
        fprintf(out, " (%s:%ld)", f->file, f->line);
    else if (f->obj)
        fprintf(out, " (in %s)", f->obj);
    fputc('\n', out);
}

static void print_change_text(FILE *out, const struct change *c, const struct options *o, bool show_programs)
{
    const struct entry *e = change_entry(c);
    fprintf(out, "%s: ", cat_labels[c->cat]);
    put_amount(out, e);
    fprintf(out, " %s %s", c->cat == CAT_FIXED ? "were" : "are", kind_texts[e->kind]);
    if (c->cat == CAT_GROWN || c->cat == CAT_SHRUNK) {
        fputs(" (was ", out);
        put_num(out, c->base->bytes);
        fputs(" bytes in ", out);
        put_num(out, c->base->blocks);
        fputs(" blocks: ", out);
        put_signed(out, c->cur->bytes, c->base->bytes);
        fputs(" bytes, ", out);
        put_signed(out, c->cur->blocks, c->base->blocks);
        fputs(" blocks)", out);
    }
    if (c->cat != CAT_FIXED && c->cat != CAT_SHRUNK && (o->errors & (1u << e->kind)))
        fputs(" [error]", out);
    fputc('\n', out);
    if (e->nrecs > 1)
        fprintf(out, "     (%zu loss records with this identity, summed)\n", e->nrecs);
    for (size_t i = 0; i < e->rep->nframes; i++)
        put_frame_text(out, i, &e->rep->frames[i]);
    if (show_programs && e->nprograms > 0) {
        fputs("     in:", out);
        for (size_t i = 0; i < e->nprograms; i++)
            fprintf(out, " %s", e->programs[i]);
        fputc('\n', out);
    }
    fputc('\n', out);
}

static void describe_input(FILE *out, const char *label, const struct ltd_report *r)
{
    fprintf(out, "%s %s (%s, %zu process%s, %zu loss record%s)\n", label, r->path, r->format, r->nkept,
            r->nkept == 1 ? "" : "es", r->nrecs, r->nrecs == 1 ? "" : "s");
}

static void kinds_list(char *buf, size_t size, unsigned set)
{
    buf[0] = '\0';
    if (!set) {
        snprintf(buf, size, "none");
        return;
    }
    static const int order[] = { LTD_DEFINITE, LTD_INDIRECT, LTD_POSSIBLE, LTD_REACHABLE };
    for (int i = 0; i < 4; i++)
        if (set & (1u << order[i])) {
            if (buf[0])
                strncat(buf, ",", size - strlen(buf) - 1);
            strncat(buf, kind_words[order[i]], size - strlen(buf) - 1);
        }
}

static cJSON *json_frames(const struct ltd_record *rec)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < rec->nframes; i++) {
        const struct ltd_frame *f = &rec->frames[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "fn", f->fn ? cJSON_CreateString(f->fn) : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "file", f->file ? cJSON_CreateString(f->file) : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "line", f->file && f->line > 0 ? cJSON_CreateNumber((double)f->line)
                                                                : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "object", f->obj ? cJSON_CreateString(f->obj) : cJSON_CreateNull());
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *json_amount(const struct entry *e)
{
    if (!e)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "bytes", (double)e->bytes);
    cJSON_AddNumberToObject(o, "direct_bytes", (double)e->direct);
    cJSON_AddNumberToObject(o, "indirect_bytes", (double)e->indirect);
    cJSON_AddNumberToObject(o, "blocks", (double)e->blocks);
    cJSON_AddNumberToObject(o, "records", (double)e->nrecs);
    return o;
}

static cJSON *json_input(const struct ltd_report *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", r->path);
    cJSON_AddStringToObject(o, "format", r->format);
    cJSON_AddNumberToObject(o, "processes", (double)r->nkept);
    cJSON_AddNumberToObject(o, "records", (double)r->nrecs);
    return o;
}

static cJSON *json_kinds(unsigned set)
{
    cJSON *a = cJSON_CreateArray();
    static const int order[] = { LTD_DEFINITE, LTD_INDIRECT, LTD_POSSIBLE, LTD_REACHABLE };
    for (int i = 0; i < 4; i++)
        if (set & (1u << order[i]))
            cJSON_AddItemToArray(a, cJSON_CreateString(kind_words[order[i]]));
    return a;
}

/* ---- command line --------------------------------------------------------------------- */

static const char usage_text[] =
    "usage: leaktrace diff [options] BASE NEW\n"
    "\n"
    "Compares two leak reports and lists the leaks that are new in NEW, fixed\n"
    "(gone from NEW), grown or shrunk (bytes, blocks). Each file may be a\n"
    "leaktrace JSON report (--json-file), a leaktrace or Valgrind text report,\n"
    "or Valgrind's XML (--xml=yes); the format is detected from the content,\n"
    "and \"-\" reads standard input. A leak is identified by its kind and its\n"
    "stack's functions, files and objects, not by addresses or line numbers.\n"
    "All processes of a file are merged. See docs/diff.md.\n"
    "\n"
    "Options:\n"
    "  --match-lines                line numbers are part of a leak's identity\n"
    "  --errors-for-leak-kinds=SET  kinds whose new or grown leaks fail the\n"
    "                               diff (exit 1) [definite,possible]\n"
    "  --show-leak-kinds=SET        kinds compared and listed [all]\n"
    "  --per-program                a leak's identity includes the program's\n"
    "                               name (processes compared per program)\n"
    "  --json                       print the result as JSON on stdout\n"
    "  -h, --help                   show this text\n"
    "SET is a comma list of definite,indirect,possible,reachable, or all, none.\n"
    "\n"
    "Exit status: 0 nothing new or grown among the error kinds, 1 something is,\n"
    "2 bad usage or an input that is not a complete report.\n";

static int parse_kinds(const char *v, unsigned *out)
{
    if (strcmp(v, "all") == 0) {
        *out = (1u << LTD_NKINDS) - 1;
        return 0;
    }
    if (strcmp(v, "none") == 0) {
        *out = 0;
        return 0;
    }
    unsigned set = 0;
    const char *p = v;
    for (;;) {
        size_t n = strcspn(p, ",");
        int k = -1;
        for (int i = 0; i < LTD_NKINDS; i++)
            if (strlen(kind_words[i]) == n && strncmp(kind_words[i], p, n) == 0)
                k = i;
        if (k < 0)
            return -1;
        set |= 1u << k;
        if (!p[n])
            break;
        p += n + 1;
    }
    *out = set;
    return 0;
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("leaktrace diff: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nusage: leaktrace diff [options] BASE NEW   (leaktrace diff --help for more)\n", stderr);
    return 2;
}

int lt_diff_main(int argc, char **argv)
{
    struct options o = { .errors = (1u << LTD_DEFINITE) | (1u << LTD_POSSIBLE),
                         .kinds = (1u << LTD_NKINDS) - 1 };
    const char *files[2];
    int nfiles = 0;
    bool opts_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && a[0] == '-' && a[1]) {
            if (strcmp(a, "--") == 0) {
                opts_done = true;
            } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
                fputs(usage_text, stdout);
                return 0;
            } else if (strcmp(a, "--match-lines") == 0 || strcmp(a, "--match-lines=yes") == 0) {
                o.match_lines = true;
            } else if (strcmp(a, "--match-lines=no") == 0) {
                o.match_lines = false;
            } else if (strcmp(a, "--json") == 0) {
                o.json = true;
            } else if (strcmp(a, "--per-program") == 0) {
                o.per_program = true;
            } else if (strncmp(a, "--errors-for-leak-kinds=", 24) == 0) {
                if (parse_kinds(a + 24, &o.errors) != 0)
                    return usage_error("bad value in '%s' (kinds: definite,indirect,possible,reachable, all, none)", a);
            } else if (strncmp(a, "--show-leak-kinds=", 18) == 0) {
                if (parse_kinds(a + 18, &o.kinds) != 0)
                    return usage_error("bad value in '%s' (kinds: definite,indirect,possible,reachable, all, none)", a);
            } else {
                return usage_error("unknown option '%s'", a);
            }
            continue;
        }
        if (nfiles == 2)
            return usage_error("one report too many: '%s' (give BASE and NEW)", a);
        files[nfiles++] = a;
    }
    if (nfiles < 2)
        return usage_error("%s", nfiles == 0 ? "no reports given" : "only one report given (need BASE and NEW)");

    struct ltd_report rep[2];
    bool bad = false;
    for (int i = 0; i < 2; i++) {
        if (load(&rep[i], files[i]) != 0) {
            fprintf(stderr, "leaktrace diff: %s: %s\n", files[i], rep[i].error);
            bad = true;
        }
    }
    if (bad) {
        report_free(&rep[0]);
        report_free(&rep[1]);
        return 2;
    }

    size_t na, nb;
    struct entry *ea = build_entries(&rep[0], &o, &na);
    struct entry *eb = build_entries(&rep[1], &o, &nb);
    struct change *ch = ltd_xrealloc(NULL, (na + nb + 1) * sizeof *ch);
    size_t nch = 0, unchanged = 0, counts[NCATS] = { 0 }, errs[NCATS] = { 0 };
    for (size_t i = 0, j = 0; i < na || j < nb;) {
        int c = i == na ? 1 : j == nb ? -1 : strcmp(ea[i].key, eb[j].key);
        struct change x = { 0 };
        if (c < 0) {
            x = (struct change){ CAT_FIXED, &ea[i++], NULL };
        } else if (c > 0) {
            x = (struct change){ CAT_NEW, NULL, &eb[j++] };
        } else {
            const struct entry *a = &ea[i++], *b = &eb[j++];
            if (b->bytes > a->bytes || b->blocks > a->blocks)
                x = (struct change){ CAT_GROWN, a, b };
            else if (b->bytes < a->bytes || b->blocks < a->blocks)
                x = (struct change){ CAT_SHRUNK, a, b };
            else {
                unchanged++;
                continue;
            }
        }
        counts[x.cat]++;
        if (o.errors & (1u << change_entry(&x)->kind))
            errs[x.cat]++;
        ch[nch++] = x;
    }
    qsort(ch, nch, sizeof *ch, cmp_change);
    int status = errs[CAT_NEW] + errs[CAT_GROWN] > 0 ? 1 : 0;

    bool many_programs = false;
    for (int s = 0; s < 2; s++) {
        const char *first = NULL;
        for (size_t i = 0; i < rep[s].nrecs; i++) {
            const char *p = rep[s].recs[i].program;
            if (!p)
                continue;
            if (!first)
                first = p;
            else if (strcmp(first, p) != 0)
                many_programs = true;
        }
    }

    char errkinds[80], cmpkinds[80];
    kinds_list(errkinds, sizeof errkinds, o.errors);
    kinds_list(cmpkinds, sizeof cmpkinds, o.kinds);
    if (o.json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "format", "leaktrace-diff");
        cJSON_AddNumberToObject(root, "version", 1);
        cJSON *in = cJSON_AddObjectToObject(root, "inputs");
        cJSON_AddItemToObject(in, "base", json_input(&rep[0]));
        cJSON_AddItemToObject(in, "new", json_input(&rep[1]));
        cJSON *opt = cJSON_AddObjectToObject(root, "options");
        cJSON_AddBoolToObject(opt, "match_lines", o.match_lines);
        cJSON_AddBoolToObject(opt, "per_program", o.per_program);
        cJSON_AddItemToObject(opt, "errors_for_leak_kinds", json_kinds(o.errors));
        cJSON_AddItemToObject(opt, "show_leak_kinds", json_kinds(o.kinds));
        cJSON *arrays[NCATS];
        for (int c = 0; c < NCATS; c++)
            arrays[c] = cJSON_AddArrayToObject(root, cat_names[c]);
        for (size_t i = 0; i < nch; i++) {
            const struct entry *e = change_entry(&ch[i]);
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "kind", kind_words[e->kind]);
            cJSON_AddBoolToObject(x, "error", (o.errors & (1u << e->kind)) != 0);
            cJSON_AddItemToObject(x, "base", json_amount(ch[i].base));
            cJSON_AddItemToObject(x, "new", json_amount(ch[i].cur));
            cJSON *d = cJSON_AddObjectToObject(x, "delta");
            cJSON_AddNumberToObject(d, "bytes", (double)(ch[i].cur ? ch[i].cur->bytes : 0) -
                                                    (double)(ch[i].base ? ch[i].base->bytes : 0));
            cJSON_AddNumberToObject(d, "blocks", (double)(ch[i].cur ? ch[i].cur->blocks : 0) -
                                                     (double)(ch[i].base ? ch[i].base->blocks : 0));
            cJSON *progs = cJSON_AddArrayToObject(x, "programs");
            for (size_t k = 0; k < e->nprograms; k++)
                cJSON_AddItemToArray(progs, cJSON_CreateString(e->programs[k]));
            cJSON_AddItemToObject(x, "frames", json_frames(e->rep));
            cJSON_AddItemToArray(arrays[ch[i].cat], x);
        }
        cJSON *sum = cJSON_AddObjectToObject(root, "summary");
        for (int c = 0; c < NCATS; c++)
            cJSON_AddNumberToObject(sum, cat_names[c], (double)counts[c]);
        cJSON_AddNumberToObject(sum, "unchanged", (double)unchanged);
        cJSON_AddNumberToObject(sum, "new_errors", (double)errs[CAT_NEW]);
        cJSON_AddNumberToObject(sum, "grown_errors", (double)errs[CAT_GROWN]);
        cJSON_AddNumberToObject(root, "exit_status", status);
        char *text = cJSON_Print(root);
        if (text) {
            fputs(text, stdout);
            fputc('\n', stdout);
            cJSON_free(text);
        }
        cJSON_Delete(root);
    } else {
        describe_input(stdout, "base:", &rep[0]);
        describe_input(stdout, "new: ", &rep[1]);
        fputc('\n', stdout);
        for (size_t i = 0; i < nch; i++)
            print_change_text(stdout, &ch[i], &o, many_programs);
        printf("%zu new, %zu grown, %zu fixed, %zu shrunk, %zu unchanged", counts[CAT_NEW], counts[CAT_GROWN],
               counts[CAT_FIXED], counts[CAT_SHRUNK], unchanged);
        if (o.kinds != (1u << LTD_NKINDS) - 1)
            printf(" (kinds compared: %s)", cmpkinds);
        printf("; new or grown in the error kinds (%s): %zu\n", errkinds, errs[CAT_NEW] + errs[CAT_GROWN]);
    }
    if (fflush(stdout) != 0 && status == 0)
        status = 2;

    for (size_t i = 0; i < na; i++)
        free(ea[i].key);
    for (size_t i = 0; i < nb; i++)
        free(eb[i].key);
    free(ea);
    free(eb);
    free(ch);
    report_free(&rep[0]);
    report_free(&rep[1]);
    return status;
}
