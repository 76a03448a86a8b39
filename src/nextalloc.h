/* nextalloc.h — which allocator really serves the program, and its entry
 * points for the tool's wrappers.
 *
 * Promises (issue 11, item 6):
 *  - lt_real's allocation functions all belong to ONE allocator: the one
 *    that serves the program's malloc. That is the next definition after
 *    the tool (RTLD_NEXT) when the tool's malloc is the one the program
 *    reaches; the first definition (RTLD_DEFAULT) when an allocator such as
 *    jemalloc or tcmalloc was preloaded before the tool. A function that
 *    allocator lacks (jemalloc: reallocarray, pvalloc, cfree; tcmalloc:
 *    reallocarray) is emulated with its own malloc/free/memalign, never
 *    taken from glibc: memory one allocator hands out is never freed by
 *    another.
 *  - glibc's __libc_malloc family (the glibc manual's recipe for hooks
 *    forwards to them) is resolved to what the program would reach
 *    without the tool; calls through it are tracked when they come from
 *    that same allocator.
 *  - who serves malloc is recorded for the report (coverage.h): when the
 *    program's own malloc or an allocator loaded before the tool serves it,
 *    the tool does not see the heap and must say so.
 * Resolution runs once, inside lt_real_resolve (dlsym allocates: the
 * bootstrap pool serves it). */
#ifndef LT_NEXTALLOC_H
#define LT_NEXTALLOC_H
#include "lt.h"

struct lt_real_fns;

enum lt_malloc_owner {
    LT_OWNER_TOOL = 0,      /* the program's malloc is the tool's: every block is seen */
    LT_OWNER_PROGRAM = 1,   /* the executable defines malloc (its own allocator, or hooks) */
    LT_OWNER_BEFORE = 2     /* a library loaded before the tool defines malloc */
};

struct lt_libc_fns {            /* glibc's __libc_* entry points as the program would reach them */
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    bool same;                  /* they are lt_real's allocator: blocks can be tracked */
};

struct lt_nextalloc {
    int owner;                  /* enum lt_malloc_owner */
    bool glibc;                 /* lt_real is glibc's allocator */
    char name[128];             /* file name of the allocator serving lt_real */
    char first[128];            /* with owner != TOOL: who defines the malloc the program calls */
    unsigned emulated;          /* bit per function emulated (for --verbose / tests) */
};
extern struct lt_nextalloc lt_nextalloc LT_HIDDEN;
extern struct lt_libc_fns lt_libc LT_HIDDEN;

/* Fills r's allocation functions, lt_nextalloc and lt_libc. */
void lt_nextalloc_resolve(struct lt_real_fns *r) LT_HIDDEN;
#endif
