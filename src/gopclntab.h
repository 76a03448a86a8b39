/* gopclntab.h — Go function names and file:line from the runtime's own table.
 *
 * Promises: for a code address inside the Go text of the executable, the
 * Go function's name and the source file and line, read from the loaded
 * pclntab (Go 1.18+ layout; magic 0xfffffff0 for 1.18-1.19, 0xfffffff1
 * from 1.20, which adds _func.startLine). The table is present even in
 * stripped binaries and in PIE ones, where it has no section of its own.
 * libdw cannot give these: Go emits .debug_aranges only for its C parts.
 * Never allocates; strings point into the executable's memory. */
#ifndef LT_GOPCLNTAB_H
#define LT_GOPCLNTAB_H
#include "lt.h"

/* True if `pc` (the address itself, not a return address) is Go code; then
 * *fn, *file (full path) and *line are set (file may be NULL, line 0). */
bool lt_gopclntab_lookup(uintptr_t pc, const char **fn, const char **file, unsigned *line) LT_HIDDEN;

/* Finds a Go function by its exact name (a linear pass over the table):
 * its entry and end addresses. */
bool lt_gopclntab_find(const char *name, uintptr_t *entry, uintptr_t *end) LT_HIDDEN;

/* The frames at `pc`, Go's inlining expanded as DWARF's is: the innermost
 * inlined function first (file:line of pc), then each caller at the line
 * of its call, the out-of-line function last. Returns how many (0 if pc is
 * not Go code). Inlining is read for go1.18-1.19's layout only; other
 * versions give the out-of-line function alone. */
struct lt_goframe { const char *fn, *file; unsigned line; };
int lt_gopclntab_frames(uintptr_t pc, struct lt_goframe *out, int max) LT_HIDDEN;

/* Entry address of the Go function holding `pc`, or 0. */
uintptr_t lt_gopclntab_func_entry(uintptr_t pc) LT_HIDDEN;
#endif
