/* report.c — loss records and the text report (see report.h). */
#include "report.h"
#include "arena.h"
#include "depot.h"
#include "symbols.h"
#include "suppress.h"
#include "coverage.h"
#include "dwlib.h"
#include <string.h>

#define uthash_malloc(sz) lt_arena_alloc(sz)
#define uthash_free(p, sz) lt_arena_free((p), (sz))
#define uthash_nonfatal_oom(e) do { } while (0)
#include <uthash.h>

/* ---- grouping ------------------------------------------------------------------ */

/* Under --leak-resolution=low|med only the first 2|4 frames distinguish
 * stacks: within a kind, each stack maps to the first stack seen (in block
 * address order, as Valgrind's loss-record table) with the same prefix. */
struct prefix_key {
    uint32_t kind;
    uint32_t depth;
    uintptr_t ips[4];
};

struct prefix {
    UT_hash_handle hh;
    struct prefix_key key;
    uint32_t rep;
};

static uint32_t representative(struct prefix **table, int kind, uint32_t stack, int frames)
{
    const struct lt_stack *st = lt_depot_get(stack);
    if (!frames || !st)
        return stack;
    struct prefix_key key;
    memset(&key, 0, sizeof key);
    key.kind = (uint32_t)kind;
    key.depth = st->depth < (uint32_t)frames ? st->depth : (uint32_t)frames;
    memcpy(key.ips, st->ips, key.depth * sizeof(uintptr_t));
    struct prefix *p;
    HASH_FIND(hh, *table, &key, sizeof key, p);
    if (p)
        return p->rep;
    p = lt_arena_alloc(sizeof *p);
    if (!p)
        return stack;
    p->key = key;
    p->rep = stack;
    HASH_ADD(hh, *table, key, sizeof key, p);
    return stack;
}

static int cmp_record(const struct lt_record *a, const struct lt_record *b)
{
    uint64_t ta = a->bytes + a->indirect, tb = b->bytes + b->indirect;
    if (ta != tb) return ta < tb ? -1 : 1;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    if (a->blocks != b->blocks) return a->blocks < b->blocks ? -1 : 1;
    /* Valgrind compares ExeContext addresses: older stacks first. */
    if (a->stack != b->stack) return a->stack < b->stack ? -1 : 1;
    return 0;
}

static void sort_records(struct lt_record *v, size_t n)
{
    /* Bottom-up merge sort (stable, O(n log n), no recursion). */
    if (n < 2)
        return;
    size_t bytes = n * sizeof *v;
    struct lt_record *tmp = lt_arena_alloc(bytes);
    if (!tmp) {                      /* insertion sort fallback */
        for (size_t i = 1; i < n; i++) {
            struct lt_record t = v[i];
            size_t j = i;
            for (; j > 0 && cmp_record(&v[j - 1], &t) > 0; j--)
                v[j] = v[j - 1];
            v[j] = t;
        }
        return;
    }
    struct lt_record *src = v, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = cmp_record(&src[j], &src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        struct lt_record *t = src;    /* the passes alternate between the two arrays */
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, bytes);
    lt_arena_free(tmp, bytes);
}

/* The candidates (marked by `number`), sorted by themselves, matched in
 * that order. */
static void match_candidates(struct lt_records *r, size_t nc)
{
    size_t bytes = nc * sizeof(struct lt_record);
    struct lt_record *c = lt_arena_alloc(bytes);
    if (!c) {                      /* no memory to sort a copy: all of them, in place */
        sort_records(r->v, r->n);
        for (size_t i = 0; i < r->n; i++)
            r->v[i].supp = r->v[i].number ? lt_supp_match(r->v[i].kind, r->v[i].stack) : -1;
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].number) {
            c[k] = r->v[i];
            c[k].number = (uint32_t)i;      /* where it came from, for now */
            k++;
        }
    sort_records(c, nc);
    for (size_t j = 0; j < nc; j++)
        r->v[c[j].number].supp = lt_supp_match(c[j].kind, c[j].stack);
    lt_arena_free(c, bytes);
}

/* Suppressions are tried on the records in the report's order: the first
 * suppression to match a record moves to the front of the list (as in
 * Valgrind's is_suppressible_error), so which one a later record is
 * credited to depends on that order. Only records that may match at all
 * (lt_supp_may_match, which leaves the list alone) take part, so only
 * they are sorted here — usually a handful, not the hundreds of
 * reachable records of a short process. */
