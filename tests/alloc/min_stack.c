/* min_stack.c — malloc, realloc and free on a thread whose stack is
 * PTHREAD_STACK_MIN (16 KiB, of which glibc takes the static TLS): the
 * allocation path must fit in a few KiB of the program's stack (issue 11,
 * item 3). Frees everything; prints what the thread returned. */
#define _GNU_SOURCE
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void *run(void *arg)
{
    (void)arg;
    void *keep = NULL;
    for (int i = 0; i < 1000; i++) {
        char *p = malloc(16 + i);
        memset(p, 1, 16 + i);
        p = realloc(p, 64 + i);
        free(keep);
        keep = p;
    }
    free(keep);
    return (void *)1;
}
int main(void)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    int rc = pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN);
    pthread_t t;
    if (rc || pthread_create(&t, &a, run, NULL)) { puts("create failed"); return 1; }
    void *r;
    pthread_join(t, &r);
    printf("thread returned %p, stack %d\n", r, (int)PTHREAD_STACK_MIN);
    return 0;
}
