/* diff_text.c — reads Valgrind-format text reports (ours and memcheck's).
 *
 * Only lines carrying a "==PID==" prefix are read; anything else (the
 * program's own output, "--PID--" verbose lines, generated suppressions, CI
 * timestamps before the prefix) is skipped, so a whole CI log can be given.
 * Lines of different processes may interleave: each PID has its own state.
 *
 * Per process:
 *   banner ("Memcheck, a memory error detector" / "leaktrace-X, a leak
 *   checker for unmodified programs"), "Command: ...", "HEAP SUMMARY:",
 *   loss records (header, "at/by" frames, a blank "==PID== " line),
 *   "LEAK SUMMARY:", "ERROR SUMMARY: ...".
 * A process may print several leak searches (leaktrace_check(),
 * VALGRIND_DO_LEAK_CHECK): a record after a LEAK SUMMARY, or numbered no
 * higher than the one before it, starts a new search and only the last one
 * counts. A second banner for the same PID starts a new report: if its
 * Command is the same, it supersedes the earlier one (a check on request,
 * then the final report); if not, the PID was reused and both count. A banner
 * with nothing after it before the next banner of that PID is an image that
 * exec'd (Valgrind prints no summary then) and is skipped.
 *
 * Truncation (an error): the file ends inside a loss record (no blank line
 * after its stack), a report with a banner and a HEAP SUMMARY or records has
 * no ERROR SUMMARY, or the last line is cut (no newline) inside a report. */
#include "diff.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- record headers ------------------------------------------------------------------- */

static bool lit(const char **p, const char *end, const char *s)
{
    size_t n = strlen(s);
    if ((size_t)(end - *p) < n || memcmp(*p, s, n) != 0)
        return false;
    *p += n;
    return true;
}

static bool num(const char **p, const char *end, uint64_t *v)
{
    const char *q = *p;
    uint64_t x = 0;
    int digits = 0;
    while (q < end && (isdigit((unsigned char)*q) || (*q == ',' && digits > 0 && q + 1 < end &&
                                                      isdigit((unsigned char)q[1])))) {
        if (*q != ',') {
            if (x > (UINT64_MAX - 9) / 10)
                return false;
            x = x * 10 + (uint64_t)(*q - '0');
            digits++;
        }
        q++;
    }
    if (!digits)
        return false;
    *p = q;
    *v = x;
    return true;
}

/* Valgrind's delta decoration after a number: " (+N)" or " (-N)". */
static void skip_delta(const char **p, const char *end)
{
    const char *q = *p;
    uint64_t dummy;
    if ((lit(&q, end, " (+") || lit(&q, end, " (-")) && num(&q, end, &dummy) && lit(&q, end, ")"))
        *p = q;
}

int ltd_parse_record_header(const char *s, size_t n, struct ltd_record *out)
{
    const char *p = s, *end = s + n;
    uint64_t bytes, direct, indirect = 0, blocks, k, t;
    if (!num(&p, end, &bytes))
        return -1;
    skip_delta(&p, end);
    direct = bytes;
    if (lit(&p, end, " (")) {
        if (!num(&p, end, &direct))
            return -1;
        skip_delta(&p, end);
        if (!lit(&p, end, " direct, ") || !num(&p, end, &indirect))
            return -1;
        skip_delta(&p, end);
        if (!lit(&p, end, " indirect)"))
            return -1;
    }
    if (!lit(&p, end, " bytes in ") || !num(&p, end, &blocks))
        return -1;
    skip_delta(&p, end);
    if (!lit(&p, end, " blocks are "))
        return -1;
    int kind = -1;
    for (int i = 0; i < LTD_NKINDS && kind < 0; i++) {
        const char *kt = ltd_kind_text(i);
        if (lit(&p, end, kt))
            kind = i;
    }
    if (kind < 0 || !lit(&p, end, " in "))
        return -1;
    lit(&p, end, "new ");
    if (!lit(&p, end, "loss record ") || !num(&p, end, &k) || !lit(&p, end, " of ") || !num(&p, end, &t))
        return -1;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p != end)
        return -1;
    out->kind = kind;
    out->bytes = bytes;
    out->direct = direct;
    out->indirect = indirect;
    out->blocks = blocks;
    out->number = (long)k;
    out->total = (long)t;
    return 0;
}

/* ---- frames --------------------------------------------------------------------------- */

/* "fn (file:line)", "fn (in /obj)", "??? (in /obj)", "???", "fn". The
 * location is the last balanced parenthesis group preceded by a space, so
 * "operator new(unsigned long) (in /x.so)" and "(below main) (f.c:3)" work. */
