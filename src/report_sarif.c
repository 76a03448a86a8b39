/* report_sarif.c — the report as SARIF 2.1.0 (see report_sarif.h). */
#include "report_sarif.h"
#include "report_json.h"
#include "report_folded.h"
#include "arena.h"
#include "symbols.h"
#include <limits.h>
#include <string.h>
#include <unistd.h>

#define MAX_ROOTS 16
#define ROOT_CACHE 256

struct root_cache_entry {
    uint64_t hash;
    uint32_t len;
    int root;              /* index into roots, or -1 */
    bool valid;
};

struct sarif {
    struct lt_json j;
    struct lt_writer *w;
    const struct lt_options *o;
    char cwd[PATH_MAX];
    size_t cwd_len;        /* 0: unknown, or "/" */
    char roots[MAX_ROOTS][PATH_MAX];
    size_t root_len[MAX_ROOTS];
    int nroots;
    struct root_cache_entry cache[ROOT_CACHE];
    char path[PATH_MAX];   /* scratch: a frame's source path */
    char probe[PATH_MAX];  /* scratch: DIR/.git */
    struct lt_frame_list frames;
};

/* ---- rules ------------------------------------------------------------------------ */

struct rule {
    int kind;
    const char *id, *name, *level, *short_text, *full_text, *help;
};

/* Rule order = ruleIndex. */
static const struct rule rules[] = {
    { LT_DEFINITE, "leaktrace/definitely-lost", "DefinitelyLost", "error",
      "Memory definitely lost",
      "A heap block to which no pointer was found anywhere when the check ran (globals, stacks, "
      "registers, thread-local storage, other reachable blocks): the program can no longer free it.",
      "The block was allocated at the location shown and never freed, and no pointer to it "
      "remains. Free it when it is no longer needed, or keep a pointer to it if it must live until "
      "exit. A definite block may carry indirectly lost blocks that only it pointed to." },
    { LT_INDIRECT, "leaktrace/indirectly-lost", "IndirectlyLost", "note",
      "Memory indirectly lost",
      "A heap block that only other lost blocks point to (a child of a lost tree, a node of a lost "
      "cycle).",
      "Fixing the definitely lost block that leads to this one fixes this leak too." },
    { LT_POSSIBLE, "leaktrace/possibly-lost", "PossiblyLost", "warning",
      "Memory possibly lost",
      "A heap block to which only a pointer into its middle was found: the program may still know "
      "where it is, or the value may be a coincidence.",
      "Check whether the program keeps an interior pointer to this block on purpose; if not, it "
      "leaks." },
    { LT_REACHABLE, "leaktrace/still-reachable", "StillReachable", "note",
      "Memory still reachable",
      "A heap block that was not freed but to which a pointer was still held when the check ran.",
      "Not a leak in the strict sense: the program could still free this block." },
};
#define NRULES (sizeof rules / sizeof rules[0])

static int rule_of(int kind)
{
    for (size_t i = 0; i < NRULES; i++)
        if (rules[i].kind == kind)
            return (int)i;
    return 0;
}

/* ---- paths and URIs ---------------------------------------------------------------- */

void lt_sarif_normalize_path(char *path)
{
    if (path[0] != '/')
        return;
    char *out = path;      /* writes trail reads */
    const char *p = path;
    size_t o = 0;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *seg = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - seg);
        if (n == 1 && seg[0] == '.')
            continue;
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;       /* the '/' before the dropped segment */
            continue;
        }
        out[o++] = '/';
        memmove(out + o, seg, n);
        o += n;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = 0;
}

void lt_sarif_put_uri_path(struct lt_writer *w, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    (c && strchr("-._~!$&'()*+,;=:@/", c));
        if (keep)
            continue;
        if (s > run)
            lt_putn(w, run, (size_t)(s - run));
        char e[3] = { '%', hex[c >> 4], hex[c & 15] };
        lt_putn(w, e, 3);
        run = s + 1;
    }
    if (s > run)
        lt_putn(w, run, (size_t)(s - run));
}

static bool has_prefix_dir(const char *s, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(s, dir, n) == 0 && (s[n] == '/' || s[n] == 0);
}