static void match_suppressions(struct lt_records *r)
{
    size_t nc = 0;
    for (size_t i = 0; i < r->n; i++) {
        r->v[i].supp = -1;
        r->v[i].number = lt_supp_may_match(r->v[i].stack);    /* numbered later */
        nc += r->v[i].number;
    }
    if (nc)
        match_candidates(r, nc);
    for (size_t i = 0; i < r->n; i++)
        r->v[i].number = 0;
}

/* The records of a check, one per (kind, representative stack): an
 * open-addressing table of record indices, sized once for the blocks (no
 * allocation per record: a short process's check groups hundreds of
 * reachable blocks). */
struct grouping {
    uint32_t *slot;                  /* record index + 1; 0 = empty */
    size_t mask, bytes;
};

static int grouping_init(struct grouping *g, size_t nblocks)
{
    size_t cap = 16;
    while (cap < 2 * nblocks)
        cap *= 2;
    g->mask = cap - 1;
    g->bytes = cap * sizeof *g->slot;
    g->slot = lt_arena_alloc(g->bytes);     /* zeroed */
    return g->slot ? 0 : -1;
}

static struct lt_record *group_of(struct grouping *g, struct lt_records *r, int kind, uint32_t stack)
{
    uint64_t h = ((uint64_t)stack << 3 | (uint64_t)kind) * UINT64_C(0x9e3779b97f4a7c15);
    for (size_t j = (size_t)(h >> 40) & g->mask;; j = (j + 1) & g->mask) {
        uint32_t k = g->slot[j];
        if (!k) {
            struct lt_record *nr = &r->v[r->n];
            nr->kind = kind;
            nr->stack = stack;
            nr->supp = -1;
            g->slot[j] = (uint32_t)++r->n;
            return nr;
        }
        struct lt_record *rec = &r->v[k - 1];
        if (rec->stack == stack && rec->kind == kind)
            return rec;
    }
}

int lt_records_build(struct lt_records *r, const struct lt_scan *s, const struct lt_options *o)
{
    memset(r, 0, sizeof *r);
    r->bytes = (s->n ? s->n : 1) * sizeof *r->v;
    r->v = lt_arena_alloc(r->bytes);
    if (!r->v)
        return -1;
    if (o->leak_check == LT_CHECK_NO) {
        /* Only "in use at exit" is reported: no loss records. */
        for (size_t i = 0; i < s->n; i++) {
            r->in_use_bytes += s->b[i].size;
            r->in_use_blocks++;
        }
        return 0;
    }
    struct grouping groups;
    if (grouping_init(&groups, s->n) != 0) {
        lt_records_free(r);
        return -1;
    }
    struct prefix *prefixes = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const struct lt_scan_block *b = &s->b[i];
        r->in_use_bytes += b->size;
        r->in_use_blocks++;
        if (b->heuristic) {
            r->heur_bytes[b->heuristic] += b->size;
            r->heur_blocks[b->heuristic]++;
        }
        struct lt_record *rec =
            group_of(&groups, r, b->state, representative(&prefixes, b->state, b->stack, o->leak_resolution));
        rec->bytes += b->size;
        rec->blocks++;
        if (b->state == LT_DEFINITE)
            rec->indirect += b->indirect;
    }
    lt_arena_free(groups.slot, groups.bytes);
    struct prefix *p, *pt;
    HASH_ITER(hh, prefixes, p, pt) {
        HASH_DEL(prefixes, p);
        lt_arena_free(p, sizeof *p);
    }
    match_suppressions(r);
    bool full = o->leak_check == LT_CHECK_FULL;
    bool any_shown = false;
    for (size_t i = 0; i < r->n; i++) {
        struct lt_record *rec = &r->v[i];
        bool suppressed = rec->supp >= 0;
        if (suppressed)
            lt_supp_note(rec->supp, rec->bytes + rec->indirect, rec->blocks);
        rec->shown = full && !suppressed && (o->show_kinds & LT_KIND_BIT(rec->kind));
        any_shown |= rec->shown;
        /* Valgrind counts a leak error only in full mode, even when the
         * kind is not shown (get_printing_rules). */
        rec->error = full && (o->error_kinds & LT_KIND_BIT(rec->kind));
        if (suppressed) {
            r->supp_bytes += rec->bytes;
            r->supp_blocks += rec->blocks;
            if (rec->error)
                r->supp_errors++;
            rec->error = false;
        } else {
            r->kind_bytes[rec->kind] += rec->bytes;
            r->kind_blocks[rec->kind] += rec->blocks;
            if (rec->error)
                r->errors++;
        }
    }
    /* Numbers ("loss record K of T") only matter when a record is printed
     * or a writer lists them all; a process with nothing to show (most
     * short ones) skips the sort. */
    if (any_shown || o->xml || o->json_file[0] || o->sarif_file[0] || o->folded_file[0]) {
        sort_records(r->v, r->n);
        for (size_t i = 0; i < r->n; i++)
            r->v[i].number = (uint32_t)(i + 1);
    }
    return 0;
}

