/* symbols.h — code address -> function, file:line, object, as Valgrind prints them.
 *
 * Promises: names from the ELF symbol table (mangled and demangled, the way
 * Valgrind's demangler prints them), file:line and inlined-call frames from
 * DWARF through elfutils' libdw, object paths from the process map; results
 * are cached per address for the life of a session. Must run inside the
 * tool's guard (libdw allocates; those allocations pass through untracked).
 * Uses /proc/self/maps, never dl_iterate_phdr, so it cannot deadlock on the
 * loader lock while other threads are stopped. */
#ifndef LT_SYMBOLS_H
#define LT_SYMBOLS_H
#include "lt.h"

struct lt_frame_info {
    const char *fn;        /* demangled function name; NULL if unknown ("???") */
    const char *mangled;   /* symbol name as in the ELF symbol table; NULL if unknown */
    const char *file;      /* source file name as Valgrind prints it (no directory); NULL if none */
    const char *dir;       /* directory of that file; NULL if none */
    unsigned line;         /* 0 if none */
    const char *obj;       /* path of the object holding the address; NULL if none */
    uintptr_t obj_offset;  /* address relative to the object's load base */
};

/* Starts a symbolization session (reads the process map once). */
void lt_symbols_begin(void) LT_HIDDEN;
/* Ends it; cached results and libdw state are dropped. */
void lt_symbols_end(void) LT_HIDDEN;

/* Describes `ip`. When `is_return_address` is set the lookup uses ip-1, as
 * Valgrind does for every frame but the first. Inlined calls come first,
 * innermost first, then the function that contains them; at most `max`
 * entries are written; returns how many (at least 1). Strings stay valid
 * until lt_symbols_end. */
int lt_symbols_resolve(uintptr_t ip, bool is_return_address,
                       struct lt_frame_info *out, int max) LT_HIDDEN;

/* True if `addr` points into a vtable-like table (Valgrind's
 * aligned_ptr_above_page0_is_vtable_addr): inside a readable file mapping,
 * and of its first 20 words at least 2 non-NULL ones point into executable
 * file mappings before any non-NULL word that does not. */
bool lt_symbols_is_vtable(uintptr_t addr) LT_HIDDEN;
#endif
