// Ported from LLVM compiler-rt/test/lsan/TestCases/realloc_zero.c (idea):
// realloc(p, 0) frees p (glibc returns NULL), so nothing of p is left;
// realloc(NULL, 0) allocates, and the result must be tracked exactly as
// malloc(0) is: a distinct block, reachable while held, lost when
// dropped, gone when freed. (LSan's __sanitizer_get_ownership and
// __sanitizer_get_allocated_size checks have no counterpart here.)
// Frame 0 of the realloc(NULL, 0) record is not compared: valgrind names
// it malloc, the tool realloc (README).
// TRUTH (= valgrind): definite 0/1 (dropped realloc(NULL, 0)), reachable
// 0/1 (held realloc(NULL, 0)); the realloc(p, 0) block and the freed
// realloc(NULL, 0) block are gone.
// EXPECT: definite 0/1 indirect 0/0 possible 0/0 reachable 0/1
// EXPECT-RECORD: 0 bytes in 1 blocks are definitely lost | * | drop_zero | main
// ORACLE: valgrind
// CFLAGS: -fno-builtin
#include "scenario.h"

void *held;

static NOINLINE void shrink_to_nothing(void)
{
    char *p = malloc(1);
    SCN_CHECK(p != NULL);
    *p = 1;
    SCN_CHECK(realloc(p, 0) == NULL);
}

static NOINLINE void free_zero(void)
{
    void *q = realloc(NULL, 0);
    SCN_CHECK(q != NULL);
    free(q);
}

static NOINLINE void drop_zero(void)
{
    void *q = realloc(NULL, 0);
    SCN_CHECK(q != NULL);
    launder_ptr(q);
}

static NOINLINE void hold_zero(void)
{
    held = realloc(NULL, 0);
    SCN_CHECK(held != NULL);
}

int main(void)
{
    shrink_to_nothing();
    free_zero();
    drop_zero();
    hold_zero();
    scrub();
    return 0;
}
