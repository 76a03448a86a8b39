// 200,000 live blocks of 16 bytes reachable through a global array, and
// 50,000 blocks of 24 bytes dropped: the check must finish in time (60 s)
// and count them exactly.
// EXPECT: definite 1200000/50000 indirect 0/0 possible 0/0 reachable 4800000/200001
// ORACLE: valgrind
#include "scenario.h"

#define N 200000
void **table;

static NOINLINE void drop(void) { launder_ptr(malloc(24)); }

int main(void)
{
    table = malloc(N * sizeof(void *));
    for (int i = 0; i < N; i++) {
        table[i] = malloc(16);
        if (i % 4 == 0)
            drop();
    }
    scrub();
    return 0;
}
