/* unloaded.c — the mappings of dlclose'd objects (see unloaded.h).
 *
 * Valgrind (coregrind/m_debuginfo/debuginfo.c) discards an object's debug
 * info when it is unmapped, so its frames print "???", unless
 * --keep-debuginfo=yes archives it; test-nginx passes that option, because
 * nginx unloads its dynamic modules (ngx_http_lua_module.so and with it
 * libluajit) before it exits, and LuaJIT's ffi.load'ed libraries are
 * dlclose'd by lua_close. Stacks in the depot are raw addresses, symbolized
 * only at report time; all that is needed is where each file was mapped.
 *
 * The object behind a handle is found through dlinfo(RTLD_DI_LINKMAP): its
 * l_ld (the PT_DYNAMIC address) lies inside one of its own mappings, and
 * the object is the run of consecutive mappings of that file around it
 * (the loader maps a file's segments next to each other, offset 0 first).
 * dlclose only drops a reference; whether the object really went is seen at
 * report time: its ranges are then unmapped. */
#include "unloaded.h"
#include "arena.h"
#include "lock.h"

#include <dlfcn.h>
#include <link.h>
#include <string.h>

#define LT_UNLOADED_MAX 4096   /* recorded mappings; beyond, frames print "???" */

static struct lt_map *rec;      /* arena, grown by doubling */
static int nrec, caprec;
static lt_lock_t rec_lock = LT_LOCK_INIT;

static bool same_file(const struct lt_map *a, const struct lt_map *b)
{
    return a->inode == b->inode && a->dev_major == b->dev_major && a->dev_minor == b->dev_minor
        && strcmp(a->path, b->path) == 0;
}

static bool known(const struct lt_map *e)
{
    for (int i = 0; i < nrec; i++)
        if (rec[i].lo == e->lo && rec[i].hi == e->hi && same_file(&rec[i], e))
            return true;
    return false;
}

static void add(const struct lt_map *e)
{
    if (known(e) || nrec >= LT_UNLOADED_MAX)
        return;
    if (nrec == caprec) {
        int cap = caprec ? caprec * 2 : 16;
        struct lt_map *nv = lt_arena_alloc((size_t)cap * sizeof *nv);
        if (!nv)
            return;
        if (rec) {
            memcpy(nv, rec, (size_t)nrec * sizeof *nv);
            lt_arena_free(rec, (size_t)caprec * sizeof *rec);
        }
        rec = nv;
        caprec = cap;
    }
    char *path = lt_arena_bump(strlen(e->path) + 1);
    if (!path)
        return;
    strcpy(path, e->path);
    rec[nrec] = *e;
    rec[nrec].path = path;
    rec[nrec].prot |= LT_MAP_GONE;
    nrec++;
}

void lt_unloaded_note(void *handle)
{
    struct link_map *lm = NULL;
    if (!handle || dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm || !lm->l_ld)
        return;
    struct lt_maps maps;
    if (lt_maps_read(&maps) != 0)
        return;
    const struct lt_map *d = lt_maps_find(&maps, (uintptr_t)lm->l_ld);
    if (d && d->inode != 0 && d->path[0] == '/') {
        int i = (int)(d - maps.v), lo = i, hi = i;
        while (lo > 0 && maps.v[lo].offset != 0 && same_file(&maps.v[lo - 1], d))
            lo--;
        while (hi + 1 < maps.n && maps.v[hi + 1].offset != 0 && same_file(&maps.v[hi + 1], d))
            hi++;
        lt_lock(&rec_lock);
        for (int k = lo; k <= hi; k++)
            add(&maps.v[k]);
        lt_unlock(&rec_lock);
    }
    lt_maps_free(&maps);
}

static bool overlaps(const struct lt_maps *m, uintptr_t lo, uintptr_t hi)
{
    for (int i = 0; i < m->n; i++)          /* sorted: stop past hi */
        if (m->v[i].lo >= hi)
            break;
        else if (m->v[i].hi > lo)
            return true;
    return false;
}

void lt_unloaded_merge(struct lt_maps *snapshot)
{
    lt_lock(&rec_lock);
    int n = 0;
    size_t gbytes = (size_t)nrec * sizeof(struct lt_map);
    struct lt_map *gone = gbytes ? lt_arena_alloc(gbytes) : NULL;
    for (int i = 0; gone && i < nrec; i++) {
        if (overlaps(snapshot, rec[i].lo, rec[i].hi))
            continue;
        bool dup = false;                   /* two placements over one range: keep the first */
        for (int j = 0; j < n && !dup; j++)
            dup = gone[j].lo < rec[i].hi && rec[i].lo < gone[j].hi;
        if (dup)
            continue;
        int j = n++;                        /* insertion sort by address */
        while (j > 0 && gone[j - 1].lo > rec[i].lo) {
            gone[j] = gone[j - 1];
            j--;
        }
        gone[j] = rec[i];
    }
    lt_unlock(&rec_lock);
    if (n)
        lt_maps_insert(snapshot, gone, n);
    if (gone)
        lt_arena_free(gone, gbytes);
}
