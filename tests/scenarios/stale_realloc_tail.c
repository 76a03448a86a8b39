// realloc grows a small block into a freed chunk that still holds the only
// pointer to a leaked block: the bytes past what the old block held are
// no pointer the program wrote (Valgrind: undefined V-bits), so the
// victim is definitely lost. Without a fill of the grown tail (issue 10,
// item 2) it was "still reachable". glibc's realloc takes the new chunk
// from _int_malloc (no tcache), so the holder is larger than tcache's
// sizes and the block to grow is hemmed in by a barrier.
// EXPECT: definite 40/1 indirect 0/0 possible 0/0 reachable 2,024/2
// EXPECT-RECORD: 40 bytes in 1 blocks are definitely lost | malloc | ... | plant | main
// ORACLE: valgrind
#include "scenario.h"

char *kept, *barrier;

static NOINLINE void *make_victim(void) { return malloc(40); }

static NOINLINE void plant(void)
{
    void **holder = malloc(2000);
    SCN_CHECK(holder != NULL);
    void *victim = make_victim();
    for (int i = 0; i < 250; i++)
        holder[i] = victim;
    launder_ptr(victim);
    free(launder_ptr(holder));
}

static NOINLINE char *small(void)
{
    char *r = malloc(24);
    SCN_CHECK(r != NULL);
    memset(r, 'x', 24);
    return r;
}

static NOINLINE void grow(char *r)
{
    r = realloc(r, 2000);
    SCN_CHECK(r != NULL);
    kept = r;
}

int main(void)
{
    char *r = small();
    barrier = small();
    plant();
    grow(r);
    r = NULL;
    scrub();
    return 0;
}
