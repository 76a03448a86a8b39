/* elfsym.h — functions of the main program found by name.
 *
 * Promises: finds a defined function or object of the executable by its
 * exact name, exported or not, in the executable file's .dynsym and .symtab
 * (the latter present unless the program was stripped), relocated by the
 * executable's load bias. Reads the
 * file through a private read-only mapping, keeps no descriptor, allocates
 * nothing. Used for LeakSanitizer's weak callbacks, which a program built
 * for LSan defines without exporting. */
#ifndef LT_ELFSYM_H
#define LT_ELFSYM_H
#include "lt.h"

/* Looks up each of names[0..n) in the executable; out[i] is its address,
 * or 0 when not found. */
void lt_elfsym_find(const char *const *names, uintptr_t *out, int n) LT_HIDDEN;
#endif
