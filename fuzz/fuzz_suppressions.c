/* fuzz_suppressions.c — libFuzzer target for src/suppress.c.
 *
 * Each input is written to a memfd and read with lt_supp_load_file through
 * /proc/self/fd/N, exactly as a --suppressions=FILE is read (open/read, the
 * Valgrind reader or the LeakSanitizer reader). Then, if it loaded, every
 * entry is matched against a few real stacks of this program (captured by
 * the depot with libunwind and symbolized with libdw, so fun:/obj:/src:,
 * globs, "...", (below main), mangled C++ names and the frame-0 aliases
 * are all exercised), the used_suppression lines and the XML counts are
 * written (to /dev/null), and everything is forgotten (lt_supp_reset).
 *
 * A first line "# nc=N" (a comment to the reader) sets --num-callers=N for
 * that input (1..500, default 12), so the cut of long stacks and the
 * 500-frame limit are reachable.
 *
 * Checks besides "no crash, no UB": a rejected file always yields a
 * non-empty "FATAL: ..." message that names the file and, for a grammar
 * error, "near line N" with 0 <= N <= the number of lines; an
 * accepted file returns a count >= 0; lt_supp_match returns -1 or a valid
 * index whose name is not NULL.
 *
 * Leaks: suppress.c keeps everything in the tool's own mmap'd arena, which
 * LeakSanitizer does not see; lt_supp_reset gives the lists back, while
 * names and frame lines are bump-allocated and never returned (the tool
 * loads its files once per process). That memory grows with the number of
 * inputs (a few bytes per input byte), so runs are bounded by -runs and
 * -max_len; detect_leaks stays on for the malloc'd side (libdw, libunwind). */

#include "depot.h"
#include "options.h"
#include "suppress.h"
#include "symbols.h"
#include "writer.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NSTACKS 4
static uint32_t stacks[NSTACKS];
static int nstacks;
static int memfd = -1, nullfd = -1;
static char path[64];

#define BARRIER() __asm__ volatile("" ::: "memory")

/* A stand-in for the tool's exported allocation function: the depot skips
 * exactly this frame's caller chain start, so frame 0 lies in here. */
__attribute__((noinline)) static uint32_t fz_alloc(void)
{
    uint32_t id = lt_depot_capture();
    BARRIER();
    return id;
}

__attribute__((noinline)) static uint32_t fz_leaf(void)
{
    uint32_t id = fz_alloc();
    BARRIER();
    return id;
}

__attribute__((noinline)) static uint32_t fz_mid(void)
{
    uint32_t id = fz_leaf();
    BARRIER();
    return id;
}

static inline __attribute__((always_inline)) uint32_t fz_inl(void)
{
    uint32_t id = fz_alloc();
    BARRIER();
    return id;
}

__attribute__((noinline)) static uint32_t fz_with_inl(void)
{
    uint32_t id = fz_inl();
    BARRIER();
    return id;
}