static void parse_fn_loc(struct ltd_report *r, const char *s, size_t n, struct ltd_frame *f)
{
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    size_t fn_len = n;
    if (n > 0 && s[n - 1] == ')') {
        int depth = 0;
        size_t open = 0;
        bool found = false;
        for (size_t k = n; k-- > 0;) {
            if (s[k] == ')')
                depth++;
            else if (s[k] == '(' && --depth == 0) {
                open = k;
                found = true;
                break;
            }
        }
        if (found && open > 0 && s[open - 1] == ' ') {
            const char *in = s + open + 1;
            size_t in_len = n - open - 2;
            if (in_len > 3 && memcmp(in, "in ", 3) == 0) {
                f->obj = ltd_strndup(r, in + 3, in_len - 3);
                fn_len = open - 1;
            } else {
                size_t colon = in_len;
                while (colon > 0 && in[colon - 1] != ':')
                    colon--;
                if (colon > 1 && colon < in_len) {
                    bool digits = true;
                    for (size_t k = colon; k < in_len; k++)
                        digits = digits && isdigit((unsigned char)in[k]);
                    if (digits) {
                        f->file = ltd_strndup(r, in, colon - 1);
                        f->line = strtol(in + colon, NULL, 10);
                        fn_len = open - 1;
                    }
                }
            }
        }
    }
    if (fn_len == 3 && memcmp(s, "???", 3) == 0)
        f->fn = NULL;
    else if (fn_len > 0)
        f->fn = ltd_strndup(r, s, fn_len);
}

/* "   at 0x4848899: malloc (in /x.so)" / "   by 0x...: ..." */
static bool parse_frame(struct ltd_report *r, const char *s, size_t n, struct ltd_frame *f)
{
    const char *p = s, *end = s + n;
    while (p < end && *p == ' ')
        p++;
    if (!lit(&p, end, "at 0x") && !lit(&p, end, "by 0x"))
        return false;
    const char *hex = p;
    while (p < end && isxdigit((unsigned char)*p))
        p++;
    if (p == hex || !lit(&p, end, ":"))
        return false;
    while (p < end && *p == ' ')
        p++;
    memset(f, 0, sizeof *f);
    parse_fn_loc(r, p, (size_t)(end - p), f);
    return true;
}

/* ---- per-process state ---------------------------------------------------------------- */

struct tstate {
    bool banner, heap, complete, in_record, search_closed, content;
    bool had_command;
    int tool;               /* 0 unknown, 1 valgrind, 2 leaktrace */
    long prev;              /* earlier report of the same PID, -1 if none */
    long banner_line;
    long rec_line;
    struct ltd_frame *frames;
    size_t nframes, capframes;
};

struct tctx {
    struct ltd_report *r;
    struct tstate *st;      /* parallel to r->procs */
    size_t capst;
    long last;              /* index of the process of the previous line */
};

static long new_proc(struct tctx *c, long pid)
{
    struct ltd_report *r = c->r;
    ltd_proc_new(r, pid);
    if (r->nprocs > c->capst) {
        c->capst = r->capprocs;
        c->st = ltd_xrealloc(c->st, c->capst * sizeof *c->st);
    }
    struct tstate *s = &c->st[r->nprocs - 1];
    memset(s, 0, sizeof *s);
    s->prev = -1;
    return (long)r->nprocs - 1;
}

static long find_proc(struct tctx *c, long pid)
{
    if (c->last >= 0 && c->r->procs[c->last].pid == pid)
        return c->last;
    for (size_t i = c->r->nprocs; i-- > 0;)
        if (c->r->procs[i].pid == pid)
            return (long)i;
    return new_proc(c, pid);
}

/* Ends the record being read; its frames go to the arena. */
static int end_record(struct tctx *c, long idx)
{
    struct tstate *s = &c->st[idx];
    struct ltd_proc *p = &c->r->procs[idx];
    struct ltd_record *rec = &p->recs[p->n - 1];
    s->in_record = false;
    if (s->nframes == 0)
        return ltd_fail(c->r, "line %ld: loss record %ld of %ld (process %ld) has no stack", s->rec_line,
                        rec->number, rec->total, p->pid);
    rec->frames = ltd_alloc(c->r, s->nframes * sizeof *rec->frames);
    memcpy(rec->frames, s->frames, s->nframes * sizeof *rec->frames);
    rec->nframes = s->nframes;
    s->nframes = 0;
    return 0;
}

/* "==PID== " (or "==PID==" at the end) anywhere in the line: a CI log may
 * put a timestamp first. */