void lt_records_free(struct lt_records *r)
{
    if (r->v)
        lt_arena_free(r->v, r->bytes);
    r->v = NULL;
}

/* ---- frames ------------------------------------------------------------------------ */

/* Valgrind's Vg_FnNameBelowMain (m_debuginfo: VG_(get_fnname_kind)). */
static bool is_below_main(const char *fn)
{
    return fn && (strcmp(fn, "__libc_start_main") == 0 || strcmp(fn, "__libc_start_call_main") == 0 ||
                  strncmp(fn, "__libc_start_main.", 18) == 0 || strcmp(fn, "generic_start_main") == 0 ||
                  strncmp(fn, "generic_start_main.", 19) == 0 || strcmp(fn, "_start") == 0);
}

static bool is_tool_object(const char *obj)
{
    if (!obj)
        return false;
    const char *base = strrchr(obj, '/');
    base = base ? base + 1 : obj;
    return strncmp(base, "libleaktrace", 12) == 0;
}

int lt_report_frames(uint32_t stack, const struct lt_options *o, lt_frame_cb cb, void *arg)
{
    const struct lt_stack *st = lt_depot_get(stack);
    if (!st)
        return 0;
    int printed = 0;
    struct lt_frame_info fi[LT_SYMBOLS_MAX_FRAMES];
    for (uint32_t i = 0; i < st->depth; i++) {
        int n = lt_symbols_resolve(st->ips[i], i > 0, fi, LT_SYMBOLS_MAX_FRAMES);
        int first = 0;
        /* Frame 0 is our allocation function: its name only, as Valgrind
         * prints "malloc (in .../vgpreload_memcheck-amd64-linux.so)". */
        if (i == 0 && is_tool_object(fi[n - 1].obj)) {
            first = n - 1;
            fi[first].file = NULL;
            fi[first].line = 0;
        }
        bool stop = false;
        for (int k = first; k < n; k++) {
            struct lt_frame_info f = fi[k];
            if (!o->show_below_main) {
                if (f.fn && strcmp(f.fn, "main") == 0) {
                    stop = true;
                } else if (is_below_main(f.mangled)) {
                    f.fn = f.mangled = "(below main)";
                    stop = true;
                }
            }
            cb(arg, printed++, st->ips[i], &f);
            if (stop)
                break;
        }
        if (stop)
            break;
    }
    return printed;
}

/* ---- text ---------------------------------------------------------------------------- */

struct text {
    struct lt_writer *w;
    int pid;
};

static void prefix(struct text *t)
{
    lt_put(t->w, "==");
    lt_put_u64(t->w, (uint64_t)t->pid);
    lt_put(t->w, "== ");
}

static void line(struct text *t, const char *s)
{
    prefix(t);
    lt_put(t->w, s);
    lt_putc(t->w, '\n');
}

static void print_frame(void *arg, int index, uintptr_t ip, const struct lt_frame_info *f)
{
    struct text *t = arg;
    prefix(t);
    lt_put(t->w, index == 0 ? "   at " : "   by ");
    lt_put_hex(t->w, ip);
    lt_put(t->w, ": ");
    lt_put(t->w, f->fn ? f->fn : "???");
    if (f->file) {
        lt_put(t->w, " (");
        lt_put(t->w, f->file);
        lt_putc(t->w, ':');
        lt_put_u64(t->w, f->line);
        lt_putc(t->w, ')');
    } else if (f->obj) {
        lt_put(t->w, " (in ");
        lt_put(t->w, f->obj);
        lt_putc(t->w, ')');
    }
    lt_putc(t->w, '\n');
}

const char *lt_kind_text(int kind)
{
    static const char *const names[LT_NKINDS] = { "still reachable", "possibly lost", "indirectly lost",
                                                  "definitely lost" };
    return kind >= 0 && kind < LT_NKINDS ? names[kind] : "unknown";
}

