// Ported from Valgrind memcheck/tests/leak-cases.c (the idea: memcheck's
// table of pointer chains; written anew). Every block is 16 bytes; "-?->"
// is a pointer 8 bytes into the block (an interior pointer).
//   p1 ---> AAA               AAA reachable
//   p2 ---> AAA ---> BBB      both reachable
//   (lost)  AAA               AAA definitely lost
//   (lost)  AAA ---> BBB      AAA definite, BBB indirect
//   p5 -?-> AAA               AAA possibly lost
//   p6 ---> AAA -?-> BBB      AAA reachable, BBB possibly lost
//   p7 -?-> AAA -?-> BBB      both possibly lost
//   p8 -?-> AAA ---> BBB      both possibly lost
//   (lost)  AAA -?-> BBB      AAA definite, BBB indirect (lost either way)
//   (lost)  AAA ---> BBB      AAA definite, BBB indirect
// TRUTH (= valgrind 3.19): definite 4 blocks (the lost AAAs), indirect 3
// (their BBBs), possible 6, reachable 4.
// EXPECT: definite 64/4 indirect 48/3 possible 96/6 reachable 64/4
// ORACLE: valgrind
#include "scenario.h"

void *p1, *p2, *p5, *p6, *p7, *p8;

static NOINLINE void **blk(void)
{
    void **b = malloc(16);
    b[0] = b[1] = NULL;
    return b;
}

static NOINLINE void *in(void *b) { return (char *)b + 8; }

static NOINLINE void build(void)
{
    void **a, **b;
    p1 = blk();
    a = blk(); a[0] = blk(); p2 = a;
    launder_ptr(blk());
    a = blk(); a[0] = blk(); launder_ptr(a);
    p5 = in(blk());
    a = blk(); a[0] = in(blk()); p6 = a;
    a = blk(); a[0] = in(blk()); p7 = in(a);
    a = blk(); a[0] = blk(); p8 = in(a);
    a = blk(); a[0] = in(blk()); launder_ptr(a);
    a = blk(); b = blk(); a[1] = b; launder_ptr(a);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
