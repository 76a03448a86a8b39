/* report_folded.c — folded stacks of leaked bytes (see report_folded.h). */
#include "report_folded.h"
#include "arena.h"
#include <string.h>

/* ---- frame lists ---------------------------------------------------------------- */

static void collect(void *arg, int index, uintptr_t ip, const struct lt_frame_info *f)
{
    (void)index;
    struct lt_frame_list *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct lt_frame_entry *v = lt_arena_alloc(cap * sizeof *v);
        if (!v) {
            l->truncated = true;
            return;
        }
        if (l->n)
            memcpy(v, l->v, l->n * sizeof *v);
        if (l->v)
            lt_arena_free(l->v, l->cap * sizeof *l->v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].f = *f;
    l->v[l->n].ip = ip;
    l->n++;
}

size_t lt_frame_list_fill(struct lt_frame_list *l, uint32_t stack, const struct lt_options *o)
{
    l->n = 0;
    l->truncated = false;
    if (stack)
        lt_report_frames(stack, o, collect, l);
    return l->n;
}

void lt_frame_list_free(struct lt_frame_list *l)
{
    if (l->v)
        lt_arena_free(l->v, l->cap * sizeof *l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* ---- folded lines ------------------------------------------------------------------ */

/* A name with the folded format's separators neutralised. */
static void put_name(struct lt_writer *w, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        char c = *s;
        if (c != ';' && !((unsigned char)c < 0x20 || c == 0x7f))
            continue;
        if (s > run)
            lt_putn(w, run, (size_t)(s - run));
        lt_putc(w, c == ';' ? ':' : ' ');
        run = s + 1;
    }
    if (s > run)
        lt_putn(w, run, (size_t)(s - run));
}

static void put_frame(struct lt_writer *w, const struct lt_frame_info *f)
{
    if (f->fn && f->fn[0]) {
        put_name(w, f->fn);
    } else if (f->obj) {
        const char *base = strrchr(f->obj, '/');
        put_name(w, base ? base + 1 : f->obj);
        lt_putc(w, '+');
        lt_put_hex(w, f->obj_offset);
    } else {
        lt_put(w, "???");
    }
}

void lt_report_folded(struct lt_writer *w, const struct lt_records *r,
                      const struct lt_report_ctx *ctx, const struct lt_options *o)
{
    (void)ctx;
    if (o->leak_check == LT_CHECK_NO)
        return;
    struct lt_frame_list l = { 0 };
    for (size_t i = 0; i < r->n; i++) {
        const struct lt_record *rec = &r->v[i];
        if (rec->supp >= 0 || rec->bytes == 0)
            continue;
        lt_frame_list_fill(&l, rec->stack, o);
        lt_put(w, lt_kind_text(rec->kind));
        for (size_t k = l.n; k-- > 0;) {
            lt_putc(w, ';');
            put_frame(w, &l.v[k].f);
        }
        lt_putc(w, ' ');
        lt_put_u64(w, rec->bytes);
        lt_putc(w, '\n');
    }
    lt_frame_list_free(&l);
}