static bool find_prefix(const char *line, size_t len, long *pid, size_t *content)
{
    for (size_t i = 0; i + 5 <= len; i++) {
        if (line[i] != '=' || line[i + 1] != '=')
            continue;
        size_t j = i + 2, d = 0;
        long v = 0;
        while (j < len && isdigit((unsigned char)line[j]) && d < 10) {
            v = v * 10 + (line[j] - '0');
            j++;
            d++;
        }
        if (d == 0 || j + 2 > len || line[j] != '=' || line[j + 1] != '=')
            continue;
        j += 2;
        if (j < len && line[j] != ' ')
            continue;
        *pid = v;
        *content = j < len ? j + 1 : len;
        return true;
    }
    return false;
}

static bool starts(const char *s, size_t n, const char *pre)
{
    size_t k = strlen(pre);
    return n >= k && memcmp(s, pre, k) == 0;
}

static bool is_banner(const char *s, size_t n, int *tool)
{
    static const char vg[] = "Memcheck, a memory error detector";
    static const char lt[] = ", a leak checker for unmodified programs";
    if (n == sizeof vg - 1 && memcmp(s, vg, n) == 0) {
        *tool = 1;
        return true;
    }
    if (starts(s, n, "leaktrace-") && n >= sizeof lt - 1 && memcmp(s + n - (sizeof lt - 1), lt, sizeof lt - 1) == 0) {
        *tool = 2;
        return true;
    }
    return false;
}

static int text_line(struct tctx *c, long lineno, long pid, const char *s, size_t n, bool cut)
{
    struct ltd_report *r = c->r;
    long idx = find_proc(c, pid);
    c->last = idx;
    struct tstate *st = &c->st[idx];
    bool blank = true;
    for (size_t k = 0; k < n && blank; k++)
        blank = isspace((unsigned char)s[k]);

    if (st->in_record) {
        struct ltd_frame f;
        if (!blank && parse_frame(r, s, n, &f)) {
            if (st->nframes == st->capframes) {
                st->capframes = st->capframes ? 2 * st->capframes : 16;
                st->frames = ltd_xrealloc(st->frames, st->capframes * sizeof *st->frames);
            }
            st->frames[st->nframes++] = f;
            return 0;
        }
        if (cut) {
            const struct ltd_record *rec = &r->procs[idx].recs[r->procs[idx].n - 1];
            return ltd_fail(r, "truncated report: the file ends inside loss record %ld of %ld of process %ld "
                               "(line %ld): its last line is cut short",
                            rec->number, rec->total, pid, st->rec_line);
        }
        if (end_record(c, idx) != 0)
            return -1;
    }
    if (blank)
        return 0;

    int tool;
    if (is_banner(s, n, &tool)) {
        if (st->banner || st->heap || r->procs[idx].n > 0) {
            /* Another report of this PID begins. */
            if (!st->complete && (st->heap || r->procs[idx].n > 0))
                return ltd_fail(r, "truncated report: the report of process %ld that begins at line %ld has no "
                                   "ERROR SUMMARY before another report of that process begins at line %ld",
                                pid, st->banner_line, lineno);
            long old = idx;
            if (!st->complete)              /* banner only: an image that exec'd */
                r->procs[old].dropped = 1;
            idx = new_proc(c, pid);
            c->last = idx;
            st = &c->st[idx];
            st->prev = c->st[old].complete ? old : -1;
        }
        st->banner = true;
        st->content = true;
        st->tool = tool;
        st->banner_line = lineno;
        return 0;
    }
    if (starts(s, n, "Command: ")) {
        char *cmd = ltd_strndup(r, s + 9, n - 9);
        ltd_proc_set_command(r, &r->procs[idx], cmd, NULL);
        st->had_command = true;
        return 0;
    }
    if (n == 13 && memcmp(s, "HEAP SUMMARY:", 13) == 0) {
        st->heap = true;
        st->content = true;
        return 0;
    }
    if (n == 13 && memcmp(s, "LEAK SUMMARY:", 13) == 0) {
        st->search_closed = true;
        st->content = true;
        return 0;
    }
    if (starts(s, n, "ERROR SUMMARY: ")) {
        /* "N errors from N contexts (suppressed: N from N)": a line cut
         * short does not complete the report. */
        const char *q = s + 15, *e = s + n;
        uint64_t v;
        while (e > q && isspace((unsigned char)e[-1]))
            e--;
        if (num(&q, e, &v) && lit(&q, e, " errors from ") && num(&q, e, &v) && lit(&q, e, " contexts (suppressed: ") &&
            num(&q, e, &v) && lit(&q, e, " from ") && num(&q, e, &v) && lit(&q, e, ")") && q == e)
            st->complete = true;
        st->content = true;
        return 0;
    }
    if (starts(s, n, "All heap blocks were freed")) {
        ltd_proc_restart(&r->procs[idx]);
        st->search_closed = true;
        st->content = true;
        return 0;
    }
    if (isdigit((unsigned char)s[0])) {
        struct ltd_record h;
        memset(&h, 0, sizeof h);
        if (ltd_parse_record_header(s, n, &h) == 0) {
            struct ltd_proc *p = &r->procs[idx];
            if (st->search_closed || h.number <= p->last_number) {
                ltd_proc_restart(p);
                st->search_closed = false;
            }
            struct ltd_record *rec = ltd_proc_add(r, p);
            h.pid = rec->pid;
            h.program = rec->program;
            h.src_line = lineno;
            *rec = h;
            p->last_number = h.number;
            st->in_record = true;
            st->nframes = 0;
            st->rec_line = lineno;
            st->content = true;
        } else if (memmem(s, n, " in loss record ", 16) || memmem(s, n, " bytes in ", 10)) {
            /* Reads like a loss record's header but is not one: a damaged
             * report. Skipping it would hide a leak (a fuzzer finding). */
            return ltd_fail(r, "line %ld: a damaged loss record header: %.*s", lineno,
                            (int)(n > 120 ? 120 : n), s);
        }
    }
    return 0;
}

