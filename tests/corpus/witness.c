/* witness.c — an independent count of the processes of a corpus run.
 *
 * Preloaded after libleaktrace.so by tests/cli/test_corpus.py. Every process
 * that loads it (each exec'd program, through the constructor) and every
 * forked child (through a pthread_atfork child handler) creates an empty
 * file WITNESS_DIR/w.PID. The set of those pids must equal the set of report
 * files lt.PID the shim wrote. It uses no heap: open/close only. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[512];

static void mark(void)
{
    if (!dir[0])
        return;
    char path[600];
    snprintf(path, sizeof path, "%s/w.%d", dir, (int)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
}

__attribute__((constructor)) static void witness_init(void)
{
    const char *d = getenv("WITNESS_DIR");
    if (!d)
        return;
    snprintf(dir, sizeof dir, "%s", d);
    mark();
    pthread_atfork(NULL, NULL, mark);
}
