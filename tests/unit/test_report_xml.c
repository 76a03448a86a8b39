/* test_report_xml.c — the Valgrind XML report (src/report_xml.c).
 *
 * Synthetic scans (states set by hand after lt_scan_init) rendered with
 * lt_report_xml into a file and read back: the document's fixed layout as
 * valgrind 3.19 writes it (header, preamble, pid, args, status blocks,
 * errorcounts, suppcounts and the blank lines between them), one <error>
 * per shown record with its unique number (record number - 1), kind,
 * <text> with thousands separators, <leakedbytes> direct+indirect without
 * them, <leakedblocks>; frames of real functions (obj, fn, dir, file,
 * line; nothing for unknown stacks); escaping of &, <, > everywhere, and
 * of bytes XML cannot hold; <fatal_signal> for a fault and for a raised signal;
 * -q without <suppcounts>; --gen-suppressions writing each suppression
 * twice; a forked child's document without RUNNING; no <error> when no block is left; well-formedness with xmllint
 * when it is installed. */
#include "report_xml.h"
#include "arena.h"
#include "depot.h"
#include "suppress.h"
#include "symbols.h"
#include "unit.h"
#include "report_fixture.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------- */

/* Stack ids that do not exist in the depot (no frames). */
#define ST(k) (100000u + (k))

static char *argv_default[] = { "./prog", "a&b", "<c>", "\"q\"", NULL };

static struct lt_report_ctx base_ctx(void)
{
    return (struct lt_report_ctx){ .pid = 4242, .command = "./prog a&b <c> \"q\"", .final = true,
                                   .exit_status = 0, .argc = 4, .argv = argv_default };
}

static struct capture last;     /* the last render's file, for xmllint */

/* Renders into a file (kept in `last` for xmllint) and returns its text. */
static char *render(struct lt_records *r, const struct lt_options *o, const struct lt_report_ctx *ctx)
{
    struct lt_writer *w = capture_begin(&last);
    lt_symbols_begin();
    lt_report_xml(w, r, ctx, o);
    lt_symbols_end();
    return capture_text(&last);
}

static bool have_xmllint(void)
{
    static int have = -1;
    if (have < 0)
        have = system("command -v xmllint >/dev/null 2>&1") == 0;
    return have;
}

static void check_wellformed(const char *what)
{
    if (!have_xmllint())
        return;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "xmllint --noout %s", last.path);
    int st = system(cmd);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: xmllint --noout failed on %s", what, last.path);
}

static void done_with(char *t)
{
    capture_remove(&last);
    free(t);
}

static int count(const char *t, const char *s)
{
    int n = 0;
    for (const char *p = t; (p = strstr(p, s)); p += strlen(s))
        n++;
    return n;
}

/* Escapes `s` through lt_xml_escape and returns a static copy. */
static const char *escaped(const char *s)
{
    static char out[512];
    struct capture c;
    lt_xml_escape(capture_begin(&c), s);
    char *t = capture_end(&c);
    snprintf(out, sizeof out, "%s", t);
    free(t);
    return out;
}

/* The data set of test_report.c:
 *   sorted: D11 8 | I12 32 | P10 100 | R13 1005 | D10 1,258 (1,226 direct, 32 indirect) */
static const struct spec main_set[] = {
    { LT_DEFINITE, ST(10), 1000, 32, 0 },
    { LT_INDIRECT, ST(12), 20, 0, 0 },
    { LT_DEFINITE, ST(10), 226, 0, 0 },
    { LT_POSSIBLE, ST(10), 100, 0, 0 },
    { LT_REACHABLE, ST(13), 1000, 0, 0 },
    { LT_DEFINITE, ST(11), 8, 0, 0 },
    { LT_INDIRECT, ST(12), 12, 0, 0 },
    { LT_REACHABLE, ST(13), 5, 0, 0 },
};
#define NMAIN (sizeof main_set / sizeof main_set[0])

/* ---- tests --------------------------------------------------------------------- */

