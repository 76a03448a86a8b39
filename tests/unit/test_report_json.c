/* test_report_json.c — the JSON report (src/report_json.c).
 *
 * lt_json_escape: quotes, backslashes, every control character, DEL,
 * valid UTF-8 of 2/3/4 bytes kept, invalid bytes (stray continuation,
 * overlong, surrogate, > U+10FFFF, truncated) each become \ufffd. The
 * emitter's layout (commas, empty containers, one-line containers). A
 * whole document from synthetic records over real depot stacks: it is
 * well-formed JSON (a strict parser below: RFC 8259 grammar, valid UTF-8,
 * no raw control characters), has every top-level key of
 * docs/report-schema.json, the summaries' numbers, one record object per
 * record (shown, hidden, suppressed) with its flags and suppression name,
 * frames with function, file, line, object and offset, cut after main;
 * nulls where there is no argv, signal or leak search (--leak-check=no). */
#include "report_json.h"
#include "arena.h"
#include "depot.h"
#include "suppress.h"
#include "symbols.h"
#include "unit.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "report_fixture.h"
#include "json_check.h"


static void escape_only(struct lt_writer *w, const struct lt_records *r, const struct lt_report_ctx *ctx,
                        const struct lt_options *o)
{
    (void)r;
    (void)o;
    lt_json_escape(w, ctx->command, strlen(ctx->command));
}

static char *escaped(const char *s)
{
    struct lt_report_ctx ctx = { .command = s };
    return capture(escape_only, NULL, &ctx, NULL);
}

#define CHECK_ESC(in, want)                                                        \
    do {                                                                           \
        char *got_ = escaped(in);                                                  \
        CHECK(strcmp(got_, want) == 0, "escape(%s) = \"%s\", expected \"%s\"", #in, \
              got_, want);                                                         \
        free(got_);                                                                \
    } while (0)

/* ---- escaping --------------------------------------------------------------------- */

static void test_escape(void)
{
    CHECK_ESC("plain text", "plain text");
    CHECK_ESC("", "");
    CHECK_ESC("a\"b\\c/d", "a\\\"b\\\\c/d");
    CHECK_ESC("\n\t\r\b\f", "\\n\\t\\r\\b\\f");
    CHECK_ESC("\x01\x1f\x7f", "\\u0001\\u001f\\u007f");
    CHECK_ESC("x\x1by", "x\\u001by");
    /* valid UTF-8 passes through */
    CHECK_ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    CHECK_ESC("\xef\xbf\xbf\xf4\x8f\xbf\xbf", "\xef\xbf\xbf\xf4\x8f\xbf\xbf");   /* U+FFFF, U+10FFFF */
    /* invalid bytes, one \ufffd each */
    CHECK_ESC("a\xff" "b", "a\\ufffdb");
    CHECK_ESC("\x80\xbf", "\\ufffd\\ufffd");                     /* stray continuations */
    CHECK_ESC("\xc0\x80", "\\ufffd\\ufffd");                     /* overlong NUL */
    CHECK_ESC("\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd");          /* overlong '/' */
    CHECK_ESC("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd");          /* surrogate U+D800 */
    CHECK_ESC("\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"); /* U+110000 */
    CHECK_ESC("\xf5\x80", "\\ufffd\\ufffd");
    CHECK_ESC("end\xe2\x82", "end\\ufffd\\ufffd");               /* truncated at the end */
    CHECK_ESC("\xc3(", "\\ufffd(");                              /* bad continuation */
}

static void emit_sample(struct lt_writer *w, const struct lt_records *r, const struct lt_report_ctx *ctx,
                        const struct lt_options *o)
{
    (void)r;
    (void)ctx;
    (void)o;
    struct lt_json j;
    lt_json_init(&j, w);
    lt_json_open(&j, NULL, '{');
    lt_json_u64(&j, "a", 1);
    lt_json_open(&j, "empty", '[');
    lt_json_close(&j, ']');
    lt_json_open(&j, "eo", '{');
    lt_json_close(&j, '}');
    lt_json_open_inline(&j, "line", '[');
    lt_json_i64(&j, NULL, -5);
    lt_json_open(&j, NULL, '{');
    lt_json_bool(&j, "t", true);
    lt_json_null(&j, "n");
    lt_json_close(&j, '}');
    lt_json_close(&j, ']');
    lt_json_str(&j, "s", "x\"y");
    lt_json_str(&j, "nil", NULL);
    lt_json_close(&j, '}');
    lt_json_finish(&j);
}

