/* allocators.c — every allocation entry point the tool exports, used the
 * way a program uses them, so that a mismatch between allocators (memory
 * from one freed by another) crashes or corrupts. Prints a checksum of
 * what it wrote and read; leaks exactly one 4,321-byte block (its only
 * pointer is dropped), after a chunk that held pointers to it was freed
 * and reused.  Run by tests/cli/test_allocators.py with jemalloc and
 * tcmalloc preloaded before and after the tool. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long sum;

static void use(void *p, size_t n, int c)
{
    if (!p) {
        printf("allocation of %zu failed\n", n);
        exit(3);
    }
    memset(p, c, n);
    for (size_t i = 0; i < n; i += 61)
        sum += ((unsigned char *)p)[i] + i;
}

__attribute__((noinline)) static void *leak_one(void)
{
    void **holder = malloc(256);
    void *victim = malloc(4321);
    use(victim, 4321, 1);
    for (int i = 0; i < 32; i++)
        holder[i] = victim;
    free(holder);
    void **again = malloc(256);      /* often the same chunk: its words are stale */
    again[0] = NULL;
    return again;
}

int main(void)
{
    void (*cfree_fn)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "cfree");
    void *(*pvalloc_fn)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "pvalloc");
    void *keep = leak_one();
    for (int round = 0; round < 200; round++) {
        size_t n = 16 + (size_t)round * 37;
        char *a = malloc(n);
        use(a, n, 'a');
        char *b = calloc(3, n);
        use(b, 3 * n, 'b');
        a = realloc(a, 2 * n);
        use(a, 2 * n, 'c');
        char *c = reallocarray(NULL, 4, n);
        use(c, 4 * n, 'd');
        c = reallocarray(c, 8, n);
        use(c, 8 * n, 'e');
        void *d = NULL;
        if (posix_memalign(&d, 64, n) != 0)
            d = NULL;
        use(d, n, 'f');
        char *e = aligned_alloc(128, 128 * (1 + round % 3));
        use(e, 128 * (1 + round % 3), 'g');
        char *f = memalign(256, n);
        use(f, n, 'h');
        char *g = valloc(n);
        use(g, n, 'i');
        sum += malloc_usable_size(a) >= 2 * n;
        sum += malloc_usable_size(NULL) == 0;
        if (pvalloc_fn) {
            char *h = pvalloc_fn(n);
            use(h, n, 'j');
            free(h);
        }
        free(a);
        free(b);
        if (cfree_fn && round % 2)
            cfree_fn(c);
        else
            free(c);
        free(d);
        free(e);
        free(f);
        free(g);
    }
    free(keep);
    printf("checksum %lu\n", sum);
    return 0;
}
