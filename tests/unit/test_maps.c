/* test_maps.c — the /proc/self/maps snapshot (src/maps.c).
 *
 * Entries sorted and disjoint; the mapping of a stack variable, of a
 * function (executable, this binary's path), of a malloc'd block, of
 * mappings made here with exact bounds, prot, shared flag, offset, device,
 * inode and a path with spaces; lt_maps_find on unmapped addresses and at
 * the exclusive end; more than 64 KiB of map text (the retry path);
 * lt_maps_free. */
#include "maps.h"
#include "unit.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PG 4096u

static int static_var = 1;

static void check_sorted(const struct lt_maps *m)
{
    CHECK(m->n > 5, "only %d entries", m->n);
    int bad = 0;
    for (int i = 0; i < m->n; i++) {
        if (m->v[i].lo >= m->v[i].hi)
            bad++;
        if (i && m->v[i - 1].hi > m->v[i].lo)
            bad++;
        if (!m->v[i].path)
            bad++;
    }
    CHECK(bad == 0, "%d entries empty, overlapping, unsorted or without a path", bad);
}

static void test_basic(void)
{
    struct lt_maps m;
    CHECK(lt_maps_read(&m) == 0, "lt_maps_read");
    check_sorted(&m);

    int local = 0;
    const struct lt_map *e = lt_maps_find(&m, (uintptr_t)&local);
    CHECK(e != NULL, "stack variable not found");
    if (e) {
        CHECK((e->prot & (LT_MAP_R | LT_MAP_W)) == (LT_MAP_R | LT_MAP_W) && !(e->prot & LT_MAP_SHARED),
              "stack prot %#x", e->prot);
        CHECK_STR(e->path, "[stack]");
        CHECK(e->lo <= (uintptr_t)&local && (uintptr_t)&local < e->hi, "find returned a non-containing entry");
    }

    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    e = lt_maps_find(&m, (uintptr_t)&test_basic);
    CHECK(e != NULL, "function not found");
    if (e) {
        CHECK((e->prot & (LT_MAP_R | LT_MAP_X)) == (LT_MAP_R | LT_MAP_X) && !(e->prot & LT_MAP_W),
              "text prot %#x", e->prot);
        CHECK_STR(e->path, exe);
        struct stat st;
        stat(exe, &st);
        CHECK(e->inode == (unsigned long)st.st_ino, "text inode %lu, expected %lu", e->inode,
              (unsigned long)st.st_ino);
        CHECK(e->dev_major == major(st.st_dev) && e->dev_minor == minor(st.st_dev),
              "text dev %x:%x, expected %x:%x", e->dev_major, e->dev_minor, major(st.st_dev),
              minor(st.st_dev));
    }
    e = lt_maps_find(&m, (uintptr_t)&static_var);
    CHECK(e && (e->prot & LT_MAP_W) && e->path && strcmp(e->path, exe) == 0,
          "static variable: %s prot %#x", e ? e->path : "(none)", e ? e->prot : 0);

    void *heap = malloc(100);
    /* The block may live in a map made after the snapshot: re-read. */
    struct lt_maps m2;
    CHECK(lt_maps_read(&m2) == 0, "second read");
    const struct lt_map *h = lt_maps_find(&m2, (uintptr_t)heap);
    CHECK(h && (h->prot & (LT_MAP_R | LT_MAP_W)) == (LT_MAP_R | LT_MAP_W) &&
              (strcmp(h->path, "[heap]") == 0 || h->path[0] == 0),
          "malloc'd block: %s prot %#x", h ? h->path : "(none)", h ? h->prot : 0);
    free(heap);

    /* Unmapped addresses. */
    CHECK(lt_maps_find(&m, 0) == NULL, "address 0 found");
    CHECK(lt_maps_find(&m, 4095) == NULL, "address 4095 found");
    CHECK(lt_maps_find(&m, m.v[0].lo - 1) == NULL || m.v[0].lo == 0, "below the first map found");
    CHECK(lt_maps_find(&m, UINTPTR_MAX) == NULL, "UINTPTR_MAX found");
    /* Every entry finds itself at both ends, and not at its exclusive end
     * unless the next one starts there. */
    int bad = 0;
    for (int i = 0; i < m.n; i++) {
        if (lt_maps_find(&m, m.v[i].lo) != &m.v[i] || lt_maps_find(&m, m.v[i].hi - 1) != &m.v[i])
            bad++;
        const struct lt_map *after = lt_maps_find(&m, m.v[i].hi);
        if (after && after != &m.v[i + 1])
            bad++;
        if (!after && i + 1 < m.n && m.v[i + 1].lo == m.v[i].hi)
            bad++;
    }
    CHECK(bad == 0, "%d lookups of entry bounds went wrong", bad);
    lt_maps_free(&m2);
    lt_maps_free(&m);
    CHECK(m.v == NULL && m.n == 0, "lt_maps_free did not clear");
    lt_maps_free(&m);               /* twice: harmless */
}