static void test_escape(void)
{
    CHECK_STR(escaped("plain text"), "plain text");
    CHECK_STR(escaped("a&b<c>d"), "a&amp;b&lt;c&gt;d");
    CHECK_STR(escaped("\"quotes\" and 'apostrophes'"), "\"quotes\" and 'apostrophes'");
    CHECK_STR(escaped("std::vector<int, std::allocator<int> >::operator&(int const&)"),
              "std::vector&lt;int, std::allocator&lt;int&gt; &gt;::operator&amp;(int const&amp;)");
    CHECK_STR(escaped("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
    CHECK_STR(escaped("bell\a esc\x1b del\x7f"), "bell\xef\xbf\xbd esc\xef\xbf\xbd del\xef\xbf\xbd");
    CHECK_STR(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    CHECK_STR(escaped("bad \xff \xc3( \xc0\xaf end"), "bad \xef\xbf\xbd \xef\xbf\xbd( \xef\xbf\xbd\xef\xbf\xbd end");
    CHECK_STR(escaped("cut \xe2\x82"), "cut \xef\xbf\xbd\xef\xbf\xbd");
    CHECK_STR(escaped(""), "");
    CHECK_STR(lt_xml_kind_name(LT_DEFINITE), "Leak_DefinitelyLost");
    CHECK_STR(lt_xml_kind_name(LT_INDIRECT), "Leak_IndirectlyLost");
    CHECK_STR(lt_xml_kind_name(LT_POSSIBLE), "Leak_PossiblyLost");
    CHECK_STR(lt_xml_kind_name(LT_REACHABLE), "Leak_StillReachable");
}

static void test_time(void)
{
    char b[32];
    CHECK_STR(lt_xml_time(0, b, sizeof b), "00:00:00:00.000 ");
    CHECK_STR(lt_xml_time(477, b, sizeof b), "00:00:00:00.477 ");
    CHECK_STR(lt_xml_time(90061001, b, sizeof b), "01:01:01:01.001 ");
    CHECK_STR(lt_xml_time(59999, b, sizeof b), "00:00:00:59.999 ");
    CHECK_STR(lt_xml_time(UINT64_C(100) * 86400000 + 3600000 * 23, b, sizeof b), "100:23:00:00.000 ");
}

/* The fixed layout, byte for byte as valgrind 3.19 writes it (checked with
 * valgrind --xml=yes --xml-file=F --leak-check=full), with our preamble and
 * vargv. */
static void test_document(void)
{
    struct lt_options o;
    lt_options_defaults(&o);
    make_scan(main_set, NMAIN);
    struct lt_records r;
    CHECK(lt_records_build(&r, &S, &o) == 0, "build");
    struct lt_report_ctx ctx = base_ctx();
    char *t = render(&r, &o, &ctx);
    char head[2048];
    snprintf(head, sizeof head,
             "<?xml version=\"1.0\"?>\n\n<valgrindoutput>\n\n<protocolversion>4</protocolversion>\n"
             "<protocoltool>memcheck</protocoltool>\n\n<preamble>\n"
             "  <line>leaktrace-" LT_VERSION ", a leak checker for unmodified programs</line>\n"
             "  <line>Command: ./prog a&amp;b &lt;c&gt; \"q\"</line>\n</preamble>\n\n"
             "<pid>4242</pid>\n<ppid>%d</ppid>\n<tool>memcheck</tool>\n\n<args>\n  <vargv>\n"
             "    <exe>leaktrace</exe>\n",
             (int)getppid());
    CHECK(strncmp(t, head, strlen(head)) == 0, "document head:\n%.*s\nexpected:\n%s", (int)strlen(head), t, head);
    /* vargv: the words LEAKTRACE_OPTIONS had when the process started
     * (/proc/self/environ: this test's own environment), then argv. */
    const char *argv_block = "  </vargv>\n  <argv>\n    <exe>./prog</exe>\n    <arg>a&amp;b</arg>\n"
                             "    <arg>&lt;c&gt;</arg>\n    <arg>\"q\"</arg>\n  </argv>\n</args>\n\n"
                             "<status>\n  <state>RUNNING</state>\n  <time>00:00:00:00.000 </time>\n</status>\n"
                             "\n\n<status>\n  <state>FINISHED</state>\n  <time>";
    CHECK(strstr(t, argv_block) != NULL, "argv and status blocks");
    const char *fin = strstr(t, "<state>FINISHED</state>\n  <time>");
    if (fin) {
        const char *tm = fin + strlen("<state>FINISHED</state>\n  <time>");
        /* "DD:HH:MM:SS.mmm " */
        bool ok = strlen(tm) > 16 && tm[2] == ':' && tm[5] == ':' && tm[8] == ':' && tm[11] == '.' &&
                  tm[15] == ' ' && strncmp(tm + 16, "</time>\n</status>\n\n<error>\n", 26) == 0;
        CHECK(ok, "FINISHED time format: %.40s", tm);
    }
    /* Defaults: definite and possible shown: D11 (#1), P10 (#3), D10 (#5). */
    CHECK_EQ_U64(count(t, "<error>\n"), 3);
    CHECK_EQ_U64(count(t, "</error>\n\n"), 3);
    const char *e1 = strstr(t, "<error>\n  <unique>0x0</unique>\n  <tid>1</tid>\n  <kind>Leak_DefinitelyLost</kind>\n"
                               "  <xwhat>\n    <text>8 bytes in 1 blocks are definitely lost in loss record 1 of 5"
                               "</text>\n    <leakedbytes>8</leakedbytes>\n    <leakedblocks>1</leakedblocks>\n"
                               "  </xwhat>\n  <stack>\n  </stack>\n</error>\n\n");
    const char *e3 = strstr(t, "<error>\n  <unique>0x2</unique>\n  <tid>1</tid>\n  <kind>Leak_PossiblyLost</kind>\n"
                               "  <xwhat>\n    <text>100 bytes in 1 blocks are possibly lost in loss record 3 of 5"
                               "</text>\n    <leakedbytes>100</leakedbytes>\n    <leakedblocks>1</leakedblocks>\n");
    const char *e5 = strstr(t, "<error>\n  <unique>0x4</unique>\n  <tid>1</tid>\n  <kind>Leak_DefinitelyLost</kind>\n"
                               "  <xwhat>\n    <text>1,258 (1,226 direct, 32 indirect) bytes in 2 blocks are "
                               "definitely lost in loss record 5 of 5</text>\n"
                               "    <leakedbytes>1258</leakedbytes>\n    <leakedblocks>2</leakedblocks>\n");
    CHECK(e1 && e3 && e5 && e1 < e3 && e3 < e5, "errors 0x0, 0x2, 0x4 in record order (%p %p %p)", (void *)e1,
          (void *)e3, (void *)e5);
    CHECK(!strstr(t, "Leak_IndirectlyLost") && !strstr(t, "Leak_StillReachable"), "hidden kinds written");
    const char *tail = "</error>\n\n<errorcounts>\n</errorcounts>\n\n<suppcounts>\n</suppcounts>\n\n"
                       "</valgrindoutput>\n\n";
    size_t tl = strlen(tail), n = strlen(t);
    CHECK(n > tl && strcmp(t + n - tl, tail) == 0, "document tail:\n%s", n > 200 ? t + n - 200 : t);
    CHECK(!strstr(t, "fatal_signal"), "fatal_signal without a signal");
    check_wellformed("document");
    done_with(t);

    /* --show-leak-kinds=all: every record, unique = number - 1. */
    o.show_kinds = LT_KINDS_ALL;
    lt_records_free(&r);
    lt_records_build(&r, &S, &o);
    t = render(&r, &o, &ctx);
    CHECK_EQ_U64(count(t, "<error>\n"), 5);
    for (int i = 0; i < 5; i++) {
        char u[64];
        snprintf(u, sizeof u, "<unique>0x%x</unique>", i);
        CHECK(strstr(t, u) != NULL, "%s missing", u);
    }
    CHECK(strstr(t, "<kind>Leak_IndirectlyLost</kind>\n  <xwhat>\n    <text>32 bytes in 2 blocks are indirectly "
                    "lost in loss record 2 of 5</text>\n    <leakedbytes>32</leakedbytes>\n"
                    "    <leakedblocks>2</leakedblocks>") != NULL, "indirect record");
    CHECK(strstr(t, "<kind>Leak_StillReachable</kind>\n  <xwhat>\n    <text>1,005 bytes in 2 blocks are still "
                    "reachable in loss record 4 of 5</text>\n    <leakedbytes>1005</leakedbytes>\n") != NULL,
          "reachable record");
    check_wellformed("all kinds");
    done_with(t);

    /* -q: no <suppcounts> (valgrind 3.19), an empty line in its place. */
    o.quiet = 1;
    t = render(&r, &o, &ctx);
    n = strlen(t);
    tail = "<errorcounts>\n</errorcounts>\n\n\n</valgrindoutput>\n\n";
    CHECK(n > strlen(tail) && strcmp(t + n - strlen(tail), tail) == 0, "-q tail:\n%s", n > 120 ? t + n - 120 : t);
    CHECK(strstr(t, "<preamble>") && strstr(t, "<status>"), "-q keeps the preamble and status");
    done_with(t);
    /* -q -s: <suppcounts> again. */
    o.verbose = 1;
    t = render(&r, &o, &ctx);
    CHECK(strstr(t, "</errorcounts>\n\n<suppcounts>\n</suppcounts>\n\n</valgrindoutput>\n\n") != NULL, "-q -s tail");
    done_with(t);
    o.quiet = 0;
    o.verbose = 0;

    /* --exit-on-first-error: the document ends after the first error. */
    o.exit_on_first_error = 1;
    r.stopped_at_first_error = false;
    t = render(&r, &o, &ctx);
    CHECK_EQ_U64(count(t, "<error>\n"), 1);
    n = strlen(t);
    tail = "  </stack>\n</error>\n\n</valgrindoutput>\n";
    CHECK(n > strlen(tail) && strcmp(t + n - strlen(tail), tail) == 0, "--exit-on-first-error tail:\n%s",
          n > 120 ? t + n - 120 : t);
    CHECK(strstr(t, "<unique>0x0</unique>") && !strstr(t, "<errorcounts>"), "first error only, no errorcounts");
    CHECK(r.stopped_at_first_error, "stopped_at_first_error not set");
    check_wellformed("exit-on-first-error");
    done_with(t);
    o.exit_on_first_error = 0;
    r.stopped_at_first_error = false;

    /* No argv known: <exe> is /proc/self/exe; no command: no Command line. */
    ctx.argv = NULL;
    ctx.argc = 0;
    ctx.command = NULL;
    t = render(&r, &o, &ctx);
    CHECK(!strstr(t, "Command:"), "Command line without a command");
    CHECK(strstr(t, "test_report_xml</exe>\n  </argv>") != NULL, "exe from /proc/self/exe");
    check_wellformed("no argv");
    done_with(t);

    lt_records_free(&r);
    lt_scan_fini(&S);
}

/* Big numbers: separators in <text>, none in <leakedbytes>/<leakedblocks>,
 * and a unique number past 0x9 in lowercase hex. */
static void test_numbers(void)
{
    enum { N = 12 };
    struct spec set[N + 2];
    for (int i = 0; i < N; i++)
        set[i] = (struct spec){ LT_DEFINITE, ST(200 + (uint32_t)i), (size_t)(i + 1), 0, 0 };
    set[N] = (struct spec){ LT_DEFINITE, ST(300), 3000000000u, UINT64_C(1234567), 0 };
    set[N + 1] = (struct spec){ LT_DEFINITE, ST(300), 3000000000u, 0, 0 };
    struct lt_options o;
    lt_options_defaults(&o);
    make_scan(set, N + 2);
    struct lt_records r;
    lt_records_build(&r, &S, &o);
    struct lt_report_ctx ctx = base_ctx();
    char *t = render(&r, &o, &ctx);
    CHECK(strstr(t, "<unique>0xc</unique>") != NULL && strstr(t, "<unique>0xa</unique>") != NULL,
          "lowercase hex unique numbers");
    CHECK(strstr(t, "<text>6,001,234,567 (6,000,000,000 direct, 1,234,567 indirect) bytes in 2 blocks are "
                    "definitely lost in loss record 13 of 13</text>\n    <leakedbytes>6001234567</leakedbytes>\n"
                    "    <leakedblocks>2</leakedblocks>") != NULL,
          "large record");
    check_wellformed("numbers");
    done_with(t);
    lt_records_free(&r);
    lt_scan_fini(&S);
}

/* A forked child writes a document of its own with no RUNNING status
 * (valgrind reopens its %p file after fork and writes the preamble again,
 * then only FINISHED). */
static void test_forked_child(void)
{
    struct lt_options o;
    lt_options_defaults(&o);
    make_scan(main_set, NMAIN);
    struct lt_records r;
    lt_records_build(&r, &S, &o);
    struct lt_report_ctx ctx = base_ctx();
    char *t = render(&r, &o, &ctx);
    CHECK(strstr(t, "<state>RUNNING</state>") != NULL, "RUNNING in the process that loaded the library");
    done_with(t);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        ctx.pid = (int)getpid();
        t = render(&r, &o, &ctx);
        int bad = 0;
        if (strstr(t, "RUNNING"))
            bad |= 1;
        if (!strstr(t, "</args>\n\n\n<status>\n  <state>FINISHED</state>\n"))
            bad |= 2;
        if (!strstr(t, "<error>"))
            bad |= 4;
        done_with(t);
        _exit(bad);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "forked child: status 0x%x (1: RUNNING written, 2: layout "
          "before FINISHED, 4: no error)", st);
    lt_records_free(&r);
    lt_scan_fini(&S);
}

static void test_no_blocks(void)
{
    struct lt_options o;
    lt_options_defaults(&o);
    make_scan(NULL, 0);
    struct lt_records r;
    lt_records_build(&r, &S, &o);
    struct lt_report_ctx ctx = base_ctx();
    char *t = render(&r, &o, &ctx);
    CHECK(!strstr(t, "<error>"), "an <error> without blocks");
    CHECK(strstr(t, "</status>\n\n<errorcounts>\n</errorcounts>\n\n<suppcounts>\n</suppcounts>\n\n"
                    "</valgrindoutput>\n\n") != NULL,
          "no-leak tail (valgrind 3.19: nothing between FINISHED and errorcounts)");
    check_wellformed("no blocks");
    done_with(t);
    lt_records_free(&r);
    lt_scan_fini(&S);
}

/* ---- frames ------------------------------------------------------------------------ */

volatile int frame_sink;
__attribute__((noinline)) void xml_marker(void) { frame_sink += 1; frame_sink *= 3; }
__attribute__((noinline)) void xml_caller(void) { xml_marker(); frame_sink += 2; frame_sink *= 5; }
__attribute__((noinline)) void xml_after_main(void) { frame_sink += 3; frame_sink *= 7; }

int main(void);

static const char *self_exe(void)
{
    static char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    return exe;
}

static void test_frames_and_signal(void)
{
    uintptr_t ips[] = { (uintptr_t)xml_marker, (uintptr_t)xml_caller + 4, (uintptr_t)main + 4,
                        (uintptr_t)xml_after_main + 4 };
    uint32_t id = lt_depot_intern(ips, 4);
    const struct spec set[] = { { LT_DEFINITE, id, 16, 0, 0 } };
    make_scan(set, 1);
    struct lt_options o;
    lt_options_defaults(&o);
    struct lt_records r;
    lt_records_build(&r, &S, &o);
    struct lt_report_ctx ctx = base_ctx();
    char *t = render(&r, &o, &ctx);
    char want[8192];
    snprintf(want, sizeof want, "  <stack>\n    <frame>\n      <ip>0x%lX</ip>\n      <obj>%s</obj>\n"
                                "      <fn>xml_marker</fn>\n      <dir>",
             (unsigned long)ips[0], self_exe());
    CHECK(strstr(t, want) != NULL, "frame 0 \"%s\" missing in\n%s", want, t);
    CHECK(strstr(t, "</dir>\n      <file>test_report_xml.c</file>\n      <line>") != NULL, "dir, file, line");
    snprintf(want, sizeof want, "    <frame>\n      <ip>0x%lX</ip>\n      <obj>%s</obj>\n      <fn>xml_caller</fn>\n",
             (unsigned long)ips[1], self_exe());
    CHECK(strstr(t, want) != NULL, "frame 1 missing");
    snprintf(want, sizeof want, "      <fn>main</fn>\n      <dir>");
    CHECK(strstr(t, want) != NULL, "frame 2 (main) missing");
    CHECK(!strstr(t, "xml_after_main"), "a frame after main");
    CHECK_EQ_U64(count(t, "<frame>"), 3);
    CHECK_EQ_U64(count(t, "</frame>"), 3);
    const char *main_line = strstr(t, "<fn>main</fn>");
    CHECK(main_line && strstr(main_line, "</line>\n    </frame>\n  </stack>\n</error>\n\n"), "stack end");
    check_wellformed("frames");
    done_with(t);

    /* A fatal signal abort() raised (SI_TKILL, no fault): between the two status blocks. */
    ctx.fatal_signal = 6;
    ctx.fatal_code = -6; /* SI_TKILL, as abort() raises it */
    ctx.fatal_stack = id;
    t = render(&r, &o, &ctx);
    const char *fs = strstr(t, "</status>\n\n<fatal_signal>\n  <tid>1</tid>\n  <signo>6</signo>\n"
                               "  <signame>SIGABRT</signame>\n  <sicode>-6</sicode>\n  <stack>\n    <frame>\n");
    CHECK(fs != NULL, "fatal_signal block (SIGABRT)");
    const char *fin = strstr(t, "</stack>\n</fatal_signal>\n\n\n<status>\n  <state>FINISHED</state>");
    CHECK(fs && fin && fs < fin, "fatal_signal then FINISHED");
    CHECK(fs && strstr(fs, "<fn>xml_marker</fn>") && strstr(fs, "<fn>xml_marker</fn>") < fin, "signal stack");
    CHECK(!strstr(t, "<event>") && !strstr(t, "<siaddr>"), "event for a signal that is not a fault");
    check_wellformed("fatal signal");
    done_with(t);

    /* A fault with siginfo: event and address. */
    ctx.fatal_signal = 11;
    ctx.fatal_code = 1; /* SEGV_MAPERR */
    ctx.fatal_addr = 0xdeadbe0;
    t = render(&r, &o, &ctx);
    CHECK(strstr(t, "  <signo>11</signo>\n  <signame>SIGSEGV</signame>\n  <sicode>1</sicode>\n"
                    "  <event>Access not within mapped region</event>\n  <siaddr>0xDEADBE0</siaddr>\n"
                    "  <stack>\n") != NULL,
          "SIGSEGV block");
    done_with(t);
    ctx.fatal_code = 2; /* SEGV_ACCERR */
    ctx.fatal_addr = 0x10;
    t = render(&r, &o, &ctx);
    CHECK(strstr(t, "<event>Bad permissions for mapped region</event>\n  <siaddr>0x10</siaddr>") != NULL,
          "SEGV_ACCERR");
    done_with(t);
    ctx.fatal_signal = 15;
    ctx.fatal_code = 0; /* SI_USER */
    ctx.fatal_addr = 0;
    ctx.fatal_stack = 0;
    t = render(&r, &o, &ctx);
    CHECK(strstr(t, "<signame>SIGTERM</signame>\n  <sicode>0</sicode>\n</fatal_signal>\n") != NULL,
          "SIGTERM from kill(): no stack, no event");
    check_wellformed("SIGTERM");
    done_with(t);
    ctx.fatal_signal = 0;

    /* --gen-suppressions=all: the <suppression> inside the error, and again
     * after it (valgrind 3.19). */
    o.gen_suppressions = 1;
    lt_symbols_begin();
    lt_supp_check_begin();
    t = render(&r, &o, &ctx);
    lt_supp_check_end();
    lt_symbols_end();
    CHECK_EQ_U64(count(t, "<suppression>"), 2);
    const char *in = strstr(t, "  </stack>\n  <suppression>\n    <sname>insert_a_suppression_name_here</sname>\n"
                               "    <skind>Memcheck:Leak</skind>\n    <skaux>match-leak-kinds: definite</skaux>\n");
    const char *out = strstr(t, "  </suppression>\n</error>\n\n  <suppression>\n");
    CHECK(in && out && in < out, "suppression inside and after the error");
    CHECK(strstr(t, "<sframe> <fun>xml_caller</fun> </sframe>") != NULL, "sframe");
    CHECK(strstr(t, "  </suppression>\n<errorcounts>") != NULL, "second suppression then errorcounts");
    CHECK(strstr(t, "<rawtext>\n<![CDATA[\n{\n   <insert_a_suppression_name_here>\n") != NULL, "rawtext");
    check_wellformed("gen-suppressions");
    done_with(t);

    lt_records_free(&r);
    lt_scan_fini(&S);
}

int main(void)
{
    lt_options_defaults(&lt_opt);
    RUN(test_escape);
    RUN(test_time);
    RUN(test_document);
    RUN(test_numbers);
    RUN(test_forked_child);
    RUN(test_no_blocks);
    RUN(test_frames_and_signal);
    if (!have_xmllint())
        printf("note: xmllint not found, well-formedness not checked\n");
    return UNIT_DONE();
}
