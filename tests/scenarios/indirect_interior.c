// In the lost part of the heap an interior pointer is as good as a start
// pointer: a lost root points into the middle of a child, and the child
// points into the middle of a grandchild; the root is definitely lost, the
// child and grandchild indirectly lost (not possibly lost).
// EXPECT: definite 24/1 indirect 96/2 possible 0/0 reachable 0/0
// EXPECT-RECORD: 120 (24 direct, 96 indirect) bytes in 1 blocks are definitely lost | malloc | leak | main
// CFLAGS: -fno-builtin
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void leak(void)
{
    char **root = malloc(24);
    char **child = malloc(64);
    char *grandchild = malloc(32);
    memset(root, 0, 24);
    memset(child, 0, 64);
    child[2] = grandchild + 16;
    root[1] = (char *)child + 40;
    launder_ptr(root);
    launder_ptr(child);
    launder_ptr(grandchild);
}

int main(void)
{
    leak();
    scrub();
    return 0;
}
