// C11 threads: glibc's thrd_create calls its pthread_create internally, so
// the tool's pthread_create interposer never sees them and its table is
// still in single-threaded mode when they start (src/table.c spreads it at
// its next growth once glibc says the process has threads). 6 threads churn
// malloc/free, each keeps 500 blocks of 24 bytes in a global array and
// leaks one block of 40 bytes.
// Truth: 3,000 x 24 still reachable; 6 x 40 definitely lost.
// EXPECT: definite 240/6 indirect 0/0 possible 0/0 reachable 72000/3000
// ORACLE: valgrind
#include "scenario.h"
#include <threads.h>

void *keep[3000];                 /* global: -O2 may not drop the stores */

static NOINLINE void leak_one(void)
{
    void *p = launder_ptr(malloc(40));
    memset(p, 1, 40);
}

static int worker(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < 20000; i++)
        free(launder_ptr(malloc((size_t)(8 + i % 100))));
    for (int i = 0; i < 500; i++)
        keep[id * 500 + i] = malloc(24);
    leak_one();
    scrub();
    return 0;
}

int main(void)
{
    thrd_t t[6];
    for (long i = 0; i < 6; i++)
        SCN_CHECK(thrd_create(&t[i], worker, (void *)i) == thrd_success);
    for (int i = 0; i < 6; i++)
        SCN_CHECK(thrd_join(t[i], NULL) == thrd_success);
    scrub();
    return 0;
}
