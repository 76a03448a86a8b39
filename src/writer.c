/* writer.c — buffered report output (see writer.h). */
#include "writer.h"
#include "arena.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#define LT_WRITER_CAP (256u << 10)

static void write_all(struct lt_writer *w, const char *p, size_t n)
{
    while (n > 0 && !w->failed) {
        ssize_t r = write(w->fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            w->failed = true;
            return;
        }
        p += r;
        n -= (size_t)r;
    }
}

static void flush(struct lt_writer *w)
{
    if (w->len) {
        write_all(w, w->buf, w->len);
        w->len = 0;
    }
}

static void init_buffer(struct lt_writer *w)
{
    w->cap = LT_WRITER_CAP;
    w->buf = lt_arena_alloc(w->cap);
    if (!w->buf)
        w->cap = 0;
    w->len = 0;
    w->failed = false;
}

int lt_expand_path(const char *pattern, char *out, size_t outlen)
{
    size_t o = 0;
    char num[32];
    for (const char *p = pattern; *p; p++) {
        const char *add = NULL;
        size_t addlen = 0;
        char one = *p;
        if (p[0] == '%' && p[1] == 'p') {
            snprintf(num, sizeof num, "%d", (int)getpid());
            add = num;
            p++;
        } else if (p[0] == '%' && p[1] == 'q' && p[2] == '{') {
            const char *end = strchr(p + 3, '}');
            if (!end)
                return -1;
            char var[256];
            size_t vl = (size_t)(end - (p + 3));
            if (vl >= sizeof var)
                return -1;
            memcpy(var, p + 3, vl);
            var[vl] = 0;
            add = getenv(var);
            if (!add)
                add = "";
            p = end;
        } else if (p[0] == '%' && p[1] == '%') {
            add = "%";
            p++;
        } else {
            add = &one;
            addlen = 1;
        }
        if (!addlen)
            addlen = strlen(add);
        if (o + addlen >= outlen)
            return -1;
        memcpy(out + o, add, addlen);
        o += addlen;
    }
    out[o] = 0;
    return 0;
}

int lt_writer_open_file(struct lt_writer *w, const char *pattern)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    if (lt_expand_path(pattern, w->path, sizeof w->path) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* A device, FIFO or socket is written in place (/dev/null, /dev/stderr,
     * a named pipe a reader waits on): renaming a temporary onto it would
     * replace it with a regular file. Only regular files (or new names) get
     * the temporary-and-rename treatment. */
    struct stat st;
    if (stat(w->path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            errno = EISDIR;
            return -1;
        }
        w->fd = open(w->path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
        if (w->fd < 0)
            return -1;
        w->in_place = true;
        init_buffer(w);
        return 0;
    }
    /* The temporary is created, never opened: O_EXCL refuses any existing
     * name, a planted symbolic link included (POSIX open: "If O_EXCL and
     * O_CREAT are set, and path names a symbolic link, open() shall fail
     * with errno set to [EEXIST], regardless of the contents of the
     * symbolic link"); O_NOFOLLOW says the same for systems that differ.
     * A name taken is retried with another suffix. rename() then replaces
     * the final name itself, never what a link there points to. */
    unsigned salt = (unsigned)(uintptr_t)w ^ (unsigned)getpid() * 2654435761u;
    for (int attempt = 0; attempt < 64; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        salt = salt * 1103515245u + 12345u + (unsigned)ts.tv_nsec;
        int n = snprintf(w->tmp, sizeof w->tmp, "%s.tmp.%d.%08x", w->path, (int)getpid(), salt);
        if (n < 0 || (size_t)n >= sizeof w->tmp) {
            errno = ENAMETOOLONG;
            return -1;
        }
        w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (w->fd >= 0)
            break;
        if (errno != EEXIST)
            return -1;
    }
    if (w->fd < 0)
        return -1;
    init_buffer(w);
    return 0;
}

int lt_writer_open_append(struct lt_writer *w, const char *pattern)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    if (lt_expand_path(pattern, w->path, sizeof w->path) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* A device, FIFO or socket (/dev/stderr, a named pipe) is written in
     * place as by lt_writer_open_file; a regular file is never reached
     * through a symbolic link (O_NOFOLLOW: ELOOP). */
    struct stat st;
    int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY;
    if (stat(w->path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            errno = EISDIR;
            return -1;
        }
    } else {
        flags |= O_CREAT | O_NOFOLLOW;
    }
    w->fd = open(w->path, flags, 0644);
    if (w->fd < 0)
        return -1;
    w->in_place = true;
    init_buffer(w);
    return 0;
}

void lt_writer_open_fd(struct lt_writer *w, int fd)
{
    memset(w, 0, sizeof *w);
    w->fd = fd;
    init_buffer(w);
}

int lt_writer_close(struct lt_writer *w)
{
    flush(w);
    if (w->buf)
        lt_arena_free(w->buf, w->cap);
    w->buf = NULL;
    int rc = w->failed ? -1 : 0;
    if (w->in_place) {
        if (close(w->fd) != 0)
            rc = -1;
    } else if (w->path[0]) {
        /* Only a complete report takes the final name. */
        if (close(w->fd) != 0)
            rc = -1;
        if (rc == 0 && rename(w->tmp, w->path) != 0)
            rc = -1;
        if (rc != 0)
            unlink(w->tmp);
    }
    return rc;
}

void lt_putn(struct lt_writer *w, const char *s, size_t n)
{
    if (!w->buf) {              /* no buffer memory: write through */
        write_all(w, s, n);
        return;
    }
    while (n > 0) {
        if (w->len == w->cap)
            flush(w);
        size_t k = w->cap - w->len;
        if (k > n)
            k = n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
}

void lt_put(struct lt_writer *w, const char *s) { lt_putn(w, s, strlen(s)); }
void lt_putc(struct lt_writer *w, char c) { lt_putn(w, &c, 1); }

void lt_put_u64(struct lt_writer *w, uint64_t v)
{
    char b[24];
    int i = (int)sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    lt_putn(w, b + i, sizeof b - (size_t)i);
}

/* Valgrind prints counts with %'lu: groups of three digits separated by ','. */
void lt_put_u64_commas(struct lt_writer *w, uint64_t v)
{
    char b[32];
    int i = (int)sizeof b, digits = 0;
    do {
        if (digits && digits % 3 == 0)
            b[--i] = ',';
        b[--i] = (char)('0' + v % 10);
        v /= 10;
        digits++;
    } while (v);
    lt_putn(w, b + i, sizeof b - (size_t)i);
}

void lt_put_hex(struct lt_writer *w, uint64_t v)
{
    static const char hex[] = "0123456789ABCDEF";
    char b[20];
    int i = (int)sizeof b;
    do {
        b[--i] = hex[v & 15];
        v >>= 4;
    } while (v);
    lt_putn(w, "0x", 2);
    lt_putn(w, b + i, sizeof b - (size_t)i);
}

void lt_putf(struct lt_writer *w, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = (int)sizeof line - 1;
    lt_putn(w, line, (size_t)n);
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one
 * (overlong forms, surrogates and code points above U+10FFFF are invalid,
 * as RFC 3629 says). */
size_t lt_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    unsigned cp = c & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}