/* Five pages: NONE | RW | R | shared RW | NONE, each its own entry. */
static void test_own_mappings(void)
{
    char *p = mmap(NULL, 5 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap");
    mprotect(p + PG, PG, PROT_READ | PROT_WRITE);
    mprotect(p + 2 * PG, PG, PROT_READ);
    void *sh = mmap(p + 3 * PG, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(sh == p + 3 * PG, "shared mmap");
    p[PG] = 1;

    struct lt_maps m;
    CHECK(lt_maps_read(&m) == 0, "read");
    check_sorted(&m);
    uintptr_t b = (uintptr_t)p;
    const struct lt_map *e;

    e = lt_maps_find(&m, b + PG + 100);
    CHECK(e && e->lo == b + PG && e->hi == b + 2 * PG, "RW page bounds %#lx-%#lx, expected %#lx-%#lx",
          e ? (unsigned long)e->lo : 0, e ? (unsigned long)e->hi : 0, (unsigned long)(b + PG),
          (unsigned long)(b + 2 * PG));
    CHECK(e && e->prot == (LT_MAP_R | LT_MAP_W), "RW page prot %#x", e ? e->prot : 0);
    CHECK(e && e->path[0] == 0 && e->inode == 0 && e->offset == 0 && e->dev_major == 0 && e->dev_minor == 0,
          "anonymous RW page: path \"%s\" inode %lu", e ? e->path : "", e ? e->inode : 0);

    e = lt_maps_find(&m, b + 2 * PG);
    CHECK(e && e->lo == b + 2 * PG && e->hi == b + 3 * PG && e->prot == LT_MAP_R, "R page: prot %#x",
          e ? e->prot : 0);

    e = lt_maps_find(&m, b + 4 * PG - 1);
    CHECK(e && e->lo == b + 3 * PG && e->hi == b + 4 * PG &&
              e->prot == (LT_MAP_R | LT_MAP_W | LT_MAP_SHARED),
          "shared page: prot %#x", e ? e->prot : 0);

    e = lt_maps_find(&m, b);
    CHECK(e && e->lo == b && e->hi == b + PG && e->prot == 0, "PROT_NONE page: prot %#x", e ? e->prot : 0);

    /* A hole: unmap the last page. */
    lt_maps_free(&m);
    munmap(p + 4 * PG, PG);
    CHECK(lt_maps_read(&m) == 0, "read 2");
    e = lt_maps_find(&m, b + 4 * PG);
    CHECK(e == NULL, "unmapped page found: %#lx-%#lx", e ? (unsigned long)e->lo : 0, e ? (unsigned long)e->hi : 0);
    e = lt_maps_find(&m, b + 4 * PG - 1);
    CHECK(e && e->hi == b + 4 * PG, "page before the hole");
    lt_maps_free(&m);
    munmap(p, 4 * PG);
    CHECK(lt_maps_read(&m) == 0, "read 3");
    e = lt_maps_find(&m, b + PG);
    CHECK(e == NULL, "unmapped page found: %#lx-%#lx %s", e ? (unsigned long)e->lo : 0,
          e ? (unsigned long)e->hi : 0, e ? e->path : "");
    lt_maps_free(&m);
}

/* A file mapping at an offset, with spaces in its path. */
static void test_file_mapping(void)
{
    char path[] = "/tmp/lt maps test XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    CHECK(ftruncate(fd, 4 * PG) == 0, "ftruncate");
    char *p = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 2 * PG);
    CHECK(p != MAP_FAILED, "mmap file");
    struct stat st;
    fstat(fd, &st);
    struct lt_maps m;
    CHECK(lt_maps_read(&m) == 0, "read");
    const struct lt_map *e = lt_maps_find(&m, (uintptr_t)p + PG);
    CHECK(e != NULL, "file mapping not found");
    if (e) {
        CHECK(e->lo == (uintptr_t)p && e->hi == (uintptr_t)p + 2 * PG, "file mapping bounds");
        CHECK_STR(e->path, path);
        CHECK_EQ_U64(e->offset, 2 * PG);
        CHECK_EQ_U64(e->inode, st.st_ino);
        CHECK(e->dev_major == major(st.st_dev) && e->dev_minor == minor(st.st_dev), "dev %x:%x vs %x:%x",
              e->dev_major, e->dev_minor, major(st.st_dev), minor(st.st_dev));
        CHECK(e->prot == LT_MAP_R, "prot %#x", e->prot);
    }
    lt_maps_free(&m);
    munmap(p, 2 * PG);
    close(fd);
    unlink(path);
}

/* Thousands of entries: more than the first 64 KiB read buffer. */
static void test_many_entries(void)
{
    enum { N = 3000 };
    char *p = mmap(NULL, (size_t)N * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap");
    for (int i = 0; i < N; i += 2)          /* alternate prot: one entry per page */
        mprotect(p + (size_t)i * PG, PG, PROT_READ | PROT_WRITE);
    struct lt_maps m;
    CHECK(lt_maps_read(&m) == 0, "read");
    check_sorted(&m);
    CHECK(m.n > N, "only %d entries with %d mappings made", m.n, N);
    int bad = 0;
    for (int i = 0; i < N; i++) {
        const struct lt_map *e = lt_maps_find(&m, (uintptr_t)p + (size_t)i * PG + 8);
        unsigned want = i % 2 == 0 ? (LT_MAP_R | LT_MAP_W) : LT_MAP_R;
        if (!e || e->lo != (uintptr_t)p + (size_t)i * PG || e->hi != e->lo + PG || e->prot != want)
            bad++;
    }
    CHECK(bad == 0, "%d of %d pages found wrong", bad, N);
    /* The last entry of the file is intact (parsing ran to the end). */
    const struct lt_map *last = &m.v[m.n - 1];
    CHECK(last->lo > (uintptr_t)p, "last entry %#lx-%#lx %s", (unsigned long)last->lo,
          (unsigned long)last->hi, last->path);
    lt_maps_free(&m);
    munmap(p, (size_t)N * PG);
}

int main(void)
{
    RUN(test_basic);
    RUN(test_own_mappings);
    RUN(test_file_mapping);
    RUN(test_many_entries);
    return UNIT_DONE();
}
