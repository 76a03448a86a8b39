/* maps.c — a snapshot of /proc/self/maps (see maps.h).
 *
 * The file is read whole with open/read into arena memory and parsed in
 * place; path strings point into that buffer. Format (proc(5)):
 *   lo-hi perms offset major:minor inode   path */
#include "maps.h"
#include "arena.h"
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>

struct maps_storage {      /* kept just before the entries so free knows sizes */
    char *text;
    size_t text_bytes;
    size_t entries_bytes;
};

static uint64_t parse_hex(const char **p)
{
    uint64_t v = 0;
    for (;; (*p)++) {
        char c = **p;
        if (c >= '0' && c <= '9') v = v * 16 + (uint64_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v = v * 16 + (uint64_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v = v * 16 + (uint64_t)(c - 'A' + 10);
        else return v;
    }
}

static uint64_t parse_dec(const char **p)
{
    uint64_t v = 0;
    while (**p >= '0' && **p <= '9')
        v = v * 10 + (uint64_t)(*(*p)++ - '0');
    return v;
}

/* Reads the whole file; /proc files must be read in one pass of read()s
 * into a buffer large enough, else we retry with a bigger one. */
static char *slurp(size_t *len, size_t *cap_out)
{
    for (size_t cap = 64 << 10; cap <= ((size_t)256 << 20); cap *= 4) {
        char *buf = lt_arena_alloc(cap);
        if (!buf)
            return NULL;
        /* This thread's view: once the main thread has exited (main called
         * pthread_exit, another thread exit), /proc/self names the leader,
         * whose maps read empty (no roots, no symbols). thread-self: 3.17. */
        int fd = open("/proc/thread-self/maps", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            lt_arena_free(buf, cap);
            return NULL;
        }
        size_t n = 0;
        for (;;) {
            ssize_t r = read(fd, buf + n, cap - 1 - n);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            n += (size_t)r;
            if (n == cap - 1)
                break;
        }
        close(fd);
        if (n < cap - 1) {
            buf[n] = 0;
            *len = n;
            *cap_out = cap;
            return buf;
        }
        lt_arena_free(buf, cap);
    }
    return NULL;
}

int lt_maps_read(struct lt_maps *m)
{
    size_t len, cap;
    m->v = NULL;
    m->n = 0;
    char *text = slurp(&len, &cap);
    if (!text)
        return -1;
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    size_t ebytes = sizeof(struct maps_storage) + (size_t)(lines + 1) * sizeof(struct lt_map);
    char *mem = lt_arena_alloc(ebytes);
    if (!mem) {
        lt_arena_free(text, cap);
        return -1;
    }
    struct maps_storage *st = (struct maps_storage *)mem;
    st->text = text;
    st->text_bytes = cap;
    st->entries_bytes = ebytes;
    m->v = (struct lt_map *)(mem + sizeof *st);

    const char *p = text;
    while (*p) {
        struct lt_map *e = &m->v[m->n];
        e->lo = (uintptr_t)parse_hex(&p);
        if (*p++ != '-') break;
        e->hi = (uintptr_t)parse_hex(&p);
        while (*p == ' ') p++;
        e->prot = 0;
        if (p[0] == 'r') e->prot |= LT_MAP_R;
        if (p[1] == 'w') e->prot |= LT_MAP_W;
        if (p[2] == 'x') e->prot |= LT_MAP_X;
        if (p[3] == 's') e->prot |= LT_MAP_SHARED;
        p += 4;
        while (*p == ' ') p++;
        e->offset = parse_hex(&p);
        while (*p == ' ') p++;
        e->dev_major = (unsigned)parse_hex(&p);
        if (*p == ':') p++;
        e->dev_minor = (unsigned)parse_hex(&p);
        while (*p == ' ') p++;
        e->inode = (unsigned long)parse_dec(&p);
        while (*p == ' ') p++;
        char *path = (char *)p;
        while (*p && *p != '\n') p++;
        e->path = path;
        if (*p == '\n') {
            *(char *)p = 0;
            p++;
        }
        m->n++;
    }
    return 0;
}

void lt_maps_free(struct lt_maps *m)
{
    if (!m->v)
        return;
    struct maps_storage *st = (struct maps_storage *)((char *)m->v - sizeof *st);
    lt_arena_free(st->text, st->text_bytes);
    lt_arena_free(st, st->entries_bytes);
    m->v = NULL;
    m->n = 0;
}

int lt_maps_insert(struct lt_maps *m, const struct lt_map *extra, int n)
{
    if (!m->v || n <= 0)
        return n <= 0 ? 0 : -1;
    struct maps_storage *old = (struct maps_storage *)((char *)m->v - sizeof *old);
    size_t ebytes = sizeof *old + (size_t)(m->n + n) * sizeof(struct lt_map);
    char *mem = lt_arena_alloc(ebytes);
    if (!mem)
        return -1;
    struct maps_storage *st = (struct maps_storage *)mem;
    *st = *old;
    st->entries_bytes = ebytes;
    struct lt_map *v = (struct lt_map *)(mem + sizeof *st);
    int i = 0, j = 0, k = 0;          /* merge: both lists are sorted */
    while (i < m->n || j < n)
        v[k++] = (j >= n || (i < m->n && m->v[i].lo < extra[j].lo)) ? m->v[i++] : extra[j++];
    lt_arena_free(old, old->entries_bytes);
    m->v = v;
    m->n = k;
    return 0;
}

const struct lt_map *lt_maps_find(const struct lt_maps *m, uintptr_t addr)
{
    int lo = 0, hi = m->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (addr < m->v[mid].lo) hi = mid - 1;
        else if (addr >= m->v[mid].hi) lo = mid + 1;
        else return &m->v[mid];
    }
    return NULL;
}
