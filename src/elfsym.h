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
#include <elf.h>

/* Looks up each of names[0..n) in the executable; out[i] is its address,
 * or 0 when not found. */
void lt_elfsym_find(const char *const *names, uintptr_t *out, int n) LT_HIDDEN;

/* The executable's file mapped read-only (no descriptor kept) and its load
 * bias; the sections' headers, each with its name, checked against the
 * file's size (an ELF-64 file only; none otherwise). */
struct lt_exe {
    const unsigned char *f;
    size_t size;
    uintptr_t bias;
    const Elf64_Shdr *sh;      /* NULL when the file has no usable headers */
    int nsh;
    bool held;                 /* lt_exe_hold's mapping: lt_exe_unmap leaves it */
};
bool lt_exe_map(struct lt_exe *e) LT_HIDDEN;
void lt_exe_unmap(struct lt_exe *e) LT_HIDDEN;
/* Start-up asks about the executable several times (Go's exit, LSan's
 * callbacks, which malloc it calls): between hold and release, one mapping
 * serves every lt_exe_map (one open, fstat and mmap instead of three). */
void lt_exe_hold(void) LT_HIDDEN;
void lt_exe_release(void) LT_HIDDEN;
/* The name of section i, or NULL when it lies outside the file. */
const char *lt_exe_section_name(const struct lt_exe *e, int i) LT_HIDDEN;
/* lt_elfsym_find on a mapping the caller holds. */
void lt_exe_find(const struct lt_exe *e, const char *const *names, uintptr_t *out, int n) LT_HIDDEN;
/* Whether [off, off+len) lies inside the file. */
bool lt_exe_in_file(const struct lt_exe *e, size_t off, size_t len) LT_HIDDEN;
#endif
