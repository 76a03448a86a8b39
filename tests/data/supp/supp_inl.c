/* supp_inl.c -- compiled with -O2: inl_alloc is inlined into inl_outer, so
 * the allocation stack has an inlined frame (Valgrind names it by its DWARF
 * name and both tools must match fun:inl_alloc against it). */
#include <stdlib.h>

extern void *launder_ptr(void *p);

static inline __attribute__((always_inline)) void *inl_alloc(size_t n)
{
    return malloc(n);
}

__attribute__((noinline)) void inl_outer(void)
{
    void *p = inl_alloc(57);
    launder_ptr(p);
    __asm__ volatile("" ::: "memory");
}
