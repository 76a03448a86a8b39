// Ported from LLVM compiler-rt/test/lsan/TestCases/guard-page.c (idea): a
// thread runs on a stack the program mmap'ed itself, with a PROT_NONE
// guard page at its low end; the thread keeps the only pointer to a block
// in a local and blocks while main exits. The scan of that stack must
// find the pointer and must not touch the guard page.
// TRUTH: reachable (1337 B). Valgrind agrees on the block; no ORACLE
// because of the running thread's DTV (see live_thread_stack.c).
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 272..800/1 reachable 1337/1
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 1609..2200/2
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 1337/1
#include "scenario.h"
#include <pthread.h>
#include <sys/mman.h>

static int fds[2];
static volatile int ready;

static void *worker(void *arg)
{
    (void)arg;
    void *local = malloc(1337);
    memset(local, 0, 1337);
    __asm__ volatile("" : : "r"(&local) : "memory");
    ready = 1;
    char c;
    (void)!read(fds[0], &c, 1);
    __asm__ volatile("" : : "r"(&local) : "memory");
    return NULL;
}

int main(void)
{
    SCN_CHECK(pipe(fds) == 0);
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), size = 256 * 1024;
    char *m = mmap(NULL, size + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SCN_CHECK(m != MAP_FAILED);
    SCN_CHECK(mprotect(m, pg, PROT_NONE) == 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    SCN_CHECK(pthread_attr_setstack(&attr, m + pg, size) == 0);
    pthread_t t;
    SCN_CHECK(pthread_create(&t, &attr, worker, NULL) == 0);
    while (!ready)
        sched_yield();
    scrub();
    exit(0);
}
