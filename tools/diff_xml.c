/* diff_xml.c — reads Valgrind's XML output (--xml=yes, protocol 4 to 6).
 *
 * Valgrind's XML is regular: elements and text, a prolog, maybe comments and
 * CDATA (suppression rawtext), no namespaces, attributes unused. A small
 * non-validating reader builds the element tree (iteratively, so nesting
 * depth cannot exhaust the stack), then the leak errors are taken from it:
 *
 *   <valgrindoutput>
 *     <protocoltool>memcheck</protocoltool> <pid>N</pid>
 *     <preamble><line>Command: ...</line></preamble> <args><argv><exe>...</exe></argv></args>
 *     <error><kind>Leak_DefinitelyLost</kind>
 *       <xwhat><text>48 (16 direct, 32 indirect) bytes in 1 blocks ... loss record 9 of 12</text>
 *              <leakedbytes>48</leakedbytes><leakedblocks>1</leakedblocks></xwhat>
 *       <stack><frame><ip/><obj/><fn/><dir/><file/><line/></frame>...</stack></error>
 *   </valgrindoutput>
 *
 * A file may hold several <valgrindoutput> documents, one process each. A file
 * that ends before its root element closes is truncated (an error). */
#include "diff.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xnode {
    const char *name;
    const char *text;       /* the element's own character data, entities decoded */
    size_t tlen;
    struct xnode *first, *last, *next;
    long line;
};

struct xopen {
    struct xnode *node;
    char *text;
    size_t tlen, tcap;
};

struct xparser {
    struct ltd_report *r;
    const char *buf;
    size_t len, pos;
    long line;
    struct xopen *stack;
    size_t depth, cap;
    struct xnode *top_first, *top_last;
};

static void advance(struct xparser *x, size_t to)
{
    for (size_t i = x->pos; i < to && i < x->len; i++)
        if (x->buf[i] == '\n')
            x->line++;
    x->pos = to;
}

static const char *find(struct xparser *x, const char *needle)
{
    return memmem(x->buf + x->pos, x->len - x->pos, needle, strlen(needle));
}

static void text_add(struct xopen *o, const char *s, size_t n)
{
    if (o->tlen + n + 1 > o->tcap) {
        o->tcap = (o->tlen + n + 1) * 2;
        o->text = ltd_xrealloc(o->text, o->tcap);
    }
    memcpy(o->text + o->tlen, s, n);
    o->tlen += n;
    o->text[o->tlen] = '\0';
}

static void utf8_add(struct xopen *o, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    text_add(o, u, n);
}

/* Character data up to the next '<', entities decoded. */
static int char_data(struct xparser *x, size_t end)
{
    struct xopen *o = x->depth ? &x->stack[x->depth - 1] : NULL;
    size_t i = x->pos;
    while (i < end) {
        const char *s = x->buf + i;
        if (*s != '&') {
            size_t j = i;
            while (j < end && x->buf[j] != '&')
                j++;
            if (o)
                text_add(o, s, j - i);
            else
                for (size_t k = i; k < j; k++)
                    if (!isspace((unsigned char)x->buf[k])) {
                        advance(x, k);
                        return ltd_fail(x->r, "malformed XML at line %ld: text outside the root element", x->line);
                    }
            i = j;
            continue;
        }
        const char *semi = memchr(s, ';', end - i < 12 ? end - i : 12);
        if (!semi) {
            advance(x, i);
            return ltd_fail(x->r, "malformed XML at line %ld: '&' that starts no entity", x->line);
        }
        size_t n = (size_t)(semi - s) - 1;
        const char *name = s + 1;
        unsigned long cp = 0;
        if (n == 2 && memcmp(name, "lt", 2) == 0)
            cp = '<';
        else if (n == 2 && memcmp(name, "gt", 2) == 0)
            cp = '>';
        else if (n == 3 && memcmp(name, "amp", 3) == 0)
            cp = '&';
        else if (n == 4 && memcmp(name, "quot", 4) == 0)
            cp = '"';
        else if (n == 4 && memcmp(name, "apos", 4) == 0)
            cp = '\'';
        else if (n >= 2 && name[0] == '#') {
            char *e;
            cp = (name[1] == 'x' || name[1] == 'X') ? strtoul(name + 2, &e, 16) : strtoul(name + 1, &e, 10);
            if (e != semi || cp == 0 || cp > 0x10FFFF)
                cp = 0;
        }
        if (cp == 0) {
            advance(x, i);
            return ltd_fail(x->r, "malformed XML at line %ld: unknown entity '&%.*s;'", x->line, (int)n, name);
        }
        if (o)
            utf8_add(o, cp);
        i = (size_t)(semi - x->buf) + 1;
    }
    advance(x, end);
    return 0;
}

