/* leaky.c — the example `scripts/run` checks: it leaks in every way a
 * report distinguishes. Expected (as valgrind --leak-check=full says):
 *   definitely lost: 164 bytes in 3 blocks   (a dropped buffer, a lost tree root, a cycle's leader)
 *   indirectly lost: 128 bytes in 4 blocks   (the tree's children, the cycle's other node)
 *     possibly lost:  64 bytes in 1 blocks   (only a pointer into its middle survives)
 *   still reachable: 200 bytes in 1 blocks   (a global still points at it) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node { struct node *left, *right; char name[16]; };

static void *volatile sink;
char *keep_middle;
void *keep_whole;

static __attribute__((noinline)) char *make_buffer(size_t n)
{
    char *p = malloc(n);
    memset(p, 'x', n);
    return p;
}

static __attribute__((noinline)) struct node *make_node(const char *name)
{
    struct node *n = calloc(1, sizeof *n);
    strncpy(n->name, name, sizeof n->name - 1);
    return n;
}

static __attribute__((noinline)) void lose_a_buffer(void)
{
    sink = make_buffer(100);          /* the only copy of the pointer is overwritten */
    sink = NULL;
}

static __attribute__((noinline)) void lose_a_tree(void)
{
    struct node *root = make_node("root");
    root->left = make_node("left");
    root->right = make_node("right");
    root->left->left = make_node("leaf");
    sink = root;                      /* dropped: root definite, 3 children indirect */
    sink = NULL;
}

static __attribute__((noinline)) void lose_a_cycle(void)
{
    struct node *a = make_node("a"), *b = make_node("b");
    a->right = b;
    b->right = a;
    sink = a;                         /* dropped: one of them definite, the other indirect */
    sink = NULL;
}

static __attribute__((noinline)) void keep_things(void)
{
    keep_middle = make_buffer(64) + 32;   /* possibly lost */
    keep_whole = make_buffer(200);        /* still reachable */
}

static __attribute__((noinline)) void scrub_stack(void)
{
    volatile char pad[16384];
    memset((char *)pad, 0, sizeof pad);
}

int main(void)
{
    lose_a_buffer();
    lose_a_tree();
    lose_a_cycle();
    keep_things();
    scrub_stack();
    printf("leaky: done\n");
    return 0;
}
