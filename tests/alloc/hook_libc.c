/* hook_libc.c — the glibc manual's recipe for malloc hooks without
 * __malloc_hook: the program defines malloc/free/calloc/realloc and
 * forwards to glibc's __libc_* entry points. Everything libc allocates
 * goes through them too. 994 blocks are freed, one 777-byte block leaks:
 * the tool must see it (definitely lost) and must not report freed blocks. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static unsigned long calls;

void *malloc(size_t n) { calls++; return __libc_malloc(n); }
void free(void *p) { if (p) calls++; __libc_free(p); }
void *calloc(size_t a, size_t b) { calls++; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { calls++; return __libc_realloc(p, n); }
void *memalign(size_t al, size_t n) { calls++; return __libc_memalign(al, n); }

__attribute__((noinline)) static void leak(void)
{
    char *p = malloc(777);
    memset(p, 7, 777);
    p = NULL;
}

int main(void)
{
    void *v[994];
    for (int i = 0; i < 994; i++)
        v[i] = i % 3 ? malloc(10 + i) : calloc(1, 10 + i);
    for (int i = 0; i < 994; i += 2)
        v[i] = realloc(v[i], 2000);
    for (int i = 0; i < 994; i++)
        free(v[i]);
    leak();
    printf("done %d\n", calls > 2000);
    return 0;
}
