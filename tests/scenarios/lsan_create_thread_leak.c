// Ported from LLVM compiler-rt/test/lsan/TestCases/create_thread_leak.cpp
// (idea): 10 threads each leak a block and exit; they are joined. One
// more thread's block is handed back through pthread_join's result and
// kept by a global.
// TRUTH (= valgrind): 10 x 1337 B definitely lost in one record, 1338 B
// reachable.
// EXPECT: definite 13370/10 indirect 0/0 possible 0/0 reachable 1338/1
// EXPECT-RECORD: 13,370 bytes in 10 blocks are definitely lost | malloc | * | ...
// ORACLE: valgrind
#include "scenario.h"
#include <pthread.h>

void *kept;

static void *leaker(void *arg)
{
    (void)arg;
    void *p = launder_ptr(malloc(1337));
    memset(p, 0, 1337);
    scrub();
    return NULL;
}

static void *giver(void *arg)
{
    (void)arg;
    void *p = malloc(1338);
    memset(p, 0, 1338);
    return p;
}

int main(void)
{
    pthread_t t[10];
    for (int i = 0; i < 10; i++)
        SCN_CHECK(pthread_create(&t[i], NULL, leaker, NULL) == 0);
    for (int i = 0; i < 10; i++)
        SCN_CHECK(pthread_join(t[i], NULL) == 0);
    pthread_t g;
    SCN_CHECK(pthread_create(&g, NULL, giver, NULL) == 0);
    SCN_CHECK(pthread_join(g, &kept) == 0);
    scrub();
    return 0;
}
