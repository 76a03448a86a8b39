/* fuzz_report_readers.c — libFuzzer target for `leaktrace diff`'s report
 * readers (tools/diff*.c: our text and JSON reports, Valgrind's text and
 * XML reports) and the comparison behind them.
 *
 * Each input is one report file (held in a memfd, named /proc/self/fd/N;
 * the fixed report below is another memfd).
 * It goes through lt_diff_main, the code `leaktrace diff BASE NEW` runs, so
 * format detection, each reader, ltd_commit, the identity keys, the text or
 * JSON output and every free are exercised as the command does them:
 *   - the input against itself (must not report anything new or grown);
 *   - the input against a small fixed valid report, both ways round.
 * Options (--match-lines, --per-program, --json, kinds) are chosen from the
 * input's length, so each input always runs the same way.
 *
 * Checks besides "no crash, no leak, no UB": the exit status is 0, 1 or 2;
 * comparing a report with itself never gives 1; a 2 always comes with a
 * message on stderr that starts "leaktrace diff: " and names the file.
 * stdout goes to /dev/null; stderr is captured per run (fmemopen) and only
 * printed when a check fails. */
#include "diff.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int memfd = -1;
static char input_path[64];
static char fixed_path[64];
static char errbuf[16384];

/* A minimal complete report in our text format. */
static const char fixed_report[] =
    "==100== leaktrace-fuzz, a leak checker for unmodified programs\n"
    "==100== Command: ./prog\n"
    "==100== \n"
    "==100== HEAP SUMMARY:\n"
    "==100==     in use at exit: 100 bytes in 1 blocks\n"
    "==100==   total heap usage: 2 allocs, 1 frees, 200 bytes allocated\n"
    "==100== \n"
    "==100== 100 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
    "==100==    at 0x4848899: malloc (in /usr/lib/libleaktrace.so)\n"
    "==100==    by 0x109151: leak (prog.c:4)\n"
    "==100==    by 0x109165: main (prog.c:9)\n"
    "==100== \n"
    "==100== LEAK SUMMARY:\n"
    "==100==    definitely lost: 100 bytes in 1 blocks\n"
    "==100==    indirectly lost: 0 bytes in 0 blocks\n"
    "==100==      possibly lost: 0 bytes in 0 blocks\n"
    "==100==    still reachable: 0 bytes in 0 blocks\n"
    "==100==         suppressed: 0 bytes in 0 blocks\n"
    "==100== \n"
    "==100== For lists of detected and suppressed errors, rerun with: -s\n"
    "==100== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    memfd = memfd_create("fuzz.report", MFD_CLOEXEC);
    int fd = memfd_create("fixed.report", MFD_CLOEXEC);   /* kept open: nothing left behind */
    if (memfd < 0 || fd < 0 ||
        write(fd, fixed_report, sizeof fixed_report - 1) != (ssize_t)(sizeof fixed_report - 1)) {
        perror("fuzz_report_readers: setup");
        abort();
    }
    snprintf(input_path, sizeof input_path, "/proc/self/fd/%d", memfd);
    snprintf(fixed_path, sizeof fixed_path, "/proc/self/fd/%d", fd);
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    stdout = devnull;            /* the diff's result is not looked at here */
    return 0;
}

static int run_diff(const char *opt1, const char *opt2, const char *a, const char *b)
{
    char *argv[8];
    int argc = 0;
    argv[argc++] = (char *)"diff";
    if (opt1)
        argv[argc++] = (char *)opt1;
    if (opt2)
        argv[argc++] = (char *)opt2;
    argv[argc++] = (char *)"--";
    argv[argc++] = (char *)a;
    argv[argc++] = (char *)b;
    argv[argc] = NULL;

    memset(errbuf, 0, sizeof errbuf);
    FILE *cap = fmemopen(errbuf, sizeof errbuf - 1, "w");
    if (!cap)
        abort();
    FILE *saved = stderr;
    stderr = cap;
    int rc = lt_diff_main(argc, argv);
    fclose(cap);
    stderr = saved;

    if (rc < 0 || rc > 2) {
        fprintf(stderr, "fuzz_report_readers: exit status %d\n", rc);
        abort();
    }
    if (rc == 2 && (strncmp(errbuf, "leaktrace diff: ", 16) != 0 ||
                    (!strstr(errbuf, a) && !strstr(errbuf, b)))) {
        fprintf(stderr, "fuzz_report_readers: status 2 without a message naming the file:\n%s\n",
                errbuf);
        abort();
    }
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
        abort();
    static const char *const opts[8][2] = {
        { NULL, NULL },
        { "--match-lines", NULL },
        { "--json", NULL },
        { "--per-program", "--json" },
        { "--match-lines", "--per-program" },
        { "--show-leak-kinds=definite,indirect", NULL },
        { "--errors-for-leak-kinds=all", "--json" },
        { "--show-leak-kinds=none", NULL },
    };
    const char *const *o = opts[size % 8];

    int self = run_diff(o[0], o[1], input_path, input_path);
    if (self == 1) {
        fprintf(stderr, "fuzz_report_readers: a report differs from itself (status 1)\n");
        abort();
    }
    if (self == 0) {             /* a good report: compare with another one */
        run_diff(o[0], o[1], input_path, fixed_path);
        run_diff(o[0], o[1], fixed_path, input_path);
    }
    return 0;
}