static bool is_tool_object(const char *obj)
{
    const char *base = strrchr(obj, '/');
    base = base ? base + 1 : obj;
    return strncmp(base, "libleaktrace", 12) == 0;
}

bool lt_sarif_own_frame(const char *obj, const char *dir)
{
    static const char *const system_objs[] = { "/lib", "/lib32", "/lib64", "/libx32", "/usr/lib",
                                               "/usr/lib32", "/usr/lib64", "/usr/libx32", "/usr/libexec" };
    if (!obj || is_tool_object(obj))
        return false;
    for (size_t i = 0; i < sizeof system_objs / sizeof system_objs[0]; i++)
        if (has_prefix_dir(obj, system_objs[i]))
            return false;
    if (dir && (has_prefix_dir(dir, "/usr/include") || has_prefix_dir(dir, "/usr/lib")))
        return false;
    return true;
}

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

#define FNV_INIT UINT64_C(0xcbf29ce484222325)

static const char *base_name(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

void lt_sarif_fingerprint(int kind, const struct lt_frame_list *l, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    const char *k = lt_json_kind_name(kind);
    uint64_t h = fnv(FNV_INIT, k, strlen(k) + 1);
    for (size_t i = 0; i < l->n; i++) {
        const struct lt_frame_info *f = &l->v[i].f;
        const char *fn = f->fn ? f->fn : "";
        const char *file = f->fn && f->file ? base_name(f->file) : "";
        const char *obj = !f->fn && f->obj ? base_name(f->obj) : "";
        h = fnv(h, fn, strlen(fn) + 1);
        h = fnv(h, file, strlen(file) + 1);
        h = fnv(h, obj, strlen(obj) + 1);
    }
    for (int i = 15; i >= 0; i--) {
        out[i] = hex[h & 15];
        h >>= 4;
    }
    out[16] = 0;
}

/* The frame's source path into s->path (normalised when absolute); false
 * if it has none or it does not fit. */
static bool source_path(struct sarif *s, const struct lt_frame_info *f)
{
    if (!f->file)
        return false;
    size_t fl = strlen(f->file);
    if (f->file[0] == '/' || !f->dir || !f->dir[0]) {
        if (fl >= sizeof s->path)
            return false;
        memcpy(s->path, f->file, fl + 1);
    } else {
        size_t dl = strlen(f->dir);
        if (dl + 1 + fl >= sizeof s->path)
            return false;
        memcpy(s->path, f->dir, dl);
        s->path[dl] = '/';
        memcpy(s->path + dl + 1, f->file, fl + 1);
    }
    lt_sarif_normalize_path(s->path);
    return true;
}

static int add_root(struct sarif *s, const char *dir, size_t len)
{
    for (int i = 0; i < s->nroots; i++)
        if (s->root_len[i] == len && memcmp(s->roots[i], dir, len) == 0)
            return i;
    if (s->nroots == MAX_ROOTS || len >= PATH_MAX)
        return -1;
    memcpy(s->roots[s->nroots], dir, len);
    s->roots[s->nroots][len] = 0;
    s->root_len[s->nroots] = len;
    return s->nroots++;
}

/* The source root of the absolute, normalised path `p`, or -1. */
static int root_of(struct sarif *s, const char *p)
{
    const char *slash = strrchr(p, '/');
    size_t dlen = (size_t)(slash - p);          /* the directory: p[0..dlen) */
    uint64_t h = fnv(FNV_INIT, p, dlen);
    struct root_cache_entry *c = &s->cache[h % ROOT_CACHE];
    if (c->valid && c->hash == h && c->len == dlen)
        return c->root;
    int root = -1;
    for (size_t len = dlen; len > 0;) {
        if (len + 6 < sizeof s->probe) {
            memcpy(s->probe, p, len);
            memcpy(s->probe + len, "/.git", 6);
            if (access(s->probe, F_OK) == 0) {
                root = add_root(s, p, len);
                break;
            }
        }
        while (len > 0 && p[len - 1] != '/')
            len--;
        if (len > 0)
            len--;                              /* drop the '/' */
    }
    if (root < 0 && s->cwd_len && strncmp(p, s->cwd, s->cwd_len) == 0 && p[s->cwd_len] == '/')
        root = add_root(s, s->cwd, s->cwd_len);
    c->valid = true;
    c->hash = h;
    c->len = (uint32_t)dlen;
    c->root = root;
    return root;
}

static void put_base_id(struct lt_writer *w, int root)
{
    lt_put(w, "\"SRCROOT");
    if (root > 0)
        lt_put_u64(w, (uint64_t)root);
    lt_putc(w, '"');
}

/* "artifactLocation": {...} for an absolute or relative path. */
static void put_artifact_path(struct sarif *s, const char *path)
{
    struct lt_json *j = &s->j;
    lt_json_open(j, "artifactLocation", '{');
    int root = path[0] == '/' ? root_of(s, path) : -1;
    lt_json_key(j, "uri");
    lt_putc(s->w, '"');
    if (root >= 0) {
        lt_sarif_put_uri_path(s->w, path + s->root_len[root] + 1);
    } else {
        if (path[0] == '/')
            lt_put(s->w, "file://");
        lt_sarif_put_uri_path(s->w, path);
    }
    lt_putc(s->w, '"');
    if (root >= 0) {
        lt_json_key(j, "uriBaseId");
        put_base_id(s->w, root);
    }
    lt_json_close(j, '}');
}

/* ---- pieces of a result ---------------------------------------------------------------- */

static void put_escaped(struct lt_writer *w, const char *s)
{
    lt_json_escape(w, s, strlen(s));
}

/* "fn (file:line)" / "fn (in obj)" / "fn", as the text report prints a frame. */
static void put_frame_text(struct lt_writer *w, const struct lt_frame_info *f)
{
    put_escaped(w, f->fn ? f->fn : "???");
    if (f->file) {
        lt_put(w, " (");
        put_escaped(w, f->file);
        lt_putc(w, ':');
        lt_put_u64(w, f->line);
        lt_putc(w, ')');
    } else if (f->obj) {
        lt_put(w, " (in ");
        put_escaped(w, f->obj);
        lt_putc(w, ')');
    }
}

static void put_message_frame(struct sarif *s, const char *key, const struct lt_frame_info *f)
{
    lt_json_open(&s->j, key, '{');
    lt_json_key(&s->j, "text");
    lt_putc(s->w, '"');
    put_frame_text(s->w, f);
    lt_putc(s->w, '"');
    lt_json_close(&s->j, '}');
}

static void put_logical(struct sarif *s, const struct lt_frame_info *f)
{
    if (!f->fn)
        return;
    struct lt_json *j = &s->j;
    lt_json_open(j, "logicalLocations", '[');
    lt_json_open_inline(j, NULL, '{');
    lt_json_str(j, "name", f->fn);
    if (f->mangled && strcmp(f->mangled, f->fn) != 0)
        lt_json_str(j, "decoratedName", f->mangled);
    lt_json_str(j, "kind", "function");
    lt_json_close(j, '}');
    lt_json_close(j, ']');
}

static bool has_source_line(const struct lt_frame_info *f)
{
    return f->file && f->line > 0;
}

/* A location object (the caller opened nothing: this writes key + object). */
static void put_location(struct sarif *s, const char *key, const struct lt_frame_info *f, bool region_only_if_line)
{
    struct lt_json *j = &s->j;
    lt_json_open(j, key, '{');
    bool src = has_source_line(f) && source_path(s, f);
    if (src || (!region_only_if_line && f->obj)) {
        lt_json_open(j, "physicalLocation", '{');
        put_artifact_path(s, src ? s->path : f->obj);
        if (src) {
            lt_json_open_inline(j, "region", '{');
            lt_json_u64(j, "startLine", f->line);
            lt_json_close(j, '}');
        }
        lt_json_close(j, '}');
    }
    put_logical(s, f);
    put_message_frame(s, "message", f);
    lt_json_close(j, '}');
}

/* Code cgo generates (_cgo_export.c, _cgo_gotypes.go, cgo-gcc-prolog,
 * under a go-build directory that is gone once the build ends) and the Go
 * runtime: never the place a Go developer should look. */
static bool go_generated(const struct lt_frame_info *f)
{
    return (f->file && (strncmp(f->file, "_cgo_", 5) == 0 || strncmp(f->file, "cgo-", 4) == 0)) ||
           (f->fn && strncmp(f->fn, "runtime.", 8) == 0);
}

/* The frame a result is located at (see report_sarif.h), or -1. */
static long pick_location(const struct lt_frame_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct lt_frame_info *f = &l->v[i].f;
        if (has_source_line(f) && lt_sarif_own_frame(f->obj, f->dir) && !go_generated(f) &&
            !(f->fn && strcmp(f->fn, "(below main)") == 0))
            return (long)i;
    }
    for (size_t i = 0; i < l->n; i++) {
        const struct lt_frame_info *f = &l->v[i].f;
        if (has_source_line(f) && !(f->obj && is_tool_object(f->obj)))
            return (long)i;
    }
    for (size_t i = 0; i < l->n; i++) {
        const struct lt_frame_info *f = &l->v[i].f;
        if (f->obj && !is_tool_object(f->obj))
            return (long)i;
    }
    return -1;
}

