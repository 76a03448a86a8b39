/* dlopen_threads.c — dlopen/dlclose of a library that allocates, in a loop,
 * from several threads at once.
 *
 * usage: dlopen_threads LIB THREADS ITERATIONS
 *
 * Each iteration: dlopen(LIB), dlsym("lib_alloc"), allocate and free a
 * block through it, dlclose. Every block of the library is freed (its
 * constructor's 4091-byte block by its destructor). Prints its own counts
 * of lib_alloc blocks. */
#include "stress.h"
#include <dlfcn.h>
#include <pthread.h>

static const char *lib;
static long iters;

static void *worker(void *arg)
{
    (void)arg;
    for (long i = 0; i < iters; i++) {
        void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            fprintf(stderr, "dlopen: %s\n", dlerror());
            exit(3);
        }
        void *(*f)(size_t) = (void *(*)(size_t))dlsym(h, "lib_alloc");
        if (!f) {
            fprintf(stderr, "dlsym: %s\n", dlerror());
            exit(4);
        }
        void *p = f(64 + (size_t)i % 64);
        count_alloc();
        void *q = malloc(100);
        count_alloc();
        free(p);
        count_free();
        free(q);
        count_free();
        if (dlclose(h) != 0) {
            fprintf(stderr, "dlclose: %s\n", dlerror());
            exit(5);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    lib = argv[1];
    int nt = atoi(argv[2]);
    iters = atol(argv[3]);
    printf("dlopen_threads: %d threads x %ld dlopen/dlclose\n", nt, iters);
    fflush(stdout);
    pthread_t t[64];
    for (int i = 0; i < nt; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < nt; i++)
        pthread_join(t[i], NULL);
    print_counts();
    return 0;
}
