/* fork_threads.c — fork while other threads allocate, then allocate in the
 * child.
 *
 * usage: fork_threads FORKS THREADS
 *
 * THREADS workers malloc/free without pause while the main thread forks
 * FORKS times. Each child allocates and frees 2,000 blocks, keeps one block
 * of 4093 bytes (child_keep_site, global: still reachable), frees every
 * 4091-byte block (child_freed_site) it made, and ends with exit(i % 4) or
 * _exit(i % 4) (alternately). The parent checks every child's status and
 * prints its own counts (the workers' blocks: all freed at the end). */
#include "stress.h"
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_int stop;
void *child_keep;   /* not static: the store must stay */

NOINLINE static void *child_keep_site(void) { void *p = malloc(4093); memset(p, 1, 4093); return p; }
NOINLINE static void *child_freed_site(void) { void *p = malloc(4091); touch(p); return p; }

static void *worker(void *arg)
{
    uint64_t r = (uint64_t)(long)arg * 7919 + 1;
    void *local[32] = { 0 };
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        unsigned k = (unsigned)(rnd(&r) % 32);
        if (local[k]) {
            free(local[k]);
            count_free();
        }
        local[k] = malloc(1 + rnd(&r) % 300);
        count_alloc();
    }
    for (int k = 0; k < 32; k++)
        if (local[k]) {
            free(local[k]);
            count_free();
        }
    return NULL;
}

static void child(int i)
{
    void *v[100] = { 0 };
    for (int j = 0; j < 2000; j++) {
        int k = j % 100;
        free(v[k]);
        v[k] = (j % 7) ? malloc(1 + (size_t)j % 500) : child_freed_site();
    }
    for (int k = 0; k < 100; k++)
        free(v[k]);
    child_keep = child_keep_site();
    if (i % 2)
        _exit(i % 4);
    exit(i % 4);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int forks = atoi(argv[1]), nt = atoi(argv[2]);
    printf("fork_threads: %d forks while %d threads allocate\n", forks, nt);
    fflush(stdout);
    pthread_t t[64];
    for (long i = 0; i < nt; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    int bad = 0;
    for (int i = 0; i < forks; i++) {
        usleep(2000);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 3;
        }
        if (pid == 0)
            child(i);
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != i % 4) {
            fprintf(stderr, "child %d: unexpected status %#x\n", i, st);
            bad++;
        }
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < nt; i++)
        pthread_join(t[i], NULL);
    printf("children ok: %d of %d\n", forks - bad, forks);
    print_counts();
    return bad ? 1 : 0;
}
