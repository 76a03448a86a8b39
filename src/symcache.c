/* symcache.c — symbolization results shared between processes, keyed by build ID.
 *
 * Promises (see symcache.h): one text file per object build ID,
 *
 *     leaktrace-symcache 1 <tool version> <build id> <debug identity>
 *     A <addr hex> <n>
 *     F\t<mangled>\t<function>\t<file>\t<dir>\t<line>      (n times)
 *
 * an empty field meaning "unknown". Loaded whole when the object is first
 * symbolized in a session; rewritten (loaded entries plus new ones) into a
 * temporary file renamed over the old one at the end of the session, so a
 * reader never sees a half-written file and concurrent writers lose at
 * most each other's additions. Why: a CI suite of short processes would
 * otherwise have every process that reports a libc frame inflate libc's
 * compressed debug info again (about 0.1 s each with libc6-dbg). */
#include "symcache.h"
#include "arena.h"
#include "options.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define uthash_malloc(sz) lt_arena_alloc(sz)
#define uthash_free(p, sz) lt_arena_free((p), (sz))
#define uthash_fatal(msg) abort()
#include <uthash.h>

#define LT_SYMCACHE_FORMAT 1
#define LT_SYMCACHE_MAX_FILE ((size_t)16 << 20)   /* larger files are not loaded */
#define LT_SYMCACHE_MAX_ENTRIES 100000

struct entry {
    UT_hash_handle hh;
    uintptr_t addr;
    int n;
    struct lt_frame_info *f;
};

struct lt_symcache {
    struct lt_symcache *next;
    char name[2 * 64 + 1];         /* build ID in hex: the file name */
    char header[512];
    char *buf;                     /* the loaded file (strings point into it) */
    size_t buflen;
    size_t bufcap;
    struct entry *entries;
    size_t nentries;
    bool dirty;
};

static struct lt_symcache *caches;

/* The default directory, from the environment as the program started:
 * at exit glibc's __libc_freeres has cleared the environment. */
static char default_dir[PATH_MAX];

__attribute__((constructor)) static void remember_default_dir(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n = 0;
    if (xdg && xdg[0] == '/')
        n = snprintf(default_dir, sizeof default_dir, "%s/leaktrace/symbols", xdg);
    else if (home && home[0] == '/')
        n = snprintf(default_dir, sizeof default_dir, "%s/.cache/leaktrace/symbols", home);
    if (n <= 0 || (size_t)n >= sizeof default_dir)
        default_dir[0] = '\0';
}

static bool cache_dir(char *out, size_t size)
{
    const char *opt = lt_opt.symbol_cache;
    int n;
    if (strcmp(opt, "no") == 0)
        return false;
    if (opt[0] && strcmp(opt, "yes") != 0) {
        n = snprintf(out, size, "%s", opt);
    } else {
        if (!default_dir[0])
            return false;
        n = snprintf(out, size, "%s", default_dir);
    }
    return n > 0 && (size_t)n < size;
}

/* mkdir -p, private to the user (0700, as XDG asks for cache data). */
static bool make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0700);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return false;
    }
    return mkdir(path, 0700) == 0 || errno == EEXIST;
}

static bool file_path(const struct lt_symcache *c, char *out, size_t size)
{
    char dir[PATH_MAX];
    if (!cache_dir(dir, sizeof dir))
        return false;
    int n = snprintf(out, size, "%s/%s", dir, c->name);
    return n > 0 && (size_t)n < size;
}

static char *next_line(char **cur, char *end)
{
    char *s = *cur;
    if (s >= end)
        return NULL;
    char *nl = memchr(s, '\n', (size_t)(end - s));
    if (!nl)
        return NULL;                      /* a truncated last line is dropped */
    *nl = '\0';
    *cur = nl + 1;
    return s;
}

static const char *field(char **cur)
{
    char *s = *cur, *t = s ? strchr(s, '\t') : NULL;
    if (!s)
        return NULL;
    if (t) {
        *t = '\0';
        *cur = t + 1;
    } else {
        *cur = NULL;
    }
    return s;
}

static void add_entry(struct lt_symcache *c, struct entry *e)
{
    HASH_ADD(hh, c->entries, addr, sizeof e->addr, e);
    c->nentries++;
}

/* Parses the loaded buffer; stops at the first malformed entry. */
static void parse(struct lt_symcache *c)
{
    char *cur = c->buf, *end = c->buf + c->buflen;
    char *line = next_line(&cur, end);
    if (!line || strcmp(line, c->header) != 0)
        return;
    while ((line = next_line(&cur, end))) {
        unsigned long long addr;
        int n, used = 0;
        if (sscanf(line, "A %llx %d%n", &addr, &n, &used) != 2 || line[used] || n < 1
            || n > LT_SYMBOLS_MAX_FRAMES)
            return;
        struct entry *e = lt_arena_alloc(sizeof *e);
        struct lt_frame_info *f = lt_arena_alloc((size_t)n * sizeof *f);
        if (!e || !f)
            return;
        memset(f, 0, (size_t)n * sizeof *f);
        for (int i = 0; i < n; i++) {
            char *fl = next_line(&cur, end), *p = fl ? fl + 2 : NULL;
            if (!fl || strncmp(fl, "F\t", 2) != 0)
                return;
            const char *v[5];
            for (int k = 0; k < 5; k++)
                v[k] = field(&p);
            if (!v[4] || p)
                return;
            f[i].mangled = v[0][0] ? v[0] : NULL;
            f[i].fn = v[1][0] ? v[1] : NULL;
            f[i].file = v[2][0] ? v[2] : NULL;
            f[i].dir = v[3][0] ? v[3] : NULL;
            f[i].line = (unsigned)strtoul(v[4], NULL, 10);
        }
        e->addr = (uintptr_t)addr;
        e->n = n;
        e->f = f;
        struct entry *old;
        HASH_FIND(hh, c->entries, &e->addr, sizeof e->addr, old);
        if (!old)
            add_entry(c, e);
    }
}

