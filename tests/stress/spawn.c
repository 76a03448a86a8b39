/* spawn.c — vfork and posix_spawn while other threads allocate.
 *
 * usage: spawn N THREADS PROG
 *
 * N times each: vfork + execv(PROG "spawned"), vfork + _exit(7) without
 * exec, posix_spawn(PROG "spawned"); THREADS workers malloc/free all the
 * while. PROG is this program (argv[1] == "spawned": exit 0 at once,
 * allocating one block that it frees). Checks every status; prints its own
 * counts. A vfork child never reports for its parent. */
#include "stress.h"
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static atomic_int stop;

static void *worker(void *arg)
{
    uint64_t r = (uint64_t)(long)arg + 99;
    void *local[16] = { 0 };
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        unsigned k = (unsigned)(rnd(&r) % 16);
        if (local[k]) {
            free(local[k]);
            count_free();
        }
        local[k] = malloc(1 + rnd(&r) % 200);
        count_alloc();
    }
    for (int k = 0; k < 16; k++)
        if (local[k]) {
            free(local[k]);
            count_free();
        }
    return NULL;
}

static int wait_for(pid_t pid, int want, const char *what)
{
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != want) {
        fprintf(stderr, "%s: unexpected status %#x\n", what, st);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "spawned") == 0) {
        void *p = malloc(10);
        touch(p);
        free(p);
        return 0;
    }
    if (argc != 4)
        return 2;
    int n = atoi(argv[1]), nt = atoi(argv[2]);
    char *prog = argv[3];
    printf("spawn: %d x (vfork+exec, vfork+_exit, posix_spawn) while %d threads allocate\n", n, nt);
    fflush(stdout);
    pthread_t t[64];
    for (long i = 0; i < nt; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    int bad = 0;
    char *args[] = { prog, "spawned", NULL };
    for (int i = 0; i < n; i++) {
        pid_t pid = vfork();
        if (pid == 0) {
            execv(prog, args);
            _exit(127);
        }
        bad += wait_for(pid, 0, "vfork+exec");
        pid = vfork();
        if (pid == 0)
            _exit(7);
        bad += wait_for(pid, 7, "vfork+_exit");
        if (posix_spawn(&pid, prog, NULL, NULL, args, environ) != 0) {
            perror("posix_spawn");
            bad++;
        } else {
            bad += wait_for(pid, 0, "posix_spawn");
        }
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < nt; i++)
        pthread_join(t[i], NULL);
    printf("spawn: %d failures\n", bad);
    print_counts();
    return bad ? 1 : 0;
}