void lt_put_record_sentence(struct lt_writer *w, const struct lt_record *rec, size_t total)
{
    if (rec->kind == LT_DEFINITE && rec->indirect) {
        lt_put_u64_commas(w, rec->bytes + rec->indirect);
        lt_put(w, " (");
        lt_put_u64_commas(w, rec->bytes);
        lt_put(w, " direct, ");
        lt_put_u64_commas(w, rec->indirect);
        lt_put(w, " indirect)");
    } else {
        lt_put_u64_commas(w, rec->bytes);
    }
    lt_put(w, " bytes in ");
    lt_put_u64_commas(w, rec->blocks);
    lt_put(w, " blocks are ");
    lt_put(w, lt_kind_text(rec->kind));
    lt_put(w, " in loss record ");
    lt_put_u64_commas(w, rec->number);
    lt_put(w, " of ");
    lt_put_u64_commas(w, total);
}

static void print_record(struct text *t, const struct lt_record *rec, size_t total, const struct lt_options *o)
{
    struct lt_writer *w = t->w;
    prefix(t);
    lt_put_record_sentence(w, rec, total);
    lt_putc(w, '\n');
    lt_report_frames(rec->stack, o, print_frame, t);
    line(t, "");
}

static void summary_line(struct text *t, const char *label, uint64_t bytes, uint64_t blocks)
{
    prefix(t);
    lt_put(t->w, label);
    lt_put_u64_commas(t->w, bytes);
    lt_put(t->w, " bytes in ");
    lt_put_u64_commas(t->w, blocks);
    lt_put(t->w, " blocks\n");
}

static void leak_summary(struct text *t, const struct lt_records *r, const struct lt_options *o)
{
    static const char *const heur_names[] = { "none", "stdstring", "length64", "newarray",
                                              "multipleinheritance" };
    line(t, "LEAK SUMMARY:");
    summary_line(t, "   definitely lost: ", r->kind_bytes[LT_DEFINITE], r->kind_blocks[LT_DEFINITE]);
    summary_line(t, "   indirectly lost: ", r->kind_bytes[LT_INDIRECT], r->kind_blocks[LT_INDIRECT]);
    summary_line(t, "     possibly lost: ", r->kind_bytes[LT_POSSIBLE], r->kind_blocks[LT_POSSIBLE]);
    summary_line(t, "   still reachable: ", r->kind_bytes[LT_REACHABLE], r->kind_blocks[LT_REACHABLE]);
    bool any = false;
    for (int h = 1; h < LT_NHEURISTICS; h++)
        any |= r->heur_blocks[h] > 0;
    if (any) {
        line(t, "                      of which reachable via heuristic:");
        for (int h = 1; h < LT_NHEURISTICS; h++) {
            if (!r->heur_blocks[h])
                continue;
            char label[64];
            size_t n = strlen(heur_names[h]);
            memset(label, ' ', sizeof label);
            memcpy(label, "                        ", 24);
            memcpy(label + 24, heur_names[h], n);
            /* "%-19s: " */
            size_t end = 24 + (n < 19 ? 19 : n);
            label[end] = ':';
            label[end + 1] = ' ';
            label[end + 2] = 0;
            summary_line(t, label, r->heur_bytes[h], r->heur_blocks[h]);
        }
    }
    summary_line(t, "        suppressed: ", r->supp_bytes, r->supp_blocks);
    uint64_t leaked_blocks = r->kind_blocks[LT_DEFINITE] + r->kind_blocks[LT_INDIRECT] +
                             r->kind_blocks[LT_POSSIBLE] + r->kind_blocks[LT_REACHABLE];
    if (o->leak_check != LT_CHECK_FULL && leaked_blocks > 0)
        line(t, "Rerun with --leak-check=full to see details of leaked memory");
    if (o->leak_check == LT_CHECK_FULL && r->kind_blocks[LT_REACHABLE] > 0 &&
        !(o->show_kinds & LT_KIND_BIT(LT_REACHABLE))) {
        line(t, "Reachable blocks (those to which a pointer was found) are not shown.");
        line(t, "To see them, rerun with: --leak-check=full --show-leak-kinds=all");
    }
    line(t, "");
}

static void error_summary(struct text *t, const struct lt_records *r)
{
    struct lt_writer *w = t->w;
    prefix(t);
    lt_put(w, "ERROR SUMMARY: ");
    lt_put_u64_commas(w, r->errors);
    lt_put(w, " errors from ");
    lt_put_u64_commas(w, r->errors);
    lt_put(w, " contexts (suppressed: ");
    lt_put_u64_commas(w, r->supp_errors);
    lt_put(w, " from ");
    lt_put_u64_commas(w, r->supp_errors);
    lt_put(w, ")\n");
}