static bool name_char(char c, bool first)
{
    return isalpha((unsigned char)c) || c == '_' || c == ':' || (!first && (isdigit((unsigned char)c) || c == '-' || c == '.'));
}

static int truncated(struct xparser *x, const char *what)
{
    if (x->depth)
        return ltd_fail(x->r, "truncated XML: the file ends inside %s, within <%s> opened at line %ld", what,
                        x->stack[x->depth - 1].node->name, x->stack[x->depth - 1].node->line);
    return ltd_fail(x->r, "truncated XML: the file ends inside %s", what);
}

static int xml_parse(struct xparser *x)
{
    while (x->pos < x->len) {
        const char *s = x->buf + x->pos;
        if (*s != '<') {
            const char *lt = memchr(s, '<', x->len - x->pos);
            size_t end = lt ? (size_t)(lt - x->buf) : x->len;
            if (char_data(x, end) != 0)
                return -1;
            continue;
        }
        size_t rest = x->len - x->pos;
        if (rest >= 2 && s[1] == '?') {
            const char *e = find(x, "?>");
            if (!e)
                return truncated(x, "a processing instruction");
            advance(x, (size_t)(e - x->buf) + 2);
        } else if (rest >= 4 && memcmp(s, "<!--", 4) == 0) {
            const char *e = find(x, "-->");
            if (!e)
                return truncated(x, "a comment");
            advance(x, (size_t)(e - x->buf) + 3);
        } else if (rest >= 9 && memcmp(s, "<![CDATA[", 9) == 0) {
            const char *e = find(x, "]]>");
            if (!e)
                return truncated(x, "a CDATA section");
            if (!x->depth)
                return ltd_fail(x->r, "malformed XML at line %ld: CDATA outside the root element", x->line);
            text_add(&x->stack[x->depth - 1], s + 9, (size_t)(e - s) - 9);
            advance(x, (size_t)(e - x->buf) + 3);
        } else if (rest >= 2 && s[1] == '!') {
            const char *e = find(x, ">");
            if (!e)
                return truncated(x, "a declaration");
            advance(x, (size_t)(e - x->buf) + 1);
        } else if (rest >= 2 && s[1] == '/') {
            size_t i = x->pos + 2, b = i;
            while (i < x->len && name_char(x->buf[i], i == b))
                i++;
            size_t nl = i - b;
            while (i < x->len && isspace((unsigned char)x->buf[i]))
                i++;
            if (i >= x->len)
                return truncated(x, "an end tag");
            if (x->buf[i] != '>' || nl == 0)
                return ltd_fail(x->r, "malformed XML at line %ld: bad end tag", x->line);
            if (!x->depth)
                return ltd_fail(x->r, "malformed XML at line %ld: end tag </%.*s> with no element open", x->line,
                                (int)nl, x->buf + b);
            struct xopen *o = &x->stack[x->depth - 1];
            if (strlen(o->node->name) != nl || memcmp(o->node->name, x->buf + b, nl) != 0)
                return ltd_fail(x->r, "malformed XML at line %ld: </%.*s> closes <%s> (opened at line %ld)", x->line,
                                (int)nl, x->buf + b, o->node->name, o->node->line);
            o->node->text = o->text ? ltd_strndup(x->r, o->text, o->tlen) : "";
            o->node->tlen = o->tlen;
            free(o->text);
            x->depth--;
            advance(x, i + 1);
        } else {
            size_t i = x->pos + 1, b = i;
            while (i < x->len && name_char(x->buf[i], i == b))
                i++;
            if (i == b) {
                if (i >= x->len)
                    return truncated(x, "a start tag");
                return ltd_fail(x->r, "malformed XML at line %ld: '<' that starts no tag", x->line);
            }
            struct xnode *nd = ltd_alloc(x->r, sizeof *nd);
            nd->name = ltd_strndup(x->r, x->buf + b, i - b);
            nd->line = x->line;
            /* Attributes: skipped, quoted values may hold '>'. */
            bool empty = false;
            for (;;) {
                while (i < x->len && isspace((unsigned char)x->buf[i]))
                    i++;
                if (i >= x->len)
                    return truncated(x, "a start tag");
                char ch = x->buf[i];
                if (ch == '>') {
                    i++;
                    break;
                }
                if (ch == '/' && i + 1 < x->len && x->buf[i + 1] == '>') {
                    empty = true;
                    i += 2;
                    break;
                }
                if (ch == '"' || ch == '\'') {
                    const char *q = memchr(x->buf + i + 1, ch, x->len - i - 1);
                    if (!q)
                        return truncated(x, "a start tag");
                    i = (size_t)(q - x->buf) + 1;
                } else if (name_char(ch, false) || ch == '=') {
                    i++;
                } else {
                    return ltd_fail(x->r, "malformed XML at line %ld: bad character in <%s>", x->line, nd->name);
                }
            }
            if (x->depth) {
                struct xnode *parent = x->stack[x->depth - 1].node;
                if (parent->last)
                    parent->last->next = nd;
                else
                    parent->first = nd;
                parent->last = nd;
            } else {
                if (x->top_last)
                    x->top_last->next = nd;
                else
                    x->top_first = nd;
                x->top_last = nd;
            }
            if (empty) {
                nd->text = "";
            } else {
                if (x->depth == x->cap) {
                    x->cap = x->cap ? 2 * x->cap : 16;
                    x->stack = ltd_xrealloc(x->stack, x->cap * sizeof *x->stack);
                }
                x->stack[x->depth++] = (struct xopen){ nd, NULL, 0, 0 };
            }
            advance(x, i);
        }
    }
    if (x->depth)
        return ltd_fail(x->r, "truncated XML: the file ends inside <%s> (opened at line %ld)",
                        x->stack[x->depth - 1].node->name, x->stack[x->depth - 1].node->line);
    return 0;
}