static void load(struct lt_symcache *c)
{
    char path[PATH_MAX];
    if (!file_path(c, path, sizeof path))
        return;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0
        && (size_t)st.st_size <= LT_SYMCACHE_MAX_FILE
        && (c->buf = lt_arena_alloc((size_t)st.st_size + 1))) {
        c->bufcap = (size_t)st.st_size + 1;
        size_t got = 0;
        while (got < (size_t)st.st_size) {
            ssize_t r = read(fd, c->buf + got, (size_t)st.st_size - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        c->buflen = got;
        c->buf[got] = '\0';
        parse(c);
    }
    close(fd);
}

struct lt_symcache *lt_symcache_open(const unsigned char *build_id, int len,
                                     const char *debug_identity)
{
    char dir[PATH_MAX];
    if (!build_id || len <= 0 || len > 64 || !cache_dir(dir, sizeof dir))
        return NULL;
    struct lt_symcache *c = lt_arena_alloc(sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    for (int i = 0; i < len; i++)
        snprintf(c->name + 2 * i, 3, "%02x", build_id[i]);
    snprintf(c->header, sizeof c->header, "leaktrace-symcache %d %s %s %s",
             LT_SYMCACHE_FORMAT, LT_VERSION, c->name, debug_identity);
    /* Opened already this session (symbols.c asks before and after libdw
     * is loaded): one handle, so what is added is written once. */
    for (struct lt_symcache *o = caches; o; o = o->next)
        if (strcmp(o->header, c->header) == 0) {
            lt_arena_free(c, sizeof *c);
            return o;
        }
    load(c);
    c->next = caches;
    caches = c;
    return c;
}

int lt_symcache_get(struct lt_symcache *c, uintptr_t addr, struct lt_frame_info *out, int max)
{
    struct entry *e;
    HASH_FIND(hh, c->entries, &addr, sizeof addr, e);
    if (!e)
        return -1;
    int n = e->n < max ? e->n : max;
    for (int i = 0; i < n; i++) {
        out[i].fn = e->f[i].fn;
        out[i].mangled = e->f[i].mangled;
        out[i].file = e->f[i].file;
        out[i].dir = e->f[i].dir;
        out[i].line = e->f[i].line;
    }
    return n;
}

static bool storable(const char *s)
{
    return !s || (s[0] && !strpbrk(s, "\t\n"));
}

void lt_symcache_put(struct lt_symcache *c, uintptr_t addr, const struct lt_frame_info *f, int n)
{
    if (n < 1 || n > LT_SYMBOLS_MAX_FRAMES || c->nentries >= LT_SYMCACHE_MAX_ENTRIES)
        return;
    for (int i = 0; i < n; i++)
        if (!storable(f[i].fn) || !storable(f[i].mangled) || !storable(f[i].file)
            || !storable(f[i].dir))
            return;
    struct entry *e;
    HASH_FIND(hh, c->entries, &addr, sizeof addr, e);
    if (e)
        return;
    e = lt_arena_alloc(sizeof *e);
    struct lt_frame_info *copy = lt_arena_alloc((size_t)n * sizeof *copy);
    if (!e || !copy)
        return;
    memcpy(copy, f, (size_t)n * sizeof *copy);
    e->addr = addr;
    e->n = n;
    e->f = copy;
    add_entry(c, e);
    c->dirty = true;
}

static void put_field(struct lt_writer *w, const char *s)
{
    lt_putc(w, '\t');
    if (s)
        lt_put(w, s);
}

/* Through writer.c: a temporary created O_EXCL|O_NOFOLLOW, renamed into
 * place when complete. */
static void write_cache(struct lt_symcache *c)
{
    char path[PATH_MAX], dir[PATH_MAX];
    if (!cache_dir(dir, sizeof dir) || !make_dirs(dir) || !file_path(c, path, sizeof path))
        return;
    struct lt_writer *w = lt_arena_alloc(sizeof *w);
    if (!w)
        return;
    if (lt_writer_open_file(w, path) == 0) {
        lt_put(w, c->header);
        lt_putc(w, '\n');
        for (struct entry *e = c->entries; e; e = e->hh.next) {
            lt_putf(w, "A %llx %d\n", (unsigned long long)e->addr, e->n);
            for (int i = 0; i < e->n; i++) {
                const struct lt_frame_info *f = &e->f[i];
                lt_putc(w, 'F');
                put_field(w, f->mangled);
                put_field(w, f->fn);
                put_field(w, f->file);
                put_field(w, f->dir);
                lt_putf(w, "\t%u\n", f->line);
            }
        }
        lt_writer_close(w);
    }
    lt_arena_free(w, sizeof *w);
}

static void free_cache(struct lt_symcache *c)
{
    struct entry *e, *t;
    HASH_ITER(hh, c->entries, e, t) {
        HASH_DEL(c->entries, e);
        lt_arena_free(e->f, (size_t)e->n * sizeof *e->f);
        lt_arena_free(e, sizeof *e);
    }
    if (c->buf)
        lt_arena_free(c->buf, c->bufcap);
    lt_arena_free(c, sizeof *c);
}

void lt_symcache_end(void)
{
    while (caches) {
        struct lt_symcache *c = caches;
        caches = c->next;
        if (c->dirty)
            write_cache(c);
        free_cache(c);
    }
}
