// A thread ends with pthread_exit and another is cancelled in read():
// both make glibc dlopen libgcc_s for the unwinding, and __libc_freeres at
// exit dlcloses it again, freeing the loader's blocks for it (link map,
// version table, search path). Only the program's own block stays: a
// 123-byte block the cancelled thread dropped, definitely lost. Valgrind
// runs __libc_freeres too and reports nothing else; the tool used to list
// libgcc_s's 4 blocks (1,766 bytes) as still reachable: its final check ran
// inside _dl_fini (its atexit handler carried the library's DSO handle),
// where every object's open count is raised and that dlclose frees nothing.
// EXPECT: definite 123/1 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"
#include <pthread.h>

static int pfd[2];

static void *exits(void *a)
{
    (void)a;
    pthread_exit(NULL);
}

static NOINLINE void drop(void) { launder_ptr(malloc(123)); }

static void *blocks(void *a)
{
    (void)a;
    drop();
    char c;
    SCN_CHECK(read(pfd[0], &c, 1) >= 0);
    return NULL;
}

int main(void)
{
    pthread_t t;
    SCN_CHECK(pipe(pfd) == 0);
    SCN_CHECK(pthread_create(&t, NULL, exits, NULL) == 0);
    SCN_CHECK(pthread_join(t, NULL) == 0);
    SCN_CHECK(pthread_create(&t, NULL, blocks, NULL) == 0);
    usleep(50000);
    SCN_CHECK(pthread_cancel(t) == 0);
    void *r;
    SCN_CHECK(pthread_join(t, &r) == 0 && r == PTHREAD_CANCELED);
    scrub();
    return 0;
}
