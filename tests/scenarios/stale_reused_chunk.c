// A freed chunk held the only pointer to a block; the program then leaks
// that block, and malloc hands the same chunk out again, unwritten except
// for the first word. The stale words are no pointer the program holds
// (Valgrind: undefined V-bits): the victim is definitely lost. Without a
// fill of fresh blocks (issue 10, item 2) it was "still reachable".
// Three times: malloc, memalign, malloc again.
// EXPECT: definite 120/3 indirect 0/0 possible 0/0 reachable 384/3
// EXPECT-RECORD: 40 bytes in 1 blocks are definitely lost | malloc | ... | plant | main
// ORACLE: valgrind
#include "scenario.h"
#include <malloc.h>

void *kept[3];

static NOINLINE void *make_victim(void) { return malloc(40); }

/* Leaves victim pointers in every word of a freed 128-byte chunk. */
static NOINLINE void plant(int aligned)
{
    void **holder = aligned ? memalign(64, 128) : malloc(128);
    SCN_CHECK(holder != NULL);
    void *victim = make_victim();
    for (int i = 0; i < 16; i++)
        holder[i] = victim;
    launder_ptr(victim);
    free(launder_ptr(holder));
}

static NOINLINE void reuse(int slot, int aligned)
{
    void **again = aligned ? memalign(64, 128) : malloc(128);
    SCN_CHECK(again != NULL);
    again[0] = NULL;                /* the program writes one word only */
    kept[slot] = again;
}

int main(void)
{
    plant(0);
    reuse(0, 0);
    plant(1);
    reuse(1, 1);
    plant(0);
    reuse(2, 0);
    scrub();
    return 0;
}
