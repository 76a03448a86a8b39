/* writer.h — buffered text output for reports, without stdio or malloc.
 *
 * Promises: Valgrind's number style (thousands separators), hex, and
 * line prefixes; the buffer lives in arena memory and is flushed with
 * write(2), retrying on EINTR and short writes. A regular-file destination
 * is written to a temporary name (created with O_EXCL, so never through a
 * planted symbolic link) and renamed when complete, so a report file is
 * never half-written; a device or FIFO is written in place. */
#ifndef LT_WRITER_H
#define LT_WRITER_H
#include "lt.h"

struct lt_writer {
    int fd;
    char *buf;
    size_t len, cap;
    bool failed;
    bool in_place;         /* a device or FIFO: written directly, no temporary */
    char path[4096];       /* final name when writing a file; "" for an fd */
    char tmp[4096];
};

/* Opens `pattern` (%p -> pid, %q{VAR} -> $VAR) for writing via a temporary
 * name. Returns 0, or -1 with errno set. */
int lt_writer_open_file(struct lt_writer *w, const char *pattern) LT_HIDDEN;
/* Opens `pattern` to add to its end (created if missing, never through a
 * symbolic link to a regular file): the report of each process written to
 * one --log-file without %p is kept. Returns 0, or -1 with errno set. */
int lt_writer_open_append(struct lt_writer *w, const char *pattern) LT_HIDDEN;
void lt_writer_open_fd(struct lt_writer *w, int fd) LT_HIDDEN;
/* Flushes; for files renames the temporary into place. Returns 0 or -1. */
int lt_writer_close(struct lt_writer *w) LT_HIDDEN;

void lt_put(struct lt_writer *w, const char *s) LT_HIDDEN;
void lt_putn(struct lt_writer *w, const char *s, size_t n) LT_HIDDEN;
void lt_putc(struct lt_writer *w, char c) LT_HIDDEN;
void lt_put_u64(struct lt_writer *w, uint64_t v) LT_HIDDEN;
void lt_put_u64_commas(struct lt_writer *w, uint64_t v) LT_HIDDEN;
void lt_put_hex(struct lt_writer *w, uint64_t v) LT_HIDDEN;  /* "0x" + uppercase hex, as Valgrind */
void lt_putf(struct lt_writer *w, const char *fmt, ...) LT_HIDDEN __attribute__((format(printf, 2, 3)));

/* Length of the valid UTF-8 sequence at s[0..n) (n >= 1), or 0 if it is
 * not one (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF). For the escapers of the JSON and XML reports. */
size_t lt_utf8_len(const unsigned char *s, size_t n) LT_HIDDEN;

/* Expands %p and %q{VAR} in a file-name pattern. Returns 0 or -1 (too long). */
int lt_expand_path(const char *pattern, char *out, size_t outlen) LT_HIDDEN;
#endif
