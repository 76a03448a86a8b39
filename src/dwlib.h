/* dwlib.h — libdw and libelf, loaded into a private link-map namespace on
 * first need.
 *
 * Promises: the preloaded library does not link libdw, libelf or their
 * compressors (libz, liblzma, libbz2): a program that dlopen()s one of them
 * gets its own fresh copy, with its constructors and its loader blocks, as
 * without the tool, and no symbol of the program can bind to the tool's
 * copies or the other way round (issue 14). lt_dwlib_load() brings them in
 * with dlmopen(LM_ID_NEWLM), rooted at libleaktrace-dw.so (nsmalloc.c), so
 * that their allocations come from the tool's arena, never the program's
 * heap; only when a report has frames to name or a Go binary's DWARF must
 * be read. Callers include this header after libdw's: each libdw/libelf
 * function the tool calls is then a call through lt_dwlib, filled by dlsym.
 * Loading takes the loader locks: with other threads alive, lifecycle.c
 * loads before it stops the world. */
#ifndef LT_DWLIB_H
#define LT_DWLIB_H
#include "lt.h"
#include <elfutils/libdwfl.h>
#include <elfutils/libdw.h>
#include <gelf.h>

/* Every libdw/libelf function the tool calls (symbols.c, golayout.c). */
#define LT_DWLIB_FUNCS(X)                                                            \
    X(dwarf_attr) X(dwarf_begin) X(dwarf_bytesize) X(dwarf_child) X(dwarf_cu_info)   \
    X(dwarf_diename) X(dwarf_dieoffset) X(dwarf_end) X(dwarf_filesrc)                \
    X(dwarf_formref_die) X(dwarf_formstring) X(dwarf_formudata) X(dwarf_getelf)      \
    X(dwarf_getsrcdirs) X(dwarf_getsrcfiles) X(dwarf_getsrclines) X(dwarf_hasattr)   \
    X(dwarf_haspc) X(dwarf_line_file) X(dwarf_lineaddr) X(dwarf_lineendsequence)     \
    X(dwarf_lineno) X(dwarf_linesrc) X(dwarf_nextcu) X(dwarf_offdie)                 \
    X(dwarf_onesrcline) X(dwarf_peel_type) X(dwarf_ranges) X(dwarf_siblingof)        \
    X(dwarf_tag) X(dwfl_addrmodule) X(dwfl_begin) X(dwfl_build_id_find_debuginfo)    \
    X(dwfl_end) X(dwfl_linux_proc_find_elf) X(dwfl_module_addrdie)                   \
    X(dwfl_module_build_id) X(dwfl_module_getdwarf) X(dwfl_module_getelf)            \
    X(dwfl_module_getsym_info) X(dwfl_module_getsymtab) X(dwfl_module_info)          \
    X(dwfl_report_begin) X(dwfl_report_end) X(dwfl_report_module)                    \
    X(elf_getshdrstrndx) X(elf_nextscn) X(elf_strptr) X(gelf_getshdr)

#define LT_DWLIB_SLOT(f) __typeof__(f) *f;
struct lt_dwlib {
    LT_DWLIB_FUNCS(LT_DWLIB_SLOT)
};
#undef LT_DWLIB_SLOT
extern struct lt_dwlib lt_dwlib LT_HIDDEN;

/* Loads the libraries once (later calls only report the outcome). false:
 * they cannot be had (not installed, dlmopen failed, the loader's TLS
 * surplus is used up); lt_dwlib_error() says why. Allocations made meanwhile
 * by ld.so are the tool's (lt_tls.private_ns). */
bool lt_dwlib_load(void) LT_HIDDEN;
/* Why the libraries are missing, once a load was tried and failed; NULL
 * otherwise. */
const char *lt_dwlib_error(void) LT_HIDDEN;
/* Called just before __libc_freeres, which drops every name of every
 * loaded object but its first (elf/dl-libc.c free_mem), ld.so's soname
 * among them: a namespace made afterwards would not recognise ld.so as the
 * one already running and map a second, uninitialised copy. The name is a
 * static node of ld.so's (rtld.c, dont_free), so it survives; a later load
 * links it back first. */
void lt_dwlib_before_freeres(void) LT_HIDDEN;

