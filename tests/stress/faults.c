/* faults.c — programs for tests/cli/test_faults.py (the tool under adverse
 * conditions). One mode per run:
 *
 *   faults leaks DEPTH      DEPTH loss records with stacks 1..DEPTH frames
 *                           deep (a long report); prints "leaks: done"
 *   faults many N           N blocks of 16 bytes, frees every other one;
 *                           prints how many mallocs succeeded
 *   faults closefd2 PATH    closes fd 2, opens PATH (which gets fd 2),
 *                           writes "program data\n" there, leaks 123 bytes
 *   faults closeall PATH    closes every descriptor below 1024, opens PATH
 *                           three times (fds 0, 1, 2), writes "program
 *                           data\n" to fd 2, leaks 123 bytes
 *   faults bigwrite PATH N  writes N bytes to PATH (under RLIMIT_FSIZE the
 *                           program itself meets SIGXFSZ)
 *   faults oomexit          leaks a few blocks, then arms failinject.so (if
 *                           preloaded): every allocation after main fails
 *   faults hammer MS HOW    two threads malloc/free the same sizes without
 *                           pause (the table's locks are always held by
 *                           someone); after MS ms the process ends by HOW:
 *                           exit | _exit | return | thread (exit() from a
 *                           third thread); status 9 */
#include "stress.h"
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

void *sink[64];     /* not static: stores stay */

/* 123 bytes, definitely lost (the pointer dies with this frame). */
NOINLINE static void lose(void)
{
    void *p = malloc(123);
    touch(p);
}

NOINLINE static void leak_at(int depth)
{
    if (depth > 0) {
        leak_at(depth - 1);
        touch(sink);
        return;
    }
    touch(malloc(100));
}

/* Each call of leak_at(d) has a stack d+1 frames deep: DEPTH records. */
static int leaks(int depth)
{
    for (int d = 0; d < depth; d++)
        leak_at(d);
    printf("leaks: done\n");
    return 0;
}

static int many(long n)
{
    void **v = malloc(sizeof *v * (size_t)n);
    long ok = 0;
    if (!v) {
        printf("many: no vector\n");
        return 0;
    }
    for (long i = 0; i < n; i++) {
        v[i] = malloc(16);
        ok += v[i] != NULL;
    }
    for (long i = 0; i < n; i += 2)
        free(v[i]);
    sink[0] = v;
    printf("many: %ld of %ld allocated\n", ok, n);
    return 0;
}

static int closefd2(const char *path)
{
    close(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd != 2) {
        printf("closefd2: got fd %d\n", fd);
        return 3;
    }
    const char msg[] = "program data\n";
    if (write(2, msg, sizeof msg - 1) != (ssize_t)sizeof msg - 1)
        return 4;
    lose();
    printf("closefd2: done\n");
    return 0;
}

static int closeall(const char *path)
{
    for (int fd = 0; fd < 1024; fd++)
        close(fd);
    for (int want = 0; want < 3; want++)
        if (open(path, O_WRONLY | O_CREAT | O_APPEND, 0644) != want)
            return 3;
    const char msg[] = "program data\n";
    if (write(2, msg, sizeof msg - 1) != (ssize_t)sizeof msg - 1)
        return 4;
    lose();
    return 0;
}

static int bigwrite(const char *path, long n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    sink[2] = malloc(55);
    for (long done = 0; done < n;) {
        ssize_t w = write(fd, buf, n - done < (long)sizeof buf ? (size_t)(n - done) : sizeof buf);
        if (w <= 0) {
            printf("bigwrite: write failed after %ld bytes\n", done);
            return 5;
        }
        done += w;
    }
    printf("bigwrite: %ld bytes written\n", n);
    return 0;
}

static atomic_int stop_hammer;

static void *hammer_thread(void *arg)
{
    uint64_t r = (uint64_t)(long)arg + 3;
    while (!atomic_load_explicit(&stop_hammer, memory_order_relaxed)) {
        void *a = malloc(24), *b = malloc(24 + rnd(&r) % 64);
        free(a);
        free(b);
    }
    return NULL;
}

static int hammer_ms;

static void *exiting_thread(void *arg)
{
    (void)arg;
    usleep((useconds_t)hammer_ms * 1000);
    printf("hammer: exit from a thread\n");
    exit(9);
}

static int hammer(int ms, const char *how)
{
    pthread_t t;
    hammer_ms = ms;
    sink[3] = malloc(4093);
    for (long i = 0; i < 2; i++)
        pthread_create(&t, NULL, hammer_thread, (void *)i);
    if (strcmp(how, "thread") == 0) {
        pthread_create(&t, NULL, exiting_thread, NULL);
        for (;;)
            pause();
    }
    usleep((useconds_t)ms * 1000);
    printf("hammer: %s\n", how);
    fflush(stdout);
    if (strcmp(how, "exit") == 0)
        exit(9);
    if (strcmp(how, "_exit") == 0)
        _exit(9);
    return 9;
}

static int oomexit(void)
{
    lose();
    sink[4] = malloc(200);
    void (*arm)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "failinject_arm");
    printf("oomexit: %s\n", arm ? "armed" : "no failinject");
    fflush(stdout);
    if (arm)
        arm();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "oomexit") == 0)
        return oomexit();
    if (argc == 3 && strcmp(argv[1], "leaks") == 0)
        return leaks(atoi(argv[2]));
    if (argc == 3 && strcmp(argv[1], "many") == 0)
        return many(atol(argv[2]));
    if (argc == 3 && strcmp(argv[1], "closefd2") == 0)
        return closefd2(argv[2]);
    if (argc == 3 && strcmp(argv[1], "closeall") == 0)
        return closeall(argv[2]);
    if (argc == 4 && strcmp(argv[1], "bigwrite") == 0)
        return bigwrite(argv[2], atol(argv[3]));
    if (argc == 4 && strcmp(argv[1], "hammer") == 0)
        return hammer(atoi(argv[2]), argv[3]);
    fprintf(stderr, "faults: bad usage\n");
    return 2;
}