/* A local symbol named like an allocator with a Valgrind frame-0 alias. */
__attribute__((noinline, used)) static void *fz_pm(void) __asm__("posix_memalign");
__attribute__((noinline, used)) static void *fz_pm(void)
{
    BARRIER();
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    lt_options_defaults(&lt_opt);
    lt_opt.num_callers = LT_MAX_CALLERS;
    lt_depot_init();
    lt_symbols_begin();
    /* this program plays libleaktrace.so: frame 0 is "the allocation function" */
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    if (exe[0])
        lt_supp_set_tool_object(exe);

    /* real stacks, down through libFuzzer's C++ driver, main and below main */
    uint32_t id;
    if ((id = fz_mid()) != 0)
        stacks[nstacks++] = id;
    if ((id = fz_with_inl()) != 0)
        stacks[nstacks++] = id;
    const struct lt_stack *st = nstacks ? lt_depot_get(stacks[0]) : NULL;
    if (st && st->depth > 1) {
        uintptr_t ips[LT_MAX_CALLERS];
        uint32_t d = st->depth < LT_MAX_CALLERS ? st->depth : LT_MAX_CALLERS;
        memcpy(ips, st->ips, d * sizeof ips[0]);
        ips[0] = (uintptr_t)&fz_pm + 1;          /* frame 0 = posix_memalign */
        if ((id = lt_depot_intern(ips, d)) != 0)
            stacks[nstacks++] = id;
        ips[0] = 0x10;                            /* an address nothing maps: ??? */
        if ((id = lt_depot_intern(ips, 2)) != 0)
            stacks[nstacks++] = id;
    }
    if (nstacks == 0) {
        fprintf(stderr, "fuzz_suppressions: could not capture a stack\n");
        abort();
    }

    memfd = memfd_create("fuzz.supp", MFD_CLOEXEC);
    nullfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (memfd < 0 || nullfd < 0) {
        perror("fuzz_suppressions: memfd_create or /dev/null");
        abort();
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);

    /* FUZZ_SUPP_GEN=1: print a generated suppression for each stack (how
     * the seeds that match were written). */
    if (getenv("FUZZ_SUPP_GEN")) {
        struct lt_writer w;
        lt_writer_open_fd(&w, 2);
        lt_supp_check_begin();
        for (int k = 0; k < nstacks; k++)
            lt_supp_write_generated(&w, LT_DEFINITE, stacks[k]);
        lt_supp_check_end();
        lt_writer_close(&w);
    }
    return 0;
}

/* "# nc=N" on the first line. */
static int num_callers_of(const uint8_t *data, size_t size)
{
    if (size < 6 || memcmp(data, "# nc=", 5) != 0)
        return 12;
    int v = 0;
    for (size_t i = 5; i < size && i < 9 && data[i] >= '0' && data[i] <= '9'; i++)
        v = v * 10 + (data[i] - '0');
    return v < 1 ? 1 : v > LT_MAX_CALLERS ? LT_MAX_CALLERS : v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
        abort();
    lt_opt.num_callers = num_callers_of(data, size);
    lt_opt.show_below_main = size > 0 && (data[size - 1] & 1);

    char err[2048];
    memset(err, 'X', sizeof err);
    lt_supp_reset();
    int rc = lt_supp_load_file(path, err, sizeof err);
    if (rc < -1)
        abort();
    if (rc == -1) {
        if (!memchr(err, '\0', sizeof err) || strncmp(err, "FATAL: ", 7) != 0 || !strstr(err, path))
            abort();                 /* must say FATAL and name the file */
        const char *near = strstr(err, "near line ");
        if (near) {
            long line = strtol(near + 10, NULL, 10);
            size_t nlines = 0;       /* lines, a last one without '\n' included */
            for (size_t i = 0; i < size; i++)
                nlines += data[i] == '\n';
            if (size > 0 && data[size - 1] != '\n')
                nlines++;
            if (line < 0 || (size_t)line > nlines)
                abort();             /* the line must exist */
        } else if (!strstr(err, "out of memory")) {
            abort();                 /* a grammar error always has a line */
        }
        struct lt_writer w;
        lt_writer_open_fd(&w, nullfd);
        lt_supp_write_error(&w, 1234, err);
        lt_writer_close(&w);
    } else {
        if (rc > lt_supp_count() || lt_supp_nfiles() != 1 || strcmp(lt_supp_file(0), path) != 0)
            abort();
        lt_supp_check_begin();
        for (int k = 0; k < nstacks; k++)
            for (int kind = 0; kind < LT_NKINDS; kind++) {
                int idx = lt_supp_match(kind, stacks[k]);
                if (idx < -1 || idx >= lt_supp_count())
                    abort();
                if (idx >= 0) {
                    if (!lt_supp_name(idx))
                        abort();
                    lt_supp_note(idx, 16, 1);
                }
            }
        struct lt_writer w;
        lt_writer_open_fd(&w, nullfd);
        lt_supp_write_used(&w, 1234);
        lt_supp_write_used_xml(&w);
        lt_writer_close(&w);
        lt_supp_check_end();
    }
    lt_supp_reset();
    return 0;
}
