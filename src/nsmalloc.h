/* nsmalloc.h — what the core hands libleaktrace-dw.so (nsmalloc.c): the
 * allocator every allocation in libdw's private namespace goes to. */
#ifndef LT_NSMALLOC_H
#define LT_NSMALLOC_H
#include <stddef.h>

struct lt_nsmalloc_ops {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*memalign)(size_t, size_t);
    size_t (*usable_size)(void *);
};

/* Exported by libleaktrace-dw.so; looked up with dlsym. */
#define LT_NSMALLOC_SET "lt_nsmalloc_set"
/* The file, next to libleaktrace.so. */
#define LT_NSMALLOC_LIB "libleaktrace-dw.so"
#endif
