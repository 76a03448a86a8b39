/* test_report_sarif.c — the SARIF report (src/report_sarif.c).
 *
 * Path normalisation ("//", "/./", "x/.." lexically), URI percent-encoding,
 * which frames count as the program's own code (not the tool, not system
 * libraries, not system headers), the fingerprint (same for the same
 * symbolic stack whatever the addresses, different for another kind or
 * another function). A whole document from synthetic records over real
 * depot stacks: well-formed JSON (the strict checker of
 * test_report_json.c), SARIF 2.1.0's skeleton, four rules, one result per
 * shown record only, each located at its first own frame with file:line,
 * its uri relative to the source root (the ".git" rule: this test's
 * sources are in the project's checkout) with uriBaseId SRCROOT declared
 * in originalUriBaseIds, a code flow outermost first and the whole stack;
 * a record without frames (empty locations, no code flow), the working
 * directory "/", unknown command line and exit status. */
#include "report_sarif.h"
#include "report_folded.h"
#include "depot.h"
#include "symbols.h"
#include "unit.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "report_fixture.h"
#include "json_check.h"


static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* ---- pieces --------------------------------------------------------------------------- */

#define CHECK_NORM(in, want)                                                          \
    do {                                                                              \
        char b_[256];                                                                 \
        snprintf(b_, sizeof b_, "%s", in);                                            \
        lt_sarif_normalize_path(b_);                                                  \
        CHECK(strcmp(b_, want) == 0, "normalize(%s) = %s, expected %s", in, b_, want); \
    } while (0)

static void test_normalize(void)
{
    CHECK_NORM("/a/b/c.c", "/a/b/c.c");
    CHECK_NORM("/a//b/./c.c", "/a/b/c.c");
    CHECK_NORM("/a/build/../src/c.c", "/a/src/c.c");
    CHECK_NORM("/a/b/../../c.c", "/c.c");
    CHECK_NORM("/../c.c", "/c.c");
    CHECK_NORM("/", "/");
    CHECK_NORM("/a/.", "/a");
    CHECK_NORM("/a/..", "/");
    CHECK_NORM("rel/../x.c", "rel/../x.c");       /* relative: untouched */
    CHECK_NORM("/a/.hidden/..x/c.c", "/a/.hidden/..x/c.c");
}

static void uri_only(struct lt_writer *w, const struct lt_records *r, const struct lt_report_ctx *ctx,
                     const struct lt_options *o)
{
    (void)r;
    (void)o;
    lt_sarif_put_uri_path(w, ctx->command);
}

#define CHECK_URI(in, want)                                                                   \
    do {                                                                                      \
        struct lt_report_ctx c_ = { .command = in };                                          \
        char *got_ = capture(uri_only, NULL, &c_, NULL);                                      \
        CHECK(strcmp(got_, want) == 0, "uri(%s) = \"%s\", expected \"%s\"", in, got_, want); \
        free(got_);                                                                           \
    } while (0)

static void test_uri(void)
{
    CHECK_URI("/work/src/a-b_c.d~e.c", "/work/src/a-b_c.d~e.c");
    CHECK_URI("/my dir/x%y#z?.c", "/my%20dir/x%25y%23z%3F.c");
    CHECK_URI("/caf\xc3\xa9/\"q\"\\.c", "/caf%C3%A9/%22q%22%5C.c");
    CHECK_URI("/a+b=c;d,e@f:g.c", "/a+b=c;d,e@f:g.c");
}

static void test_own_frame(void)
{
    CHECK(lt_sarif_own_frame("/work/build/prog", "/work/src"), "program");
    CHECK(lt_sarif_own_frame("/opt/app/lib/libapp.so", NULL), "own library without dir");
    CHECK(lt_sarif_own_frame("/usr/local/lib/libmine.so", "/home/me/mine"), "/usr/local/lib is not system");
    CHECK(!lt_sarif_own_frame("/usr/lib/x86_64-linux-gnu/libc.so.6", "/build/glibc"), "libc");
    CHECK(!lt_sarif_own_frame("/lib/x86_64-linux-gnu/libstdc++.so.6", NULL), "/lib");
    CHECK(!lt_sarif_own_frame("/lib64/ld-linux-x86-64.so.2", NULL), "/lib64");
    CHECK(!lt_sarif_own_frame("/usr/libexec/foo", NULL), "/usr/libexec");
    CHECK(lt_sarif_own_frame("/usr/library/x", NULL), "a prefix of a name is not a directory");
    CHECK(!lt_sarif_own_frame("/work/build/libleaktrace.so", "/work/src"), "the tool");
    CHECK(!lt_sarif_own_frame("/work/build/prog", "/usr/include/c++/12/bits"), "system header inlined into the program");
    CHECK(!lt_sarif_own_frame("/work/build/prog", "/usr/lib/gcc/x86_64-linux-gnu/12/include"), "compiler header");
    CHECK(!lt_sarif_own_frame(NULL, "/work/src"), "no object");
}

