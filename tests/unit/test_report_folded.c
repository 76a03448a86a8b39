/* test_report_folded.c — folded stacks (src/report_folded.c).
 *
 * Synthetic records over real depot stacks: one line per record that is
 * not suppressed and has bytes, "KIND;outermost;...;allocator BYTES" with
 * the kind named as the LEAK SUMMARY names it; frames cut after main;
 * direct bytes only, so each kind's lines add up to its LEAK SUMMARY
 * bytes; hidden kinds written too; frames without a symbol named
 * "OBJECT+0xOFFSET" or "???"; nothing with --leak-check=no. And
 * lt_frame_list_fill: the printed frames, innermost first, growing past
 * its first allocation. */
#include "report_folded.h"
#include "depot.h"
#include "symbols.h"
#include "unit.h"
#include "report_fixture.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static char *folded(const struct lt_records *r, const struct lt_options *o)
{
    struct lt_report_ctx ctx = { .pid = 1 };
    return capture(lt_report_folded, r, &ctx, o);
}

volatile int folded_sink;
__attribute__((noinline)) void folded_alloc(void) { folded_sink += 1; folded_sink *= 3; }
__attribute__((noinline)) void folded_parse(void) { folded_alloc(); folded_sink += 2; folded_sink *= 5; }
__attribute__((noinline)) void folded_other(void) { folded_sink += 4; folded_sink *= 11; }
__attribute__((noinline)) void folded_below(void) { folded_sink += 3; folded_sink *= 7; }
int main(void);


static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return true;
    return false;
}

static void test_lines(void)
{
    uintptr_t a[] = { (uintptr_t)folded_alloc, (uintptr_t)folded_parse + 4, (uintptr_t)main + 4,
                      (uintptr_t)folded_below + 4 };
    uintptr_t b[] = { (uintptr_t)folded_other, (uintptr_t)main + 4 };
    uintptr_t c[] = { 0x1000, (uintptr_t)main + 4 };         /* no object, no symbol */
    uint32_t sa = lt_depot_intern(a, 4), sb = lt_depot_intern(b, 2), sc = lt_depot_intern(c, 2);
    const struct spec set[] = {
        { LT_DEFINITE, sa, 100, 48, 0 },  { LT_DEFINITE, sa, 28, 0, 0 }, { LT_INDIRECT, sb, 48, 0, 0 },
        { LT_POSSIBLE, sb, 7, 0, 0 },     { LT_REACHABLE, sa, 1000, 0, 0 }, { LT_DEFINITE, sc, 5, 0, 0 },
        { LT_POSSIBLE, sa, 0, 0, 0 },     { LT_REACHABLE, sb, 9, 0, 0 },
    };
    make_scan(set, sizeof set / sizeof set[0]);
    struct lt_options o;
    lt_options_defaults(&o);
    struct lt_records r;
    CHECK(lt_records_build(&r, &S, &o) == 0, "lt_records_build");
    /* Suppress the (R, sb) record, as lt_records_build would. */
    for (size_t i = 0; i < r.n; i++)
        if (r.v[i].kind == LT_REACHABLE && r.v[i].stack == sb) {
            r.v[i].supp = 0;
            r.kind_bytes[LT_REACHABLE] -= r.v[i].bytes;
        }
    char *t = folded(&r, &o);
    CHECK(has_line(t, "definitely lost;main;folded_parse;folded_alloc 128"), "definite line (direct bytes, 2 blocks)");
    CHECK(has_line(t, "indirectly lost;main;folded_other 48"), "indirect line");
    CHECK(has_line(t, "possibly lost;main;folded_other 7"), "possible line");
    CHECK(has_line(t, "still reachable;main;folded_parse;folded_alloc 1000"), "reachable line (hidden kind)");
    CHECK(has_line(t, "definitely lost;main;??? 5"), "frame without object or symbol");
    CHECK(!strstr(t, "folded_below"), "frame after main");
    CHECK(!strstr(t, " 0\n"), "zero-byte record written");
    CHECK(!strstr(t, " 9\n"), "suppressed record written");
    /* Sums per kind equal the LEAK SUMMARY's bytes. */
    static const char *const labels[] = { "still reachable", "possibly lost", "indirectly lost", "definitely lost" };
    uint64_t sums[LT_NKINDS] = { 0 };
    int lines = 0;
    for (const char *p = t; *p;) {
        const char *nl = strchr(p, '\n');
        CHECK(nl != NULL, "last line without newline");
        if (!nl)
            break;
        const char *sp = nl;
        while (sp > p && sp[-1] != ' ')
            sp--;
        int kind = -1;
        for (int k = 0; k < LT_NKINDS; k++)
            if (strncmp(p, labels[k], strlen(labels[k])) == 0 && p[strlen(labels[k])] == ';')
                kind = k;
        CHECK(kind >= 0, "line without a kind: %.*s", (int)(nl - p), p);
        if (kind >= 0)
            sums[kind] += strtoull(sp, NULL, 10);
        lines++;
        p = nl + 1;
    }
    CHECK(lines == 5, "%d lines, expected 5", lines);
    for (int k = 0; k < LT_NKINDS; k++)
        CHECK(sums[k] == r.kind_bytes[k], "kind %d: lines add up to %llu, LEAK SUMMARY says %llu", k,
              (unsigned long long)sums[k], (unsigned long long)r.kind_bytes[k]);
    free(t);

    o.leak_check = LT_CHECK_NO;
    t = folded(&r, &o);
    CHECK(t[0] == 0, "--leak-check=no: nothing written (\"%.40s\")", t);
    free(t);
    lt_records_free(&r);
    lt_scan_fini(&S);
}

static void test_frame_list(void)
{
    uintptr_t ips[200];
    for (int i = 0; i < 199; i++)
        ips[i] = (uintptr_t)folded_parse + 4;
    ips[199] = (uintptr_t)main + 4;
    uint32_t id = lt_depot_intern(ips, 200);
    struct lt_options o;
    lt_options_defaults(&o);
    struct lt_frame_list l = { 0 };
    lt_symbols_begin();
    size_t n = lt_frame_list_fill(&l, id, &o);
    CHECK(n == 200 && l.n == 200 && !l.truncated, "200 frames, got %zu", n);
    CHECK(l.cap >= 200, "capacity grew");
    CHECK(n == 200 && l.v[199].f.fn && strcmp(l.v[199].f.fn, "main") == 0, "innermost first, main last");
    CHECK(lt_frame_list_fill(&l, 0, &o) == 0, "stack 0: no frames");
    lt_symbols_end();
    lt_frame_list_free(&l);
    CHECK(l.v == NULL && l.cap == 0, "freed");
}

int main(void)
{
    lt_options_defaults(&lt_opt);
    RUN(test_lines);
    RUN(test_frame_list);
    return UNIT_DONE();
}
