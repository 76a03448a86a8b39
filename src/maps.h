/* maps.h — a snapshot of the process's memory map (/proc/self/maps).
 *
 * Promises: reads the map with raw system calls into arena memory (no
 * malloc, no stdio, no loader lock), so it is safe while other threads are
 * stopped anywhere. Entries are sorted by address. */
#ifndef LT_MAPS_H
#define LT_MAPS_H
#include "lt.h"

#define LT_MAP_R 1
#define LT_MAP_W 2
#define LT_MAP_X 4
#define LT_MAP_SHARED 8
#define LT_MAP_GONE 16  /* no longer mapped: an object dlclose'd earlier
                           (unloaded.c), kept to name frames; never read */

struct lt_map {
    uintptr_t lo, hi;
    uint64_t offset;
    unsigned prot;      /* LT_MAP_* */
    unsigned long inode;
    unsigned dev_major, dev_minor;
    const char *path;   /* "" for anonymous; "[stack]", "[heap]", ... as the kernel names them */
};

struct lt_maps {
    struct lt_map *v;
    int n;
};

/* Reads /proc/self/maps. Returns 0, or -1 if it cannot be read. */
int lt_maps_read(struct lt_maps *m) LT_HIDDEN;
void lt_maps_free(struct lt_maps *m) LT_HIDDEN;
/* Adds `n` entries (which must not overlap the snapshot's, nor each
 * other) in address order; their path strings must outlive the snapshot.
 * Returns 0, or -1 (snapshot unchanged) if memory cannot be had. */
int lt_maps_insert(struct lt_maps *m, const struct lt_map *extra, int n) LT_HIDDEN;
/* The mapping containing addr, or NULL. */
const struct lt_map *lt_maps_find(const struct lt_maps *m, uintptr_t addr) LT_HIDDEN;
#endif
