// Ported from LLVM compiler-rt/test/lsan/TestCases/malloc_zero.c (idea):
// a malloc(0) block is a real, distinct block and leaks like any other.
// LSan counts it as 1 byte; memcheck reports 0 bytes but, like LSan,
// treats it as 1 byte wide when looking for pointers to it
// (mc_leakcheck.c find_chunk_for). So a pointer equal to its address keeps
// it, while a pointer just past it (address + 1, still inside glibc's
// 24-byte chunk, and in no other block) is no pointer to it at all: not
// even "possibly". Four blocks: one dropped, one held by its address in a
// global, one held only through address + 1 (in another global), and a
// calloc(1, 0) block held by its address.
// TRUTH (= valgrind): definite 0/2 (dropped, past-the-end), reachable 0/2.
// EXPECT: definite 0/2 indirect 0/0 possible 0/0 reachable 0/2
// EXPECT-RECORD: 0 bytes in 1 blocks are definitely lost | malloc | leak | main
// EXPECT-RECORD: 0 bytes in 1 blocks are definitely lost | malloc | hold_past_end | main
// ORACLE: valgrind
#include "scenario.h"

void *kept;
void *kept_calloc;
uintptr_t past_end;

static NOINLINE void leak(void)
{
    void *p = malloc(0);
    SCN_CHECK(p != NULL);
    launder_ptr(p);
}

static NOINLINE void hold_past_end(void)
{
    past_end = (uintptr_t)launder_ptr(malloc(0)) + 1;
}

static NOINLINE void setup(void)
{
    kept = malloc(0);
    kept_calloc = calloc(1, 0);
    SCN_CHECK(kept != NULL && kept_calloc != NULL && kept != kept_calloc);
}

int main(void)
{
    setup();
    leak();
    hold_past_end();
    scrub();
    return 0;
}
