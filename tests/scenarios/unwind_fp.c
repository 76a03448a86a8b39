// --unwind=fp: stacks taken by walking frame pointers (scenarios are built
// with -fno-omit-frame-pointer) name the same frames as DWARF unwinding,
// through several levels and in a thread; the classification is unchanged.
// OPTIONS: --unwind=fp
// EXPECT: definite 72/2 indirect 0/0 possible 0/0 reachable 40/1
// EXPECT-RECORD: 31 bytes in 1 blocks are definitely lost | malloc | level3 | level2 | level1 | main
// EXPECT-RECORD: 41 bytes in 1 blocks are definitely lost | calloc | in_thread | *
// CFLAGS: -fno-optimize-sibling-calls
#include "scenario.h"
#include <pthread.h>

void *kept;
static NOINLINE void level3(void) { launder_ptr(malloc(31)); }
static NOINLINE void level2(void) { level3(); }
static NOINLINE void level1(void) { level2(); }

static NOINLINE void *in_thread(void *arg)
{
    (void)arg;
    launder_ptr(calloc(1, 41));
    return NULL;
}

int main(void)
{
    level1();
    kept = malloc(40);
    pthread_t t;
    pthread_create(&t, NULL, in_thread, NULL);
    pthread_join(t, NULL);
    scrub();
    return 0;
}
