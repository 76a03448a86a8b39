// Ported from Valgrind memcheck/tests/leak-tree.c (idea): a binary tree of
// 15 nodes (depth 4) held by a global; then the right subtree (7 nodes) is
// cut off and a leaf of the left subtree is freed. TRUTH (= valgrind): the
// 7 cut nodes are lost, their root definitely and 6 indirectly; the 7
// remaining nodes are reachable. Nodes are 24 bytes.
// EXPECT: definite 24/1 indirect 144/6 possible 0/0 reachable 168/7
// EXPECT-RECORD: 168 (24 direct, 144 indirect) bytes in 1 blocks are definitely lost | malloc | mk | ...
// ORACLE: valgrind
#include "scenario.h"

struct t { struct t *l, *r; long v; };
struct t *root;

static NOINLINE struct t *mk(int depth)
{
    struct t *x = malloc(sizeof *x);
    x->v = depth;
    x->l = depth > 1 ? mk(depth - 1) : NULL;
    x->r = depth > 1 ? mk(depth - 1) : NULL;
    return x;
}

static NOINLINE void build(void)
{
    root = mk(4);
    launder_ptr(root->r);
    root->r = NULL;
    free(root->l->l->l);
    root->l->l->l = NULL;
}

int main(void)
{
    build();
    scrub();
    return 0;
}
