// A single-threaded process keeps its blocks in one stripe of the table
// until that stripe would outgrow 64 Ki slots (src/table.c); then they are
// spread over the 512 stripes, and lookups and frees go there. 60,000
// blocks of 16 bytes are kept in an array (spread happens on the way), every
// other one is freed again, then 100 blocks of 40 bytes are made and dropped.
// Truth: 30,000 x 16 still reachable; 100 x 40 definitely lost.
// EXPECT: definite 4000/100 indirect 0/0 possible 0/0 reachable 480000/30000
// ORACLE: valgrind
#include "scenario.h"

#define N 60000
void *kept[N];                /* global: -O2 may not drop the stores */

static NOINLINE void make_kept(void)
{
    for (int i = 0; i < N; i++)
        kept[i] = malloc(16);
    for (int i = 0; i < N; i += 2) {
        free(kept[i]);
        kept[i] = NULL;
    }
}

static NOINLINE void leak_some(void)
{
    for (int i = 0; i < 100; i++) {
        void *p = launder_ptr(malloc(40));
        memset(p, 0, 40);
    }
}

int main(void)
{
    make_kept();
    leak_some();
    scrub();
    return 0;
}
