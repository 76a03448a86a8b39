/* report_fixture.h — shared by the unit tests of the report writers
 * (text, XML, JSON, SARIF, folded): a synthetic scan whose blocks have
 * chosen kinds, stacks, sizes and indirect bytes, and a capture that runs a
 * writer into a temporary file and gives back the text. Needs unit.h,
 * report.h and symbols.h included first. */
#ifndef LT_TEST_REPORT_FIXTURE_H
#define LT_TEST_REPORT_FIXTURE_H
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- synthetic scans ----------------------------------------------------------- */

struct spec {
    int kind;
    uint32_t stack;
    size_t size;
    uint64_t indirect;
    int heuristic;      /* enum lt_heuristic, for reachable blocks; 0 = none */
};

static struct lt_scan S;

/* Blocks at made-up addresses (never read: nothing is scanned). */
static inline void make_scan(const struct spec *sp, size_t n)
{
    struct lt_block *b = calloc(n ? n : 1, sizeof *b);
    for (size_t i = 0; i < n; i++)
        b[i] = (struct lt_block){ .addr = 0x10000000u + i * 0x1000, .size = sp[i].size, .stack = sp[i].stack };
    CHECK(lt_scan_init(&S, b, n, 0) == 0, "lt_scan_init");
    for (size_t i = 0; i < n; i++) {
        S.b[i].state = (uint8_t)sp[i].kind;
        S.b[i].indirect = sp[i].indirect;
        S.b[i].heuristic = (uint8_t)sp[i].heuristic;
    }
    free(b);
}

/* ---- capturing a writer's output ----------------------------------------------- */

struct capture {
    char path[64];
    struct lt_writer w;
};

/* A writer into a new temporary file. */
static inline struct lt_writer *capture_begin(struct capture *c)
{
    snprintf(c->path, sizeof c->path, "/tmp/lt_test_capture_XXXXXX");
    int fd = mkstemp(c->path);
    CHECK(fd >= 0, "mkstemp");
    lt_writer_open_fd(&c->w, fd);
    return &c->w;
}

/* Closes the writer and returns the file's text (free() it); the file
 * stays, at c->path, until capture_remove. */
static inline char *capture_text(struct capture *c)
{
    int fd = c->w.fd;       /* a writer opened on an fd leaves it to its owner */
    lt_writer_close(&c->w);
    close(fd);
    fd = open(c->path, O_RDONLY);
    size_t cap = 4 << 20, n = 0;
    char *buf = malloc(cap + 1);
    ssize_t k;
    while (fd >= 0 && (k = read(fd, buf + n, cap - n)) > 0)
        n += (size_t)k;
    buf[n] = 0;
    if (fd >= 0)
        close(fd);
    return buf;
}

static inline void capture_remove(struct capture *c) { unlink(c->path); }

/* capture_text, and the file removed. */
static inline char *capture_end(struct capture *c)
{
    char *t = capture_text(c);
    capture_remove(c);
    return t;
}

typedef void (*writer_fn)(struct lt_writer *, const struct lt_records *, const struct lt_report_ctx *,
                          const struct lt_options *);

/* What fn writes for (r, ctx, o), symbolized as a final report is. */
static inline char *capture(writer_fn fn, const struct lt_records *r, const struct lt_report_ctx *ctx,
                     const struct lt_options *o)
{
    struct capture c;
    struct lt_writer *w = capture_begin(&c);
    lt_symbols_begin();
    fn(w, r, ctx, o);
    lt_symbols_end();
    return capture_end(&c);
}
#endif
