/* nsmalloc.c — libleaktrace-dw.so: the root of the private namespace that
 * libdw runs in (dwlib.h), and its allocator.
 *
 * Promises: loaded by dlmopen(LM_ID_NEWLM) as the namespace's first object,
 * with libdw.so.1 as its DT_NEEDED, its malloc family comes first in the
 * namespace's global scope, so every allocation made there — libdw's,
 * libelf's, the namespace's own libc's internal ones (glibc calls malloc
 * through the PLT precisely so that it can be replaced: manual, "Replacing
 * malloc") — is forwarded to the functions lt_nsmalloc_set() installs: the
 * tool's own (its arena, never the program's heap, and excluded from the
 * roots of a leak check). Without them the namespace's libc would keep a
 * heap of its own that a check would scan as roots: freed DWARF data there
 * reads like pointers into the program's heap. Before the functions are
 * installed (the namespace's libc starting up) requests are served from a
 * small static pool, never freed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "nsmalloc.h"

#define EXPORT __attribute__((visibility("default")))

static struct lt_nsmalloc_ops ops;

static _Alignas(64) unsigned char pool[64 << 10];
static size_t pool_used;

static int in_pool(const void *p)
{
    return (const unsigned char *)p >= pool && (const unsigned char *)p < pool + sizeof pool;
}

static void *pool_alloc(size_t size, size_t align)
{
    if (align < 16)
        align = 16;
    size_t at = (pool_used + align - 1) & ~(align - 1);
    if (at > sizeof pool || size > sizeof pool - at) {
        errno = ENOMEM;
        return NULL;
    }
    pool_used = at + size;
    return pool + at;               /* static storage: already zero */
}

EXPORT void lt_nsmalloc_set(const struct lt_nsmalloc_ops *o) { ops = *o; }

EXPORT void *malloc(size_t n) { return ops.malloc ? ops.malloc(n) : pool_alloc(n, 16); }

EXPORT void free(void *p)
{
    if (p && !in_pool(p) && ops.free)
        ops.free(p);
}

EXPORT void *calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return ops.calloc ? ops.calloc(n, size) : pool_alloc(total, 16);
}

EXPORT void *memalign(size_t align, size_t n) { return ops.memalign ? ops.memalign(align, n) : pool_alloc(n, align); }
EXPORT void *aligned_alloc(size_t align, size_t n) { return memalign(align, n); }
EXPORT void *valloc(size_t n) { return memalign(4096, n); }
EXPORT void *pvalloc(size_t n) { return memalign(4096, (n + 4095) & ~(size_t)4095); }

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (align % sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    void *p = memalign(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

EXPORT size_t malloc_usable_size(void *p)
{
    if (!p || in_pool(p))
        return 0;
    return ops.usable_size ? ops.usable_size(p) : 0;
}

EXPORT void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (!in_pool(p))
        return ops.realloc ? ops.realloc(p, n) : NULL;
    void *q = malloc(n);            /* out of the pool: copy what fits */
    if (q) {
        size_t left = (size_t)(pool + sizeof pool - (unsigned char *)p);
        memcpy(q, p, n < left ? n : left);
    }
    return q;
}
