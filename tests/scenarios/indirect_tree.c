// A lost root pointing at three children, one of which points at a
// grandchild: one definitely lost root, four indirectly lost blocks.
// The indirect blocks come from two call sites (two hidden records; more at
// -O2, where the loop is unrolled into several call sites).
// EXPECT: definite 32/1 indirect 128/4 possible 0/0 reachable 0/0
// EXPECT-RECORD: 160 (32 direct, 128 indirect) bytes in 1 blocks are definitely lost | calloc | ... | main
// CFLAGS: -fno-builtin
// ORACLE: valgrind
#include "scenario.h"

struct node { struct node *kid[3]; char pad[8]; };

static NOINLINE struct node *mk(void) { return calloc(1, sizeof(struct node)); }

static NOINLINE void leak(void)
{
    struct node *root = mk();
    for (int i = 0; i < 3; i++)
        root->kid[i] = mk();
    root->kid[1]->kid[0] = mk();
    launder_ptr(root);
}

int main(void)
{
    leak();
    scrub();
    return 0;
}
