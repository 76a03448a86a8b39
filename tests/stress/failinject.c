/* failinject.c — an allocator that starts failing on request.
 *
 * Preloaded after libleaktrace.so by tests/cli/test_faults.py, so it is the
 * "real" allocator the tool forwards to. Until failinject_arm() is called
 * it passes everything to glibc; afterwards, once FAILINJECT_AFTER (default
 * 0) more allocations have succeeded, malloc, calloc, realloc and the
 * aligned forms return NULL with ENOMEM: the program has finished its work
 * and what is allocated after that — libc's exit handlers, the tool's
 * symbolizer (libdw), its report — meets an out-of-memory condition. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static volatile int armed_flag;
static long budget;

void failinject_arm(void)
{
    const char *e = getenv("FAILINJECT_AFTER");
    budget = e ? atol(e) : 0;
    armed_flag = 1;
}

/* True when this allocation must fail. */
static int fails(void)
{
    if (!armed_flag)
        return 0;
    if (__atomic_fetch_sub(&budget, 1, __ATOMIC_RELAXED) > 0)
        return 0;
    return 1;
}
#define armed fails()

void *malloc(size_t n)
{
    if (armed) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    if (armed) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    if (armed && n) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_realloc(p, n);
}

void *memalign(size_t a, size_t n)
{
    if (armed) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_memalign(a, n);
}

int posix_memalign(void **out, size_t a, size_t n)
{
    if (armed)
        return ENOMEM;
    void *p = __libc_memalign(a, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t a, size_t n) { return memalign(a, n); }