volatile int sarif_sink;
__attribute__((noinline)) void sarif_alloc_site(void) { sarif_sink += 1; sarif_sink *= 3; }
__attribute__((noinline)) void sarif_caller(void) { sarif_alloc_site(); sarif_sink += 2; sarif_sink *= 5; }
__attribute__((noinline)) void sarif_other(void) { sarif_sink += 4; sarif_sink *= 11; }
int main(void);

static void test_fingerprint(void)
{
    uintptr_t a1[] = { (uintptr_t)sarif_alloc_site, (uintptr_t)sarif_caller + 4, (uintptr_t)main + 4 };
    uintptr_t a2[] = { (uintptr_t)sarif_alloc_site + 1, (uintptr_t)sarif_caller + 5, (uintptr_t)main + 5 };
    uintptr_t b[] = { (uintptr_t)sarif_other, (uintptr_t)sarif_caller + 4, (uintptr_t)main + 4 };
    struct lt_options o;
    lt_options_defaults(&o);
    struct lt_frame_list l = { 0 };
    char f1[17], f2[17], f3[17], f4[17];
    lt_symbols_begin();
    lt_frame_list_fill(&l, lt_depot_intern(a1, 3), &o);
    lt_sarif_fingerprint(LT_DEFINITE, &l, f1);
    lt_sarif_fingerprint(LT_POSSIBLE, &l, f3);
    lt_frame_list_fill(&l, lt_depot_intern(a2, 3), &o);
    lt_sarif_fingerprint(LT_DEFINITE, &l, f2);
    lt_frame_list_fill(&l, lt_depot_intern(b, 3), &o);
    lt_sarif_fingerprint(LT_DEFINITE, &l, f4);
    lt_symbols_end();
    lt_frame_list_free(&l);
    CHECK(strlen(f1) == 16 && strspn(f1, "0123456789abcdef") == 16, "16 hex digits: %s", f1);
    CHECK(strcmp(f1, f2) == 0, "other addresses, same functions: %s vs %s", f1, f2);
    CHECK(strcmp(f1, f3) != 0, "other kind, same fingerprint");
    CHECK(strcmp(f1, f4) != 0, "other function, same fingerprint");
}

/* ---- a document ------------------------------------------------------------------------- */