/* Brackets work that runs libdw code: ld.so's allocations for it (its
 * thread-local blocks, the TLS vector growing) are the tool's, not the
 * program's. */
static inline void lt_dwlib_enter(void) { lt_tls.private_ns++; }
static inline void lt_dwlib_leave(void) { lt_tls.private_ns--; }

#ifndef LT_DWLIB_DEFINE
/* Calls go through the table (a macro is not expanded inside its own
 * expansion, so the member names stay as they are). */
#define dwarf_attr (lt_dwlib.dwarf_attr)
#define dwarf_begin (lt_dwlib.dwarf_begin)
#define dwarf_bytesize (lt_dwlib.dwarf_bytesize)
#define dwarf_child (lt_dwlib.dwarf_child)
#define dwarf_cu_info (lt_dwlib.dwarf_cu_info)
#define dwarf_diename (lt_dwlib.dwarf_diename)
#define dwarf_dieoffset (lt_dwlib.dwarf_dieoffset)
#define dwarf_end (lt_dwlib.dwarf_end)
#define dwarf_filesrc (lt_dwlib.dwarf_filesrc)
#define dwarf_formref_die (lt_dwlib.dwarf_formref_die)
#define dwarf_formstring (lt_dwlib.dwarf_formstring)
#define dwarf_formudata (lt_dwlib.dwarf_formudata)
#define dwarf_getelf (lt_dwlib.dwarf_getelf)
#define dwarf_getsrcdirs (lt_dwlib.dwarf_getsrcdirs)
#define dwarf_getsrcfiles (lt_dwlib.dwarf_getsrcfiles)
#define dwarf_getsrclines (lt_dwlib.dwarf_getsrclines)
#define dwarf_hasattr (lt_dwlib.dwarf_hasattr)
#define dwarf_haspc (lt_dwlib.dwarf_haspc)
#define dwarf_line_file (lt_dwlib.dwarf_line_file)
#define dwarf_lineaddr (lt_dwlib.dwarf_lineaddr)
#define dwarf_lineendsequence (lt_dwlib.dwarf_lineendsequence)
#define dwarf_lineno (lt_dwlib.dwarf_lineno)
#define dwarf_linesrc (lt_dwlib.dwarf_linesrc)
#define dwarf_nextcu (lt_dwlib.dwarf_nextcu)
#define dwarf_offdie (lt_dwlib.dwarf_offdie)
#define dwarf_onesrcline (lt_dwlib.dwarf_onesrcline)
#define dwarf_peel_type (lt_dwlib.dwarf_peel_type)
#define dwarf_ranges (lt_dwlib.dwarf_ranges)
#define dwarf_siblingof (lt_dwlib.dwarf_siblingof)
#define dwarf_tag (lt_dwlib.dwarf_tag)
#define dwfl_addrmodule (lt_dwlib.dwfl_addrmodule)
#define dwfl_begin (lt_dwlib.dwfl_begin)
#define dwfl_build_id_find_debuginfo (lt_dwlib.dwfl_build_id_find_debuginfo)
#define dwfl_end (lt_dwlib.dwfl_end)
#define dwfl_linux_proc_find_elf (lt_dwlib.dwfl_linux_proc_find_elf)
#define dwfl_module_addrdie (lt_dwlib.dwfl_module_addrdie)
#define dwfl_module_build_id (lt_dwlib.dwfl_module_build_id)
#define dwfl_module_getdwarf (lt_dwlib.dwfl_module_getdwarf)
#define dwfl_module_getelf (lt_dwlib.dwfl_module_getelf)
#define dwfl_module_getsym_info (lt_dwlib.dwfl_module_getsym_info)
#define dwfl_module_getsymtab (lt_dwlib.dwfl_module_getsymtab)
#define dwfl_module_info (lt_dwlib.dwfl_module_info)
#define dwfl_report_begin (lt_dwlib.dwfl_report_begin)
#define dwfl_report_end (lt_dwlib.dwfl_report_end)
#define dwfl_report_module (lt_dwlib.dwfl_report_module)
#define elf_getshdrstrndx (lt_dwlib.elf_getshdrstrndx)
#define elf_nextscn (lt_dwlib.elf_nextscn)
#define elf_strptr (lt_dwlib.elf_strptr)
#define gelf_getshdr (lt_dwlib.gelf_getshdr)
#endif
#endif
