/* static_malloc.c — after Valgrind's memcheck/tests/static_malloc: the
 * program defines malloc itself (from a static buffer) and nothing else,
 * so libc's free() and realloc() would choke on its blocks. It only works
 * as long as nothing hands those blocks to glibc: the tool's start-up must
 * not (it once read the main stack through pthread_getattr_np, whose
 * getline mixes this malloc with glibc's realloc). */
#include <stdio.h>
#include <stdlib.h>

static char buf[1 << 20];
static size_t used;

void *malloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (used + n > sizeof buf)
        return NULL;
    used += n;
    return buf + used - n;
}

int main(void)
{
    char *p = malloc(100);
    p[0] = 'x';
    printf("static malloc %c\n", p[0]);
    return 0;
}
