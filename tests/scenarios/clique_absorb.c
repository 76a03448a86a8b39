// Clique leaders are taken in address order, and a later leader absorbs
// an earlier leader that it reaches. Three lost blocks, allocated in
// increasing address order (the program checks it): B (40 bytes), then A
// (24) pointing at B, then C (16) pointing at A. B leads first, A's flood
// absorbs B, C's flood absorbs A with B: C is the one definitely lost
// record, A and B are indirectly lost.
// EXPECT: definite 16/1 indirect 64/2 possible 0/0 reachable 0/0
// EXPECT-RECORD: 80 (16 direct, 64 indirect) bytes in 1 blocks are definitely lost | calloc | make_c | main
// ORACLE: valgrind
#include "scenario.h"

static void **b_ptr, **a_ptr;

static NOINLINE void make_b(void) { b_ptr = calloc(1, 40); }
static NOINLINE void make_a(void)
{
    a_ptr = calloc(1, 24);
    a_ptr[0] = b_ptr;
}
static NOINLINE void make_c(void)
{
    void **c = calloc(1, 16);
    SCN_CHECK((uintptr_t)c > (uintptr_t)a_ptr && (uintptr_t)a_ptr > (uintptr_t)b_ptr);
    c[1] = a_ptr;
    launder_ptr(c);
}

int main(void)
{
    make_b();
    make_a();
    make_c();
    b_ptr = a_ptr = NULL;
    scrub();
    return 0;
}