int ltd_read_text(struct ltd_report *r, const char *buf, size_t len)
{
    struct tctx c = { .r = r, .last = -1 };
    long lineno = 0, prefixed = 0;
    bool binary = memchr(buf, '\0', len) != NULL;
    int rc = 0;
    const char *p = buf, *end = buf + len;
    bool last_cut = false;
    long last_pid = -1;
    while (p < end && rc == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        size_t n = (size_t)(le - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        long pid;
        size_t off;
        if (find_prefix(p, n, &pid, &off)) {
            prefixed++;
            rc = text_line(&c, lineno, pid, p + off, n - off, nl == NULL);
            if (!nl) {
                last_cut = true;
                last_pid = pid;
            }
        }
        p = nl ? nl + 1 : end;
    }

    /* What kind of text this was. */
    int tools = 0;
    bool any = false, any_complete = false;
    for (size_t i = 0; i < r->nprocs; i++) {
        if (c.st[i].tool)
            tools |= 1 << c.st[i].tool;
        any = any || c.st[i].content;
        any_complete = any_complete || c.st[i].complete;
    }
    r->format = tools == 2 ? "valgrind text" : tools == 4 ? "leaktrace text" : tools == 6 ? "valgrind and leaktrace text"
                                                                                        : "text";
    if (rc == 0 && !any) {
        if (binary)
            rc = ltd_fail(r, "not a leak report: binary data (neither JSON, Valgrind XML nor a text report)");
        else if (prefixed)
            rc = ltd_fail(r, "not a leak report: %ld '==PID==' line%s but no banner, loss record or summary",
                          prefixed, prefixed == 1 ? "" : "s");
        else
            rc = ltd_fail(r, "not a leak report: no '==PID==' lines (neither JSON, Valgrind XML nor a "
                             "Valgrind-format text report)");
    }
    for (size_t i = 0; rc == 0 && i < r->nprocs; i++) {
        struct tstate *st = &c.st[i];
        struct ltd_proc *pr = &r->procs[i];
        if (st->in_record) {
            struct ltd_record *rec = &pr->recs[pr->n - 1];
            rc = ltd_fail(r, "truncated report: the file ends inside loss record %ld of %ld of process %ld "
                             "(line %ld): no blank line after its stack",
                          rec->number, rec->total, pr->pid, st->rec_line);
        } else if (st->banner && !st->complete && (st->heap || pr->n > 0)) {
            rc = ltd_fail(r, "truncated report: the report of process %ld (line %ld) has no ERROR SUMMARY: "
                             "the file ends before it does",
                          pr->pid, st->banner_line);
        } else if (st->banner && !st->complete) {
            /* Banner only: a program that exec'd without being traced
             * (Valgrind prints nothing more), unless nothing else is here. */
            if (!any_complete)
                rc = ltd_fail(r, "truncated report: the report of process %ld (line %ld) ends after its banner "
                                 "(no HEAP SUMMARY, loss record or ERROR SUMMARY)",
                              pr->pid, st->banner_line);
            pr->dropped = 1;
        } else if (last_cut && pr->pid == last_pid && !st->complete && (long)i == c.last) {
            rc = ltd_fail(r, "truncated report: the last line (%ld) is cut short (no newline) inside the "
                             "report of process %ld",
                          lineno, pr->pid);
        }
        if (rc == 0 && st->prev >= 0) {
            const char *a = r->procs[st->prev].command, *b = pr->command;
            if ((!a && !b) || (a && b && strcmp(a, b) == 0))
                r->procs[st->prev].dropped = 1;   /* a check on request, then a later report */
        }
    }
    for (size_t i = 0; i < r->nprocs; i++)
        free(c.st[i].frames);
    free(c.st);
    return rc;
}
