// Ported from LLVM compiler-rt/test/lsan/TestCases/realloc_too_big.c
// (idea): a realloc that fails returns NULL and leaves the old block
// where it was, allocated, with its size and its allocation stack; if the
// program then drops it, it is a leak of the *original* size reported at
// the *original* malloc. LSan makes the request fail with
// max_allocation_size_mb; here glibc fails it: 2^47 bytes passes glibc's
// PTRDIFF_MAX check and fails in mmap (larger than the user address
// space), PTRDIFF_MAX + 1 is refused up front. Both leave errno ENOMEM.
//   - 9 B: realloc to 2^47 fails; contents intact; then dropped;
//   - 100 B: realloc to PTRDIFF_MAX + 1 fails; kept by a global.
// TRUTH (= valgrind): definite 9/1 at malloc in leak_nine, reachable
// 100/1 at malloc in keep_hundred.
// EXPECT: definite 9/1 indirect 0/0 possible 0/0 reachable 100/1
// EXPECT-RECORD: 9 bytes in 1 blocks are definitely lost | malloc | leak_nine | main
// EXPECT-RECORD: 100 bytes in 1 blocks are still reachable | malloc | keep_hundred | main
// OPTIONS: --show-leak-kinds=all
// CFLAGS: -fno-builtin
// ORACLE: valgrind
#include "scenario.h"
#include <errno.h>

char *hundred;

static NOINLINE void leak_nine(void)
{
    char *p = malloc(9);
    SCN_CHECK(p != NULL);
    memset(p, 'n', 9);
    volatile size_t big = (size_t)1 << 47;
    errno = 0;
    SCN_CHECK(realloc(p, big) == NULL);
    SCN_CHECK(errno == ENOMEM);
    for (int i = 0; i < 9; i++)
        SCN_CHECK(p[i] == 'n');
    launder_ptr(p);
}

static NOINLINE void keep_hundred(void)
{
    hundred = malloc(100);
    SCN_CHECK(hundred != NULL);
    memset(hundred, 'h', 100);
    volatile size_t big = (size_t)PTRDIFF_MAX + 1;
    errno = 0;
    SCN_CHECK(realloc(hundred, big) == NULL);
    SCN_CHECK(errno == ENOMEM);
    for (int i = 0; i < 100; i++)
        SCN_CHECK(hundred[i] == 'h');
}

int main(void)
{
    leak_nine();
    keep_hundred();
    scrub();
    return 0;
}