static void put_result(struct sarif *s, const struct lt_record *rec, size_t total)
{
    struct lt_json *j = &s->j;
    struct lt_writer *w = s->w;
    const struct lt_frame_list *l = &s->frames;
    lt_frame_list_fill(&s->frames, rec->stack, s->o);
    int ri = rule_of(rec->kind);
    uint64_t indirect = rec->kind == LT_DEFINITE ? rec->indirect : 0;

    lt_json_open(j, NULL, '{');
    lt_json_str(j, "ruleId", rules[ri].id);
    lt_json_u64(j, "ruleIndex", (uint64_t)ri);
    lt_json_str(j, "level", rules[ri].level);

    /* message: the header line, then the stack as the text prints it. */
    lt_json_open(j, "message", '{');
    lt_json_key(j, "text");
    lt_putc(w, '"');
    lt_put_record_sentence(w, rec, total);
    lt_putc(w, '.');
    for (size_t i = 0; i < l->n; i++) {
        lt_put(w, i == 0 ? "\\n   at " : "\\n   by ");
        put_frame_text(w, &l->v[i].f);
    }
    lt_putc(w, '"');
    lt_json_close(j, '}');

    lt_json_open(j, "locations", '[');
    long at = pick_location(l);
    if (at >= 0)
        put_location(s, NULL, &l->v[at].f, false);
    lt_json_close(j, ']');

    char fp[17];
    lt_sarif_fingerprint(rec->kind, l, fp);
    lt_json_open(j, "partialFingerprints", '{');
    lt_json_str(j, "leaktraceStack/v1", fp);
    lt_json_close(j, '}');

    /* codeFlows: the frames with source lines, outermost first. */
    size_t nsrc = 0;
    for (size_t i = 0; i < l->n; i++)
        nsrc += has_source_line(&l->v[i].f);
    if (nsrc) {
        lt_json_open(j, "codeFlows", '[');
        lt_json_open(j, NULL, '{');
        lt_json_open(j, "message", '{');
        lt_json_str(j, "text", "allocation stack, outermost call first");
        lt_json_close(j, '}');
        lt_json_open(j, "threadFlows", '[');
        lt_json_open(j, NULL, '{');
        lt_json_open(j, "locations", '[');
        uint64_t level = 0;
        for (size_t i = l->n; i-- > 0;) {
            const struct lt_frame_info *f = &l->v[i].f;
            if (!has_source_line(f))
                continue;
            lt_json_open(j, NULL, '{');
            put_location(s, "location", f, true);
            lt_json_u64(j, "nestingLevel", level++);
            if (f->obj)
                lt_json_str(j, "module", f->obj);
            lt_json_close(j, '}');
        }
        lt_json_close(j, ']');
        lt_json_close(j, '}');
        lt_json_close(j, ']');
        lt_json_close(j, '}');
        lt_json_close(j, ']');
    }

    /* stacks: every frame, innermost first. */
    lt_json_open(j, "stacks", '[');
    lt_json_open(j, NULL, '{');
    lt_json_open(j, "message", '{');
    lt_json_str(j, "text", "allocation stack");
    lt_json_close(j, '}');
    lt_json_open(j, "frames", '[');
    for (size_t i = 0; i < l->n; i++) {
        const struct lt_frame_info *f = &l->v[i].f;
        lt_json_open(j, NULL, '{');
        put_location(s, "location", f, true);
        if (f->obj)
            lt_json_str(j, "module", f->obj);
        lt_json_open_inline(j, "properties", '{');
        if (f->obj)
            lt_json_u64(j, "objectOffset", f->obj_offset);
        lt_json_u64(j, "ip", l->v[i].ip);
        lt_json_close(j, '}');
        lt_json_close(j, '}');
    }
    lt_json_close(j, ']');
    lt_json_close(j, '}');
    lt_json_close(j, ']');

    lt_json_open(j, "properties", '{');
    lt_json_str(j, "kind", lt_json_kind_name(rec->kind));
    lt_json_u64(j, "bytes", rec->bytes + indirect);
    lt_json_u64(j, "directBytes", rec->bytes);
    lt_json_u64(j, "indirectBytes", indirect);
    lt_json_u64(j, "blocks", rec->blocks);
    lt_json_u64(j, "lossRecord", rec->number);
    lt_json_u64(j, "lossRecords", total);
    lt_json_close(j, '}');
    lt_json_close(j, '}');
}

