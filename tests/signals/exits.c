/* exits.c — exit paths that need care (issue 11 item 11).
 *
 * usage: exits MODE
 *   two      two threads call exit(3) at the same moment: exactly one
 *            report, status 3, no "memory ran out".
 *   two_     the same with _exit(3).
 *   rawclone a task made by the raw clone() system call (a thread of the
 *            process, not a pthread: no TLS of its own) spins while main
 *            exits: the check must not wait for it.
 *   child    clone(SIGCHLD): a new process made without fork() leaks a block
 *            and exits 5; it must write its own report. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

void *kept;
static pthread_barrier_t go;
static char stack[1 << 16] __attribute__((aligned(16)));
static volatile int spin = 1;

__attribute__((noinline)) static void leak_site(void) { char *p = malloc(2001); memset(p, 2, 2001); p = NULL; }

static void *exiter(void *arg)
{
    pthread_barrier_wait(&go);
    if (arg)
        _exit(3);
    exit(3);
}

static int raw_task(void *arg)
{
    (void)arg;
    while (spin)
        ;
    return 0;
}

static int child(void *arg)
{
    (void)arg;
    leak_site();
    exit(5);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "two";
    kept = malloc(40);
    if (strcmp(mode, "two") == 0 || strcmp(mode, "two_") == 0) {
        pthread_t a, b;
        void *how = mode[3] ? (void *)1 : NULL;
        pthread_barrier_init(&go, NULL, 3);
        pthread_create(&a, NULL, exiter, how);
        pthread_create(&b, NULL, exiter, how);
        pthread_barrier_wait(&go);
        pthread_join(a, NULL);
        return 0;
    }
    if (strcmp(mode, "rawclone") == 0) {
        int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
        if (clone(raw_task, stack + sizeof stack, flags, NULL) < 0)
            return 97;
        printf("exiting\n");
        exit(0);
    }
    if (strcmp(mode, "child") == 0) {
        pid_t c = clone(child, stack + sizeof stack, SIGCHLD, NULL);
        int st = 0;
        if (c < 0 || waitpid(c, &st, 0) != c)
            return 96;
        printf("child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return 0;
    }
    return 95;
}
