/* align_prog.c -- leaks from the allocators Valgrind 3.19 names differently
 * in frame 0 (aligned_alloc and valloc as memalign, posix_memalign as
 * memalign + posix_memalign, reallocarray and realloc(NULL, n) as malloc or
 * realloc): Valgrind-generated suppressions must still suppress them under
 * libleaktrace (suppress.h: frame 0 "so renamed"). */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdlib.h>

#define NOINLINE __attribute__((noinline))

static void *volatile sink;
static NOINLINE void launder(void *p) { sink = p; sink = NULL; }

static NOINLINE void a_aligned_alloc(void) { launder(aligned_alloc(64, 192)); }
static NOINLINE void a_valloc(void) { launder(valloc(193)); }
static NOINLINE void a_posix_memalign(void) { void *p; if (posix_memalign(&p, 32, 194) == 0) launder(p); }
static NOINLINE void a_memalign(void) { launder(memalign(16, 195)); }
static NOINLINE void a_reallocarray(void) { launder(reallocarray(NULL, 4, 49)); }
static NOINLINE void a_realloc_null(void) { launder(realloc(NULL, 197)); }
static NOINLINE void a_reallocarray_grow(void) { void *p = malloc(8); launder(reallocarray(p, 2, 99)); }

int main(void)
{
    a_aligned_alloc();
    a_valloc();
    a_posix_memalign();
    a_memalign();
    a_reallocarray();
    a_realloc_null();
    a_reallocarray_grow();
    return 0;
}