static void put_text_object(struct lt_json *j, const char *key, const char *text)
{
    lt_json_open(j, key, '{');
    lt_json_str(j, "text", text);
    lt_json_close(j, '}');
}

static void put_rules(struct lt_json *j)
{
    lt_json_open(j, "rules", '[');
    for (size_t i = 0; i < NRULES; i++) {
        const struct rule *r = &rules[i];
        lt_json_open(j, NULL, '{');
        lt_json_str(j, "id", r->id);
        lt_json_str(j, "name", r->name);
        put_text_object(j, "shortDescription", r->short_text);
        put_text_object(j, "fullDescription", r->full_text);
        put_text_object(j, "help", r->help);
        lt_json_open_inline(j, "defaultConfiguration", '{');
        lt_json_str(j, "level", r->level);
        lt_json_close(j, '}');
        lt_json_open(j, "properties", '{');
        lt_json_open_inline(j, "tags", '[');
        lt_json_str(j, NULL, "memory");
        lt_json_str(j, NULL, "leak");
        lt_json_str(j, NULL, "reliability");
        lt_json_close(j, ']');
        lt_json_str(j, "precision", r->kind == LT_POSSIBLE ? "medium" : "high");
        lt_json_str(j, "problem.severity", r->kind == LT_DEFINITE   ? "error"
                                           : r->kind == LT_POSSIBLE ? "warning"
                                                                    : "recommendation");
        lt_json_close(j, '}');
        lt_json_close(j, '}');
    }
    lt_json_close(j, ']');
}

