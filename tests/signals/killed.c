/* killed.c — a program killed from outside while it allocates (issue 11
 * item 4: the CI-timeout case).
 *
 * usage: killed THREADS
 * THREADS threads (0: only main) hammer malloc/realloc/free forever; one
 * block (keep_site) is kept in a global, one is leaked (leak_site). It
 * prints "ready" when all run. The test sends SIGTERM or SIGINT at a random
 * moment: the report must be complete, the process must die of that signal. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *kept;

__attribute__((noinline)) static void *keep_site(void) { return malloc(4093); }
__attribute__((noinline)) static void leak_site(void) { char *p = malloc(3001); memset(p, 1, 3001); p = NULL; }

static void *hammer(void *arg)
{
    unsigned r = (unsigned)(unsigned long)arg * 2654435761u + 1;
    void *slots[16] = { 0 };
    for (;;) {
        r = r * 1103515245u + 12345u;
        int i = (r >> 8) & 15;
        if (slots[i] && (r & 0x10000))
            slots[i] = realloc(slots[i], (r >> 4) & 1023);
        else {
            free(slots[i]);
            slots[i] = malloc((r >> 4) & 511);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 0;
    kept = keep_site();
    leak_site();
    pthread_t t;
    for (int i = 0; i < n; i++)
        pthread_create(&t, NULL, hammer, (void *)(unsigned long)(i + 1));
    printf("ready\n");
    fflush(stdout);
    hammer(NULL);
    return 0;
}
