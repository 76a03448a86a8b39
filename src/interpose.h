/* interpose.h — the real allocator behind the exported entry points.
 *
 * Promises: `lt_real` holds the next definition of each allocation function
 * in the lookup order (glibc's, or another allocator preloaded after us);
 * until they are known (dlsym itself may allocate), allocations are served
 * from a static bootstrap pool that free() recognises and ignores. */
#ifndef LT_INTERPOSE_H
#define LT_INTERPOSE_H
#include "lt.h"

struct lt_real_fns {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*memalign)(size_t, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    size_t (*malloc_usable_size)(void *);
    int (*pthread_create)(void *, const void *, void *(*)(void *), void *);
    void (*exit)(int) __attribute__((noreturn));
    void (*_exit)(int) __attribute__((noreturn));
    void (*quick_exit)(int) __attribute__((noreturn));
    int (*libc_start_main)(int (*)(int, char **, char **), int, char **,
                           void (*)(void), void (*)(void), void (*)(void), void *);
    bool glibc_malloc;        /* the next malloc is glibc's: chunk headers are readable */
    bool track_std;           /* the program reaches the tool's malloc (nextalloc.h) */
};
extern struct lt_real_fns lt_real LT_HIDDEN;

/* The dynamic loader's text: its allocations made while the tool is busy
 * are still tracked (see interpose.c). */
void lt_interpose_set_loader_range(uintptr_t lo, uintptr_t hi) LT_HIDDEN;

/* Resolves lt_real (idempotent, thread-safe). */
void lt_real_resolve(void) LT_HIDDEN;
#endif