static void put_invocation(struct sarif *s, const struct lt_report_ctx *ctx)
{
    struct lt_json *j = &s->j;
    lt_json_open(j, "invocations", '[');
    lt_json_open(j, NULL, '{');
    lt_json_bool(j, "executionSuccessful", true);
    if (ctx->command)
        lt_json_str(j, "commandLine", ctx->command);
    if (ctx->argv) {
        lt_json_open_inline(j, "arguments", '[');
        for (int i = 1; i < ctx->argc && ctx->argv[i]; i++)
            lt_json_str(j, NULL, ctx->argv[i]);
        lt_json_close(j, ']');
    }
    if (ctx->exit_status >= 0)
        lt_json_i64(j, "exitCode", ctx->exit_status & 0xff);
    if (ctx->fatal_signal) {
        const char *abbrev = sigabbrev_np(ctx->fatal_signal);
        char name[32] = "SIG?";
        if (abbrev && strlen(abbrev) < sizeof name - 4)
            memcpy(name + 3, abbrev, strlen(abbrev) + 1);
        lt_json_str(j, "exitSignalName", name);
        lt_json_i64(j, "exitSignalNumber", ctx->fatal_signal);
    }
    lt_json_i64(j, "processId", ctx->pid);
    char *exe = s->path;   /* scratch; the report may run on a small signal stack */
    ssize_t n = readlink("/proc/self/exe", exe, sizeof s->path - 1);
    if (n > 0) {
        exe[n] = 0;
        lt_json_open(j, "executableLocation", '{');
        lt_json_key(j, "uri");
        lt_put(s->w, "\"file://");
        lt_sarif_put_uri_path(s->w, exe);
        lt_putc(s->w, '"');
        lt_json_close(j, '}');
    }
    if (s->cwd_len || (s->cwd[0] == '/' && !s->cwd[1])) {
        lt_json_open(j, "workingDirectory", '{');
        lt_json_key(j, "uri");
        lt_put(s->w, "\"file://");
        lt_sarif_put_uri_path(s->w, s->cwd);
        if (s->cwd_len)
            lt_putc(s->w, '/');
        lt_putc(s->w, '"');
        lt_json_close(j, '}');
    }
    lt_json_close(j, '}');
    lt_json_close(j, ']');
}

