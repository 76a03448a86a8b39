// Ported from Valgrind memcheck/tests/leak-cycle.c (idea): cycles of
// blocks. A lost cycle has no start: memcheck reports one block of each
// lost clique as definitely lost and the rest of it as indirectly lost.
//   - a 2-cycle held by a global: both reachable;
//   - a 2-cycle, lost: 1 definite + 1 indirect;
//   - a 3-cycle with a tail block hanging off it, lost: 1 definite + 3
//     indirect;
//   - a block pointing at itself, lost: definite.
// Nodes are 24 bytes. TRUTH (= valgrind): definite 72/3, indirect 96/4,
// reachable 48/2.
// EXPECT: definite 72/3 indirect 96/4 possible 0/0 reachable 48/2
// ORACLE: valgrind
#include "scenario.h"

struct n { struct n *next, *other; long pad; };
struct n *held;

static NOINLINE struct n *mk(void)
{
    struct n *x = malloc(sizeof *x);
    x->next = x->other = NULL;
    x->pad = 0;
    return x;
}

static NOINLINE void build(void)
{
    struct n *a = mk(), *b = mk();
    a->next = b; b->next = a; held = a;
    a = mk(); b = mk();
    a->next = b; b->next = a; launder_ptr(a);
    struct n *c;
    a = mk(); b = mk(); c = mk();
    a->next = b; b->next = c; c->next = a; b->other = mk(); launder_ptr(a);
    a = mk(); a->next = a; launder_ptr(a);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