/* ---- Valgrind's elements -------------------------------------------------------------- */

static struct xnode *child(const struct xnode *n, const char *name)
{
    for (struct xnode *c = n ? n->first : NULL; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* The element's text with surrounding white space removed, in the arena; NULL if absent or empty. */
static const char *child_text(struct ltd_report *r, const struct xnode *n, const char *name)
{
    const struct xnode *c = child(n, name);
    if (!c || !c->text)
        return NULL;
    const char *s = c->text, *e = c->text + c->tlen;
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    return e > s ? ltd_strndup(r, s, (size_t)(e - s)) : NULL;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    if (!s || !*s)
        return false;
    uint64_t x = 0;
    for (; *s; s++) {
        if (*s == ',')
            continue;
        if (!isdigit((unsigned char)*s) || x > (UINT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *v = x;
    return true;
}

static int leak_kind(const char *k)
{
    if (!k)
        return -2;
    if (strcmp(k, "Leak_DefinitelyLost") == 0)
        return LTD_DEFINITE;
    if (strcmp(k, "Leak_IndirectlyLost") == 0)
        return LTD_INDIRECT;
    if (strcmp(k, "Leak_PossiblyLost") == 0)
        return LTD_POSSIBLE;
    if (strcmp(k, "Leak_StillReachable") == 0)
        return LTD_REACHABLE;
    return -1;
}

static int read_error(struct ltd_report *r, struct ltd_proc *p, const struct xnode *err)
{
    const char *kt = child_text(r, err, "kind");
    int kind = leak_kind(kt);
    if (kind == -2)
        return ltd_fail(r, "malformed Valgrind XML: <error> at line %ld has no <kind>", err->line);
    if (kind < 0)
        return 0;   /* not a leak (invalid read, ...) */
    const struct xnode *xw = child(err, "xwhat");
    uint64_t bytes, blocks;
    if (!xw || !parse_u64(child_text(r, xw, "leakedbytes"), &bytes) ||
        !parse_u64(child_text(r, xw, "leakedblocks"), &blocks))
        return ltd_fail(r, "malformed Valgrind XML: leak <error> at line %ld lacks <xwhat> with <leakedbytes> "
                           "and <leakedblocks>",
                        err->line);
    struct ltd_record h;
    memset(&h, 0, sizeof h);
    const char *text = child_text(r, xw, "text");
    if (text && ltd_parse_record_header(text, strlen(text), &h) == 0) {
        if (h.number > 0 && h.number <= p->last_number)
            ltd_proc_restart(p);   /* a new leak search in the same process */
        p->last_number = h.number;
    } else {
        h.direct = bytes;
        h.indirect = 0;
    }
    const struct xnode *stack = child(err, "stack");
    size_t nf = 0;
    for (const struct xnode *f = stack ? stack->first : NULL; f; f = f->next)
        nf += strcmp(f->name, "frame") == 0;
    if (nf == 0)
        return ltd_fail(r, "malformed Valgrind XML: leak <error> at line %ld has no <stack> frames", err->line);
    struct ltd_record *rec = ltd_proc_add(r, p);
    rec->kind = kind;
    rec->bytes = bytes;
    rec->blocks = blocks;
    rec->direct = h.bytes == bytes ? h.direct : bytes;
    rec->indirect = h.bytes == bytes ? h.indirect : 0;
    rec->number = h.number;
    rec->total = h.total;
    rec->src_line = err->line;
    rec->frames = ltd_alloc(r, nf * sizeof *rec->frames);
    for (const struct xnode *f = stack->first; f; f = f->next) {
        if (strcmp(f->name, "frame") != 0)
            continue;
        struct ltd_frame *fr = &rec->frames[rec->nframes++];
        fr->fn = child_text(r, f, "fn");
        if (fr->fn && strcmp(fr->fn, "???") == 0)
            fr->fn = NULL;
        fr->obj = child_text(r, f, "obj");
        fr->file = child_text(r, f, "file");
        const char *ln = child_text(r, f, "line");
        fr->line = ln ? strtol(ln, NULL, 10) : 0;
        if (!fr->file)
            fr->line = 0;
    }
    return 0;
}

static int read_document(struct ltd_report *r, const struct xnode *root)
{
    if (strcmp(root->name, "valgrindoutput") != 0)
        return ltd_fail(r, "XML, but not Valgrind's: the root element is <%s>, not <valgrindoutput>", root->name);
    const char *tool = child_text(r, root, "protocoltool");
    if (!tool)
        tool = child_text(r, root, "tool");
    if (tool && strcmp(tool, "memcheck") != 0)
        return ltd_fail(r, "a Valgrind XML report of tool '%s', not memcheck: it has no leak records", tool);
    const char *pid_s = child_text(r, root, "pid");
    struct ltd_proc *p = ltd_proc_new(r, pid_s ? strtol(pid_s, NULL, 10) : 0);
    const char *command = NULL;
    const struct xnode *pre = child(root, "preamble");
    for (const struct xnode *l = pre ? pre->first : NULL; l; l = l->next) {
        if (strcmp(l->name, "line") != 0 || !l->text)
            continue;
        if (strncmp(l->text, "Command: ", 9) == 0)
            command = l->text + 9;
        else if (strncmp(l->text, "leaktrace-", 10) == 0)
            r->format = "leaktrace XML";
    }
    const struct xnode *argv = child(child(root, "args"), "argv");
    ltd_proc_set_command(r, p, command, child_text(r, argv, "exe"));
    for (const struct xnode *e = root->first; e; e = e->next)
        if (strcmp(e->name, "error") == 0 && read_error(r, &r->procs[r->nprocs - 1], e) != 0)
            return -1;
    return 0;
}

int ltd_read_xml(struct ltd_report *r, const char *buf, size_t len)
{
    struct xparser x = { .r = r, .buf = buf, .len = len, .line = 1 };
    int rc = xml_parse(&x);
    for (size_t i = 0; i < x.depth; i++)
        free(x.stack[i].text);
    free(x.stack);
    if (rc != 0)
        return rc;
    if (!x.top_first)
        return ltd_fail(r, "XML without any element: not a Valgrind XML report");
    for (const struct xnode *d = x.top_first; d; d = d->next)
        if (read_document(r, d) != 0)
            return -1;
    return 0;
}