static void test_emitter(void)
{
    char *t = capture(emit_sample, NULL, NULL, NULL);
    const char *want = "{\n  \"a\": 1,\n  \"empty\": [],\n  \"eo\": {},\n"
                       "  \"line\": [-5, {\"t\": true, \"n\": null}],\n  \"s\": \"x\\\"y\",\n"
                       "  \"nil\": null\n}\n";
    CHECK(strcmp(t, want) == 0, "emitter layout:\n%s\nexpected:\n%s", t, want);
    CHECK_JSON(t);
    free(t);
}

/* ---- documents ------------------------------------------------------------------------ */

volatile int json_sink;
__attribute__((noinline)) void json_alloc_site(void) { json_sink += 1; json_sink *= 3; }
__attribute__((noinline)) void json_caller(void) { json_alloc_site(); json_sink += 2; json_sink *= 5; }
__attribute__((noinline)) void json_other(void) { json_sink += 4; json_sink *= 11; }
__attribute__((noinline)) void json_below(void) { json_sink += 3; json_sink *= 7; }
int main(void);


static const char *SUPP_TEXT = "{\n   json_test_suppression\n   Memcheck:Leak\n   fun:no_such_function_xyz\n}\n";

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_document(void)
{
    uintptr_t a[] = { (uintptr_t)json_alloc_site, (uintptr_t)json_caller + 4, (uintptr_t)main + 4,
                      (uintptr_t)json_below + 4 };
    uintptr_t b[] = { (uintptr_t)json_other, (uintptr_t)main + 4 };
    uint32_t sa = lt_depot_intern(a, 4), sb = lt_depot_intern(b, 2);
    const struct spec set[] = {
        { LT_DEFINITE, sa, 100, 48, 0 },
        { LT_INDIRECT, sb, 48, 0, 0 },
        { LT_POSSIBLE, sb, 7, 0, 0 },
        { LT_REACHABLE, sa, 1000, 0, 0 },
    };
    make_scan(set, 4);
    struct lt_options o;
    lt_options_defaults(&o);
    struct lt_records r;
    CHECK(lt_records_build(&r, &S, &o) == 0, "lt_records_build");
    CHECK_EQ_U64(r.n, 4);
    /* Mark the possible record suppressed by a loaded (named) entry. */
    char sp[] = "/tmp/lt_test_json_supp_XXXXXX";
    int sfd = mkstemp(sp);
    CHECK(write(sfd, SUPP_TEXT, strlen(SUPP_TEXT)) == (ssize_t)strlen(SUPP_TEXT), "write supp");
    close(sfd);
    char err[512];
    lt_supp_reset();
    CHECK(lt_supp_load_file(sp, err, sizeof err) == 1, "load supp: %s", err);
    unlink(sp);
    for (size_t i = 0; i < r.n; i++)
        if (r.v[i].kind == LT_POSSIBLE) {   /* as lt_records_build does for a match */
            r.v[i].supp = 0;
            r.v[i].shown = false;
            r.v[i].error = false;
            r.kind_bytes[LT_POSSIBLE] -= r.v[i].bytes;
            r.kind_blocks[LT_POSSIBLE] -= r.v[i].blocks;
            r.supp_bytes += r.v[i].bytes;
            r.supp_blocks += r.v[i].blocks;
            r.errors--;
            r.supp_errors++;
        }

    char *argv[] = { "prog", "arg \"one\"", "bad\xff", NULL };
    struct lt_report_ctx ctx = { .pid = 4242, .command = "prog arg", .final = true, .exit_status = 3,
                                 .argc = 3, .argv = argv };
    ctx.usage.allocs = 10;
    ctx.usage.frees = 6;
    ctx.usage.bytes_allocated = 5000;
    char *t = capture(lt_report_json, &r, &ctx, &o);
    CHECK_JSON(t);
    static const char *const keys[] = { "schema_version", "tool", "program", "argv", "command", "pid",
                                        "ppid", "final", "exit_status", "fatal_signal", "options",
                                        "heap_summary", "leak_summary", "error_summary", "records" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char k[64];
        snprintf(k, sizeof k, "\n  \"%s\": ", keys[i]);
        CHECK(strstr(t, k) != NULL, "top-level key %s missing", keys[i]);
    }
    CHECK(strstr(t, "\"schema_version\": 1,") != NULL, "schema_version 1");
    CHECK(strstr(t, "\"tool\": {\"name\": \"leaktrace\", \"version\": \"" LT_VERSION "\"},") != NULL, "tool");
    CHECK(strstr(t, "\"argv\": [\"prog\", \"arg \\\"one\\\"\", \"bad\\ufffd\"]") != NULL, "argv escaped");
    CHECK(strstr(t, "\"pid\": 4242,") && strstr(t, "\"exit_status\": 3,") && strstr(t, "\"final\": true,"),
          "pid, exit status, final");
    CHECK(strstr(t, "\"fatal_signal\": null,") != NULL, "no fatal signal: null");
    CHECK(strstr(t, "\"in_use_bytes\": 1155,") && strstr(t, "\"in_use_blocks\": 4,") &&
              strstr(t, "\"allocs\": 10,") && strstr(t, "\"frees\": 6,") &&
              strstr(t, "\"bytes_allocated\": 5000"),
          "heap summary");
    CHECK(strstr(t, "\"definitely_lost\": {\"bytes\": 100, \"blocks\": 1},") != NULL,
          "definitely lost amount");
    CHECK(strstr(t, "\"suppressed\": {\"bytes\": 7, \"blocks\": 1},") != NULL,
          "suppressed amount");
    CHECK(strstr(t, "\"possibly_lost\": {\"bytes\": 0, \"blocks\": 0},") != NULL, "possibly lost (all suppressed)");
    CHECK(strstr(t, "\"errors\": 1,") && strstr(t, "\"suppressed_errors\": 1,"), "error summary");
    CHECK(count(t, "\"number\": ") == 4 && count(t, "\"total\": 4,") == 4, "4 records of 4");
    CHECK(strstr(t, "\"kind\": \"definite\",\n      \"bytes\": 148,\n      \"direct_bytes\": 100,\n"
                    "      \"indirect_bytes\": 48,") != NULL,
          "definite record: total, direct, indirect");
    CHECK(strstr(t, "\"suppressed\": true,\n      \"suppression\": \"json_test_suppression\"") != NULL,
          "suppressed record names its suppression");
    CHECK(count(t, "\"suppression\": null") == 3, "3 records without suppression");
    CHECK(strstr(t, "\"shown\": false,") && strstr(t, "\"shown\": true,"), "shown flags");
    CHECK(strstr(t, "\"show_leak_kinds\": [\"definite\", \"possible\"]") != NULL, "options.show_leak_kinds");
    /* Frames: function, file, line, object, offset; cut after main. */
    char want[256];
    snprintf(want, sizeof want, "{\"index\": 0, \"fn\": \"json_alloc_site\", \"mangled\": \"json_alloc_site\", "
                                "\"file\": \"test_report_json.c\", \"dir\": \"");
    CHECK(strstr(t, want) != NULL, "frame 0 of the definite record: %s", want);
    CHECK(strstr(t, "{\"index\": 1, \"fn\": \"json_caller\"") != NULL, "frame 1");
    CHECK(strstr(t, "{\"index\": 2, \"fn\": \"main\"") != NULL, "main frame");
    CHECK(!strstr(t, "json_below"), "frame after main written");
    CHECK(strstr(t, "\"line\": null") == NULL, "every frame here has a line");
    const char *obj = strstr(t, "\"object\": \"");
    CHECK(obj && strstr(obj, "test_report_json\", \"offset\": "), "object path and offset");
    free(t);

    /* Unknown argv, a fatal signal, --leak-check=no. */
    ctx.argv = NULL;
    ctx.command = NULL;
    ctx.exit_status = -1;
    ctx.fatal_signal = SIGABRT;
    ctx.fatal_stack = sb;
    o.leak_check = LT_CHECK_NO;
    t = capture(lt_report_json, &r, &ctx, &o);
    CHECK_JSON(t);
    CHECK(strstr(t, "\"argv\": null,") && strstr(t, "\"command\": null,"), "argv and command null");
    CHECK(strstr(t, "\"exit_status\": -1,") != NULL, "exit status -1");
    CHECK(strstr(t, "\"fatal_signal\": {\n    \"number\": 6,\n    \"name\": \"SIGABRT\",\n    \"by_kernel\": false,\n"
                    "    \"frames\": [\n      {\"index\": 0, \"fn\": \"json_other\"") != NULL,
          "fatal signal object with its stack");
    CHECK(strstr(t, "\"leak_summary\": null,") != NULL, "no leak search: leak_summary null");
    CHECK(strstr(t, "\"records\": []") != NULL, "no leak search: no records");
    CHECK(strstr(t, "\"leak_check\": \"no\"") != NULL, "options.leak_check");
    if (unit_failures_)
        fprintf(stderr, "---- last document ----\n%s----\n", t);
    free(t);
    lt_supp_reset();
    lt_records_free(&r);
    lt_scan_fini(&S);
}

int main(void)
{
    lt_options_defaults(&lt_opt);
    RUN(test_escape);
    RUN(test_emitter);
    RUN(test_document);
    return UNIT_DONE();
}
