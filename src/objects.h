/* objects.h — which loaded object holds an address, from the loader's own
 * list (dl_iterate_phdr): no /proc/self/maps read, no symbol-table search
 * (dladdr's _dl_addr walks the object's symbols), so it is cheap enough for
 * start-up (issue 14: per-process cost).
 *
 * Promises: lt_object_at fills the object's load bias, name (the link
 * map's l_name: the same pointer, so it identifies the map) and program
 * headers, which stay valid while the object is loaded. It takes the
 * loader's write lock (dl_iterate_phdr), which a stopped thread may hold:
 * never with the world stopped. What a check needs — the dynamic loader
 * (which never unloads) — is found once at start-up (lt_objects_init) and
 * read without a lock. */
#ifndef LT_OBJECTS_H
#define LT_OBJECTS_H
#include "lt.h"
#include <link.h>

struct lt_object {
    ElfW(Addr) bias;
    const char *name;
    const ElfW(Phdr) *phdr;
    int phnum;
};

/* The object one of whose PT_LOAD segments holds addr; false if none. */
bool lt_object_at(uintptr_t addr, struct lt_object *out) LT_HIDDEN;
/* Finds the dynamic loader: the object holding its _r_debug (AT_BASE is 0
 * when ld.so runs as a command, `ld.so ./prog`). At start-up. */
void lt_objects_init(void) LT_HIDDEN;
/* The dynamic loader as lt_objects_init found it (found then if it has not
 * run: unit tests); false if unknown. */
bool lt_object_loader(struct lt_object *out) LT_HIDDEN;
/* [lo, hi): from the lowest to the highest end of the object's PT_LOAD
 * segments whose p_flags include all of `flags` (PF_X: its code; 0: all of
 * it). false if there is none. */
bool lt_object_span(const struct lt_object *o, unsigned flags, uintptr_t *lo, uintptr_t *hi) LT_HIDDEN;
#endif