void lt_report_sarif(struct lt_writer *w, const struct lt_records *r,
                     const struct lt_report_ctx *ctx, const struct lt_options *o)
{
    struct sarif *s = lt_arena_alloc(sizeof *s);
    if (!s) {
        w->failed = true;  /* no document rather than half of one */
        return;
    }
    s->w = w;
    s->o = o;
    if (getcwd(s->cwd, sizeof s->cwd)) {
        s->cwd_len = strlen(s->cwd);
        if (s->cwd_len == 1)
            s->cwd_len = 0;             /* "/": never a source root */
    } else {
        s->cwd[0] = 0;
    }
    struct lt_json *j = &s->j;
    lt_json_init(j, w);
    lt_json_open(j, NULL, '{');
    lt_json_str(j, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    lt_json_str(j, "version", "2.1.0");
    lt_json_open(j, "runs", '[');
    lt_json_open(j, NULL, '{');

    lt_json_open(j, "tool", '{');
    lt_json_open(j, "driver", '{');
    lt_json_str(j, "name", "leaktrace");
    lt_json_str(j, "version", LT_VERSION);
    lt_json_str(j, "semanticVersion", LT_VERSION);
    put_text_object(j, "shortDescription", "Leak checker for unmodified programs (Valgrind memcheck's leak report)");
    put_rules(j);
    lt_json_close(j, '}');
    lt_json_close(j, '}');

    put_invocation(s, ctx);

    lt_json_open(j, "results", '[');
    if (o->leak_check != LT_CHECK_NO)
        for (size_t i = 0; i < r->n; i++)
            if (r->v[i].shown)
                put_result(s, &r->v[i], r->n);
    lt_json_close(j, ']');

    /* The roots the results used (known only now: JSON objects are unordered). */
    if (s->nroots) {
        lt_json_open(j, "originalUriBaseIds", '{');
        for (int i = 0; i < s->nroots; i++) {
            char key[24] = "SRCROOT";
            if (i > 0) {
                key[7] = (char)('0' + i / 10);
                key[8] = (char)('0' + i % 10);
                if (key[7] == '0') {
                    key[7] = key[8];
                    key[8] = 0;
                }
            }
            lt_json_open(j, key, '{');
            lt_json_key(j, "uri");
            lt_put(w, "\"file://");
            lt_sarif_put_uri_path(w, s->roots[i]);
            lt_put(w, "/\"");
            put_text_object(j, "description", "source root: the nearest directory above the sources holding .git, else the working directory");
            lt_json_close(j, '}');
        }
        lt_json_close(j, '}');
    }
    lt_json_str(j, "columnKind", "unicodeCodePoints");
    lt_json_close(j, '}');
    lt_json_close(j, ']');
    lt_json_close(j, '}');
    lt_json_finish(j);
    lt_frame_list_free(&s->frames);
    lt_arena_free(s, sizeof *s);
}