static void test_document(void)
{
    uintptr_t a[] = { (uintptr_t)sarif_alloc_site, (uintptr_t)sarif_caller + 4, (uintptr_t)main + 4 };
    uintptr_t b[] = { (uintptr_t)sarif_other, (uintptr_t)main + 4 };
    uint32_t sa = lt_depot_intern(a, 3), sb = lt_depot_intern(b, 2);
    const struct spec set[] = {
        { LT_DEFINITE, sa, 100, 48, 0 },
        { LT_INDIRECT, sb, 48, 0, 0 },     /* hidden by default */
        { LT_POSSIBLE, sb, 7, 0, 0 },
        { LT_REACHABLE, sa, 1000, 0, 0 },  /* hidden by default */
    };
    make_scan(set, 4);
    struct lt_options o;
    lt_options_defaults(&o);
    struct lt_records r;
    CHECK(lt_records_build(&r, &S, &o) == 0, "lt_records_build");
    char *argv[] = { "prog", "x y", NULL };
    struct lt_report_ctx ctx = { .pid = 77, .command = "prog x y", .final = true, .exit_status = 0,
                                 .argc = 2, .argv = argv };

    /* This test's sources lie in the project's checkout: the .git rule
     * makes their uri relative (or, outside a checkout, it is absolute). */
    char *t = capture(lt_report_sarif, &r, &ctx, &o);
    CHECK_JSON(t);
    CHECK(strstr(t, "\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\"") != NULL, "$schema");
    CHECK(strstr(t, "\"version\": \"2.1.0\"") != NULL, "version");
    CHECK(count(t, "\"id\": \"leaktrace/") == 4, "four rules");
    CHECK(count(t, "\"ruleId\": ") == 2, "one result per shown record (2), got %d", count(t, "\"ruleId\": "));
    CHECK(strstr(t, "\"ruleId\": \"leaktrace/definitely-lost\",\n          \"ruleIndex\": 0,\n          \"level\": \"error\"") != NULL,
          "definite result");
    CHECK(strstr(t, "\"ruleId\": \"leaktrace/possibly-lost\"") != NULL, "possible result");
    CHECK(!strstr(t, "\"ruleId\": \"leaktrace/still-reachable\"") && !strstr(t, "\"ruleId\": \"leaktrace/indirectly-lost\""),
          "hidden records have no result");
    CHECK(strstr(t, "\"text\": \"148 (100 direct, 48 indirect) bytes in 1 blocks are definitely lost in loss record 3 of 4.\\n   at sarif_alloc_site (test_report_sarif.c:") != NULL,
          "message: header and stack");
    /* Location: frame 0 here is in the program (no tool frame in a unit
     * test), so it is the first own frame. */
    const char *loc = strstr(t, "\"locations\": [\n            {\n              \"physicalLocation\": {\n                \"artifactLocation\": {\n                  \"uri\": \"");
    CHECK(loc != NULL, "result location with physicalLocation.artifactLocation.uri");
    if (loc) {
        const char *uri = strstr(loc, "\"uri\": \"") + 8;
        bool rel = strncmp(uri, "file://", 7) != 0;
        CHECK(strstr(uri, "test_report_sarif.c\"") == strchr(uri, '"') - strlen("test_report_sarif.c"), "uri ends in the source file: %.80s", uri);
        if (rel)
            CHECK(strstr(t, "\"originalUriBaseIds\": {\n        \"SRCROOT\": {\n          \"uri\": \"file:///") != NULL,
                  "relative uri but no SRCROOT");
        CHECK(strstr(loc, "\"region\": {\"startLine\": ") != NULL, "region.startLine");
        CHECK(strstr(loc, "\"name\": \"sarif_alloc_site\", \"kind\": \"function\"") != NULL, "logical location");
    }
    CHECK(count(t, "\"threadFlows\": [") == 2, "a code flow per result");
    const char *def = strstr(t, "\"ruleId\": \"leaktrace/definitely-lost\"");
    const char *flow = def ? strstr(def, "\"threadFlows\": [") : NULL;
    const char *m = flow ? strstr(flow, "\"name\": \"main\"") : NULL, *c = flow ? strstr(flow, "\"name\": \"sarif_caller\"") : NULL,
               *s = flow ? strstr(flow, "\"name\": \"sarif_alloc_site\"") : NULL;
    CHECK(m && c && s && m < c && c < s, "code flow outermost first");
    CHECK(strstr(t, "\"nestingLevel\": 0") && strstr(t, "\"nestingLevel\": 2"), "nesting levels");
    CHECK(count(t, "\"stacks\": [") == 2, "a stack per result");
    CHECK(count(t, "\"leaktraceStack/v1\": \"") == 2, "fingerprints");
    CHECK(strstr(t, "\"arguments\": [\"x y\"]") && strstr(t, "\"exitCode\": 0") &&
              strstr(t, "\"executionSuccessful\": true") && strstr(t, "\"processId\": 77"),
          "invocation");
    if (unit_failures_)
        fprintf(stderr, "---- document ----\n%s----\n", t);
    free(t);

    o.show_kinds = LT_KINDS_ALL;
    lt_records_free(&r);
    CHECK(lt_records_build(&r, &S, &o) == 0, "lt_records_build");
    t = capture(lt_report_sarif, &r, &ctx, &o);
    CHECK_JSON(t);
    CHECK(count(t, "\"ruleId\": ") == 4, "--show-leak-kinds=all: 4 results");
    free(t);
    o.leak_check = LT_CHECK_NO;
    t = capture(lt_report_sarif, &r, &ctx, &o);
    CHECK_JSON(t);
    CHECK(count(t, "\"ruleId\": ") == 0 && strstr(t, "\"results\": []"), "--leak-check=no: no results");
    free(t);
    lt_records_free(&r);
    lt_scan_fini(&S);
}

/* A record whose stack has no frames, from "/", with no exit status. */
static void test_edges(void)
{
    uintptr_t a[] = { (uintptr_t)sarif_alloc_site, (uintptr_t)main + 4 };
    uint32_t sa = lt_depot_intern(a, 2);
    const struct spec set[] = { { LT_DEFINITE, sa, 10, 0, 0 }, { LT_DEFINITE, 999999, 20, 0, 0 } };
    make_scan(set, 2);
    struct lt_options o;
    lt_options_defaults(&o);
    struct lt_records r;
    CHECK(lt_records_build(&r, &S, &o) == 0, "lt_records_build");
    struct lt_report_ctx ctx = { .pid = 1, .exit_status = -1 };
    char old[PATH_MAX];
    CHECK(getcwd(old, sizeof old) != NULL, "getcwd");
    CHECK(chdir("/") == 0, "chdir /");
    char *t = capture(lt_report_sarif, &r, &ctx, &o);
    CHECK(chdir(old) == 0, "chdir back");
    CHECK_JSON(t);
    CHECK(count(t, "\"ruleId\": ") == 2, "2 results");
    CHECK(strstr(t, "\"locations\": []") != NULL, "a record without frames: empty locations");
    CHECK(count(t, "\"codeFlows\"") == 1, "no code flow without source frames");
    CHECK(strstr(t, "\"workingDirectory\": {\n            \"uri\": \"file:///\"") != NULL, "working directory /");
    CHECK(!strstr(t, "\"exitCode\"") && !strstr(t, "\"commandLine\"") && !strstr(t, "\"arguments\""),
          "no exit code, command line or arguments when unknown");
    if (unit_failures_)
        fprintf(stderr, "---- document ----\n%s----\n", t);
    free(t);
    lt_records_free(&r);
    lt_scan_fini(&S);
}

int main(void)
{
    lt_options_defaults(&lt_opt);
    RUN(test_normalize);
    RUN(test_uri);
    RUN(test_own_frame);
    RUN(test_fingerprint);
    RUN(test_document);
    RUN(test_edges);
    return UNIT_DONE();
}
