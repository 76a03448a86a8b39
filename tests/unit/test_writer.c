/* test_writer.c — buffered report output (src/writer.c).
 *
 * Number formatting (plain, Valgrind's thousands separators, "0x" + upper
 * hex), lt_putf, lt_expand_path (%p, %q{VAR}, %%, limits), file output via
 * a temporary name renamed at close (and no file at all after a failed
 * write), writes larger than the 256 KiB buffer, and a pipe whose writes
 * are cut short by signals (EINTR / short writes are retried). */
#include "writer.h"
#include "arena.h"
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/lt_test_writer_XXXXXX";

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Reads a whole file into a malloc'd NUL-terminated buffer. */
static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    for (;;) {
        if (n == cap)
            b = realloc(b, (cap *= 2) + 1);
        ssize_t r = read(fd, b + n, cap - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    b[n] = 0;
    if (len)
        *len = n;
    return b;
}

/* Runs `emit` on a writer over a temporary file and returns what it wrote. */
static char *render(void (*emit)(struct lt_writer *, uint64_t), uint64_t v)
{
    char path[256];
    snprintf(path, sizeof path, "%s/render", tmpdir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    struct lt_writer w;
    lt_writer_open_fd(&w, fd);
    emit(&w, v);
    CHECK(lt_writer_close(&w) == 0, "close of an fd writer failed");
    /* The fd is the caller's: still open after close. */
    CHECK(fcntl(fd, F_GETFD) != -1, "lt_writer_close closed the caller's fd");
    close(fd);
    return slurp(path, NULL);
}

static void emit_commas(struct lt_writer *w, uint64_t v) { lt_put_u64_commas(w, v); }
static void emit_u64(struct lt_writer *w, uint64_t v) { lt_put_u64(w, v); }
static void emit_hex(struct lt_writer *w, uint64_t v) { lt_put_hex(w, v); }

#define CHECK_RENDER(fn, v, want)                                                     \
    do {                                                                              \
        char *got_ = render(fn, v);                                                   \
        CHECK(got_ && strcmp(got_, want) == 0, "%s(%llu) = \"%s\", expected \"%s\"", #fn, \
              (unsigned long long)(v), got_ ? got_ : "(null)", want);                 \
        free(got_);                                                                   \
    } while (0)

static void test_numbers(void)
{
    CHECK_RENDER(emit_commas, 0, "0");
    CHECK_RENDER(emit_commas, 7, "7");
    CHECK_RENDER(emit_commas, 999, "999");
    CHECK_RENDER(emit_commas, 1000, "1,000");
    CHECK_RENDER(emit_commas, 9999, "9,999");
    CHECK_RENDER(emit_commas, 100000, "100,000");
    CHECK_RENDER(emit_commas, 999999, "999,999");
    CHECK_RENDER(emit_commas, 1000000, "1,000,000");
    CHECK_RENDER(emit_commas, 1234567, "1,234,567");
    CHECK_RENDER(emit_commas, 2000318, "2,000,318");
    CHECK_RENDER(emit_commas, UINT64_C(1000000000000000000), "1,000,000,000,000,000,000");
    CHECK_RENDER(emit_commas, UINT64_MAX, "18,446,744,073,709,551,615");

    CHECK_RENDER(emit_u64, 0, "0");
    CHECK_RENDER(emit_u64, 1234567, "1234567");
    CHECK_RENDER(emit_u64, UINT64_MAX, "18446744073709551615");

    CHECK_RENDER(emit_hex, 0, "0x0");
    CHECK_RENDER(emit_hex, 9, "0x9");
    CHECK_RENDER(emit_hex, 0xa, "0xA");
    CHECK_RENDER(emit_hex, 0x48417B4, "0x48417B4");
    CHECK_RENDER(emit_hex, 0xdeadbeef, "0xDEADBEEF");
    CHECK_RENDER(emit_hex, UINT64_C(0x1000000000), "0x1000000000");
    CHECK_RENDER(emit_hex, UINT64_MAX, "0xFFFFFFFFFFFFFFFF");
}

static void emit_mixed(struct lt_writer *w, uint64_t v)
{
    (void)v;
    lt_put(w, "==");
    lt_put_u64(w, 123);
    lt_put(w, "== ");
    lt_putc(w, 'x');
    lt_putn(w, "abcdef", 3);
    lt_putn(w, "", 0);
    lt_put(w, "");
    lt_putf(w, " %s=%d %05.1f", "k", -42, 3.14159);
    lt_putc(w, '\n');
}

static void emit_long_putf(struct lt_writer *w, uint64_t v)
{
    (void)v;
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = 0;
    lt_putf(w, "<%s>", big);        /* longer than putf's line: truncated, not overflowed */
    lt_put(w, "|end");
}

static void test_put_and_putf(void)
{
    char *s = render(emit_mixed, 0);
    CHECK_STR(s, "==123== xabc k=-42 003.1\n");
    free(s);
    s = render(emit_long_putf, 0);
    size_t n = s ? strlen(s) : 0;
    CHECK(s && n > 1000 && n < 5006 && s[0] == '<' && strcmp(s + n - 4, "|end") == 0,
          "long lt_putf: %zu bytes", n);
    for (size_t i = 1; s && i + 4 < n; i++)
        if (s[i] != 'q') {
            CHECK(false, "long lt_putf: byte %zu is %#x", i, s[i]);
            break;
        }
    free(s);
}

static void test_expand_path(void)
{
    char out[4096], want[256];
    int pid = (int)getpid();

    CHECK(lt_expand_path("plain.txt", out, sizeof out) == 0, "plain");
    CHECK_STR(out, "plain.txt");
    CHECK(lt_expand_path("", out, sizeof out) == 0 && out[0] == 0, "empty pattern");

    CHECK(lt_expand_path("log.%p", out, sizeof out) == 0, "%%p");
    snprintf(want, sizeof want, "log.%d", pid);
    CHECK_STR(out, want);
    CHECK(lt_expand_path("%p-%p", out, sizeof out) == 0, "%%p twice");
    snprintf(want, sizeof want, "%d-%d", pid, pid);
    CHECK_STR(out, want);

    setenv("LT_TEST_VAR", "value/x", 1);
    CHECK(lt_expand_path("a.%q{LT_TEST_VAR}.b", out, sizeof out) == 0, "%%q{}");
    CHECK_STR(out, "a.value/x.b");
    unsetenv("LT_TEST_UNSET_VAR");
    CHECK(lt_expand_path("a%q{LT_TEST_UNSET_VAR}b", out, sizeof out) == 0, "%%q{} unset");
    CHECK_STR(out, "ab");
    CHECK(lt_expand_path("%q{LT_TEST_VAR}%p", out, sizeof out) == 0, "%%q then %%p");
    snprintf(want, sizeof want, "value/x%d", pid);
    CHECK_STR(out, want);

    CHECK(lt_expand_path("100%%", out, sizeof out) == 0, "%%%%");
    CHECK_STR(out, "100%");
    CHECK(lt_expand_path("%%p", out, sizeof out) == 0, "%%%%p");
    CHECK_STR(out, "%p");
    CHECK(lt_expand_path("50%", out, sizeof out) == 0, "trailing %%");
    CHECK_STR(out, "50%");

    CHECK(lt_expand_path("x%q{LT_TEST_VAR", out, sizeof out) == -1, "unterminated %%q{ accepted");
    CHECK(lt_expand_path("%q{", out, sizeof out) == -1, "bare %%q{ accepted");

    /* Length limits: the result and its NUL must fit. */
    CHECK(lt_expand_path("abc", out, 4) == 0, "3 chars in 4 bytes");
    CHECK_STR(out, "abc");
    memset(out, 'Z', 8);
    CHECK(lt_expand_path("abcd", out, 4) == -1, "4 chars in 4 bytes accepted");
    CHECK(out[4] == 'Z', "wrote past outlen");
    char small[8];
    memset(small, 'Z', sizeof small);
    CHECK(lt_expand_path("%p%p%p", small, 6) == -1, "expansion longer than outlen accepted");
    CHECK(small[6] == 'Z' && small[7] == 'Z', "wrote past outlen with %%p");
    setenv("LT_TEST_VAR", "0123456789", 1);
    memset(small, 'Z', sizeof small);
    CHECK(lt_expand_path("%q{LT_TEST_VAR}", small, 6) == -1, "long env value accepted");
    CHECK(small[6] == 'Z' && small[7] == 'Z', "wrote past outlen with %%q");
    char *huge = malloc(5001);
    memset(huge, 'p', 5000);
    huge[5000] = 0;
    CHECK(lt_expand_path(huge, out, sizeof out) == -1, "5000-char pattern in 4096 bytes accepted");
    free(huge);
    /* A variable name longer than any buffer: -1, no crash. */
    char longvar[600];
    memcpy(longvar, "%q{", 3);
    memset(longvar + 3, 'V', 500);
    memcpy(longvar + 503, "}", 2);
    CHECK(lt_expand_path(longvar, out, sizeof out) == -1 || out[0] == 0, "long variable name");
}

static void test_file_rename_at_close(void)
{
    char pattern[512], final[512];
    snprintf(pattern, sizeof pattern, "%s/report.%%p.txt", tmpdir);
    snprintf(final, sizeof final, "%s/report.%d.txt", tmpdir, (int)getpid());
    struct lt_writer w;
    CHECK(lt_writer_open_file(&w, pattern) == 0, "open_file: %s", strerror(errno));
    CHECK_STR(w.path, final);
    CHECK(!exists(final), "final file exists before close");
    CHECK(exists(w.tmp) && strcmp(w.tmp, final) != 0, "temporary file %s missing", w.tmp);
    lt_put(&w, "line one\n");
    lt_put_u64_commas(&w, 1234567);
    lt_putc(&w, '\n');
    CHECK(!exists(final), "final file exists before close (after writes)");
    char tmpname[4096];
    snprintf(tmpname, sizeof tmpname, "%s", w.tmp);
    CHECK(lt_writer_close(&w) == 0, "close");
    CHECK(exists(final), "final file missing after close");
    CHECK(!exists(tmpname), "temporary %s left behind", tmpname);
    char *s = slurp(final, NULL);
    CHECK_STR(s, "line one\n1,234,567\n");
    free(s);

    /* An existing file of that name is replaced whole. */
    CHECK(lt_writer_open_file(&w, pattern) == 0, "reopen");
    lt_put(&w, "second\n");
    s = slurp(final, NULL);
    CHECK_STR(s, "line one\n1,234,567\n");        /* old content until close */
    free(s);
    CHECK(lt_writer_close(&w) == 0, "close 2");
    s = slurp(final, NULL);
    CHECK_STR(s, "second\n");
    free(s);
    unlink(final);

    /* Directory that does not exist: -1 with errno, no writer state leaks. */
    char bad[512];
    snprintf(bad, sizeof bad, "%s/no/such/dir/x.txt", tmpdir);
    errno = 0;
    CHECK(lt_writer_open_file(&w, bad) == -1 && errno == ENOENT, "open in missing dir: errno %d", errno);
    /* Unterminated %q{: -1. */
    snprintf(bad, sizeof bad, "%s/x.%%q{HOME", tmpdir);
    errno = 0;
    CHECK(lt_writer_open_file(&w, bad) == -1 && errno != 0, "open with bad pattern");
}

/* A write that fails leaves neither the final file nor the temporary. */
static void test_failed_write_leaves_no_file(void)
{
    char pattern[512];
    snprintf(pattern, sizeof pattern, "%s/failed.txt", tmpdir);
    struct lt_writer w;
    CHECK(lt_writer_open_file(&w, pattern) == 0, "open");
    char tmpname[4096];
    snprintf(tmpname, sizeof tmpname, "%s", w.tmp);
    /* Make every write fail: replace the fd with a read-only one. */
    int ro = open("/dev/null", O_RDONLY);
    dup2(ro, w.fd);
    close(ro);
    for (int i = 0; i < 1000; i++)
        lt_put(&w, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
    for (int i = 0; i < 5000; i++)            /* > 256 KiB in total: flushes mid-way */
        lt_put(&w, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
    CHECK(lt_writer_close(&w) == -1, "close after failed writes returned 0");
    CHECK(!exists(pattern), "final file exists after a failed write");
    CHECK(!exists(tmpname), "temporary %s left after a failed write", tmpname);

    /* Failure only at the final flush (small report). */
    CHECK(lt_writer_open_file(&w, pattern) == 0, "open 2");
    snprintf(tmpname, sizeof tmpname, "%s", w.tmp);
    lt_put(&w, "short\n");
    ro = open("/dev/null", O_RDONLY);
    dup2(ro, w.fd);
    close(ro);
    CHECK(lt_writer_close(&w) == -1, "close with failing final flush returned 0");
    CHECK(!exists(pattern), "final file exists after a failed final flush");
    CHECK(!exists(tmpname), "temporary left after a failed final flush");
}

static void test_large_writes(void)
{
    enum { BIG = (1 << 20) + 12345 };   /* > the 256 KiB buffer, not a multiple of it */
    char *data = malloc(BIG);
    uint64_t rng = 5;
    for (size_t i = 0; i < BIG; i++)
        data[i] = (char)('a' + unit_rand(&rng) % 26);
    char pattern[512];
    snprintf(pattern, sizeof pattern, "%s/large.txt", tmpdir);
    struct lt_writer w;
    CHECK(lt_writer_open_file(&w, pattern) == 0, "open");
    lt_putn(&w, data, BIG);                                  /* one call */
    for (size_t off = 0; off < BIG; off += 1000)             /* many small ones */
        lt_putn(&w, data + off, off + 1000 <= BIG ? 1000 : BIG - off);
    lt_putn(&w, data, (256u << 10) - 3);                     /* straddles a flush */
    lt_putn(&w, data, 7);
    CHECK(lt_writer_close(&w) == 0, "close");
    size_t len = 0;
    char *got = slurp(pattern, &len);
    size_t want = 2 * (size_t)BIG + (256u << 10) - 3 + 7;
    CHECK_EQ_U64(len, want);
    CHECK(got && len == want && memcmp(got, data, BIG) == 0 && memcmp(got + BIG, data, BIG) == 0 &&
          memcmp(got + 2 * (size_t)BIG, data, (256u << 10) - 3) == 0 &&
          memcmp(got + 2 * (size_t)BIG + (256u << 10) - 3, data, 7) == 0,
          "large output differs from what was written");
    free(got);
    free(data);
    unlink(pattern);
}

/* ---- a pipe with writes interrupted by signals ------------------------------ */

static volatile int alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

struct reader { int fd; char *buf; size_t len, cap; };

static void *read_slowly(void *arg)
{
    struct reader *r = arg;
    for (;;) {
        size_t want = 3000;
        if (r->len + want > r->cap)
            want = r->cap - r->len;
        if (!want)
            break;
        ssize_t n = read(r->fd, r->buf + r->len, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        r->len += (size_t)n;
        if ((r->len / 3000) % 64 == 0)
            usleep(200);
    }
    return NULL;
}

static void test_pipe_with_signals(void)
{
    enum { TOTAL = 4 << 20 };
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    struct reader r = { p[0], malloc(TOTAL + 16), 0, TOTAL + 16 };
    /* The reader must not take the signals: block them in it. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    pthread_t th;
    pthread_create(&th, NULL, read_slowly, &r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    struct sigaction sa, oldsa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;               /* no SA_RESTART: writes return EINTR or short */
    sigaction(SIGALRM, &sa, &oldsa);
    struct itimerval it = { { 0, 300 }, { 0, 300 } };
    setitimer(ITIMER_REAL, &it, NULL);

    struct lt_writer w;
    lt_writer_open_fd(&w, p[1]);
    char chunk[4096];
    for (size_t done = 0; done < TOTAL; done += sizeof chunk) {
        for (size_t i = 0; i < sizeof chunk; i += 8) {
            uint64_t v = (uint64_t)(done + i);
            memcpy(chunk + i, &v, 8);
        }
        lt_putn(&w, chunk, sizeof chunk);
    }
    int rc = lt_writer_close(&w);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &oldsa, NULL);
    close(p[1]);
    pthread_join(th, NULL);
    close(p[0]);
    printf("  (%d signals during the pipe writes)\n", alarms);
    CHECK(rc == 0, "close after interrupted writes failed");
    CHECK_EQ_U64(r.len, TOTAL);
    size_t bad = 0;
    for (size_t i = 0; i + 8 <= r.len; i += 8) {
        uint64_t v;
        memcpy(&v, r.buf + i, 8);
        if (v != i)
            bad++;
    }
    CHECK(bad == 0, "%zu words of the pipe stream are wrong (lost or repeated data on EINTR/short write)", bad);
    free(r.buf);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_numbers);
    RUN(test_put_and_putf);
    RUN(test_expand_path);
    RUN(test_file_rename_at_close);
    RUN(test_failed_write_leaves_no_file);
    RUN(test_large_writes);
    RUN(test_pipe_with_signals);
    /* Remove whatever is left (a failed check may leave files behind). */
    DIR *dir = opendir(tmpdir);
    for (struct dirent *de; dir && (de = readdir(dir));) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s", tmpdir, de->d_name);
        unlink(path);
    }
    if (dir)
        closedir(dir);
    rmdir(tmpdir);
    return UNIT_DONE();
}
