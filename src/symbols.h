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
    const char *mangled;   /* symbol name as in the ELF symbol table (for an
                              inlined frame: the DWARF DW_AT_name, which is
                              what Valgrind matches suppressions against);
                              NULL if unknown */
    const char *file;      /* source file name as Valgrind prints it: the
                              DWARF file-table entry, for GCC output the last
                              path component ("t1.c"); NULL if none */
    const char *dir;       /* its directory as Valgrind's XML <dir> gives it
                              (relative include dirs prefixed with the
                              compilation dir); NULL if none */
    unsigned line;         /* 0 if none (or if DWARF says 0: Valgrind prints
                              "file:line" whenever it has a file) */
    const char *obj;       /* path of the object holding the address, as in
                              /proc/self/maps; NULL if none ("???") */
    uintptr_t obj_offset;  /* the ip passed in minus the object's ELF load
                              bias: the address addr2line -e obj expects */
};

/* Starts a symbolization session (reads the process map once; a session
 * already open is ended first). Debug files are found locally only (build
 * ID, .gnu_debuglink): debuginfod is never consulted. */
void lt_symbols_begin(void) LT_HIDDEN;
struct lt_maps;
/* Lends the check's map snapshot to this session (one read of
 * /proc/self/maps fewer); it must outlive lt_symbols_end. */
void lt_symbols_share_maps(const struct lt_maps *m) LT_HIDDEN;
/* Ends it; cached results, strings and libdw state are dropped. */
void lt_symbols_end(void) LT_HIDDEN;

/* Describes `ip`. When `is_return_address` is set the lookup uses ip-1, as
 * Valgrind does for every frame but the first. Inlined calls come first,
 * innermost first, then the function that contains them (all for the same
 * ip); at most `max` entries are written (pass LT_SYMBOLS_MAX_FRAMES to get
 * them all); returns how many (at least 1 when max >= 1). Results are
 * cached per (ip, is_return_address). Strings stay valid until
 * lt_symbols_end. Opens a session if none is open. Not thread-safe.
 * `fn` is the raw name, demangled: Valgrind's "(below main)" renaming and
 * its stopping the trace after main are left to the report writer. While a
 * session is open libdw keeps debug files mmapped and a few fds open (all
 * released by lt_symbols_end). */
#define LT_SYMBOLS_MAX_FRAMES 65
int lt_symbols_resolve(uintptr_t ip, bool is_return_address,
                       struct lt_frame_info *out, int max) LT_HIDDEN;

/* True if `addr` points into a vtable-like table (Valgrind's
 * aligned_ptr_above_page0_is_vtable_addr): aligned, above page 0, inside a
 * readable file mapping, and among the words addr .. addr+20 words
 * (inclusive, as Valgrind scans; never past the mapping) at least 2
 * non-NULL ones point into executable file mappings before any non-NULL
 * word that does not. Uses the session's map snapshot. */
bool lt_symbols_is_vtable(uintptr_t addr) LT_HIDDEN;

/* Demangles `name` as Valgrind's demangler prints it (libiberty, DMGL_PARAMS
 * | DMGL_ANSI, Rust then C++): "_Znwm" -> "operator new(unsigned long)".
 * Writes into buf (truncated to size-1 bytes) and returns buf, or returns
 * NULL if the name is not mangled. Never allocates. */
const char *lt_symbols_demangle(const char *name, char *buf, size_t size) LT_HIDDEN;
#endif