void lt_report_text(struct lt_writer *w, struct lt_records *r,
                    const struct lt_report_ctx *ctx, const struct lt_options *o)
{
    struct text t = { w, ctx->pid };
    bool talk = !o->quiet;
    struct lt_coverage cov;
    lt_coverage_get(&cov);
    if (talk) {
        line(&t, "leaktrace-" LT_VERSION ", a leak checker for unmodified programs");
        if (ctx->command) {
            prefix(&t);
            lt_put(w, "Command: ");
            lt_put(w, ctx->command);
            lt_putc(w, '\n');
        }
        line(&t, "");
    }
    /* As Valgrind says it when a signal ends the program; under -q only for
     * a fault the kernel raised (m_signals.c: default_action). */
    if (ctx->fatal_signal && (talk || ctx->fatal_code > 0)) {
        line(&t, "");
        prefix(&t);
        lt_putf(w, "Process terminating with default action of signal %d (SIG%s)\n", ctx->fatal_signal,
                sigabbrev_np(ctx->fatal_signal) ? sigabbrev_np(ctx->fatal_signal) : "?");
        if (ctx->fatal_stack)
            lt_report_frames(ctx->fatal_stack, o, print_frame, &t);
        line(&t, "");
    }
    if (talk) {
        line(&t, "HEAP SUMMARY:");
        summary_line(&t, "    in use at exit: ", r->in_use_bytes, r->in_use_blocks);
        prefix(&t);
        lt_put(w, "  total heap usage: ");
        lt_put_u64_commas(w, ctx->usage.allocs);
        lt_put(w, " allocs, ");
        lt_put_u64_commas(w, ctx->usage.frees);
        lt_put(w, " frees, ");
        lt_put_u64_commas(w, ctx->usage.bytes_allocated);
        lt_put(w, " bytes allocated\n");
        line(&t, "");
    }
    if (o->leak_check == LT_CHECK_NO) {
        if (talk) {
            line(&t, "For a detailed leak analysis, rerun with: --leak-check=full");
            line(&t, "");
        }
    } else if (r->in_use_blocks == 0) {
        if (talk && !cov.incomplete) {     /* never claimed of a heap not fully seen */
            line(&t, "All heap blocks were freed -- no leaks are possible");
            line(&t, "");
        }
    } else {
        if (talk && o->verbosity > 0) {
            /* Valgrind -v (mc_leakcheck.c): before the records. */
            prefix(&t);
            lt_put(w, "Searching for pointers to ");
            lt_put_u64_commas(w, r->in_use_blocks);
            lt_put(w, " not-freed blocks\n");
            prefix(&t);
            lt_put(w, "Checked ");
            lt_put_u64_commas(w, r->checked_bytes);
            lt_put(w, " bytes\n");
            line(&t, "");
        }
        for (size_t i = 0; i < r->n; i++) {
            if (!r->v[i].shown)
                continue;
            print_record(&t, &r->v[i], r->n, o);
            if (o->gen_suppressions)
                lt_supp_write_generated(w, r->v[i].kind, r->v[i].stack);
            if (o->exit_on_first_error) {
                /* Valgrind stops after the first error it prints, with
                 * no summaries (m_errormgr.c). */
                line(&t, "");
                line(&t, "Exit program on first error (--exit-on-first-error=yes)");
                r->stopped_at_first_error = true;
                return;
            }
        }
        if (talk)
            leak_summary(&t, r, o);
    }
    /* What the check could not see (coverage.h), even under -q. */
    for (int i = 0; i < cov.n; i++)
        line(&t, cov.text[i]);
    if (cov.n)
        line(&t, "");
    /* Without libdw (dwlib.h) frames name their objects only: say why. */
    const char *no_dw = lt_dwlib_error();
    if (no_dw && r->in_use_blocks > 0 && o->leak_check != LT_CHECK_NO) {
        prefix(&t);
        lt_put(w, "Frames show their objects only: ");
        lt_put(w, no_dw);
        lt_put(w, "\n");
        line(&t, "");
    }
    if (talk && !o->verbose)
        line(&t, "For lists of detected and suppressed errors, rerun with: -s");
    if (!talk)             /* valgrind -q prints no ERROR SUMMARY, errors or not */
        return;
    error_summary(&t, r);
    /* -s/-v: the suppressions used, then the summary again (Valgrind). */
    if (o->verbose && lt_supp_write_used(w, ctx->pid) > 0) {
        line(&t, "");
        error_summary(&t, r);
    }
}
