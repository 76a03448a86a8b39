// Ported from LLVM compiler-rt/test/lsan/TestCases/Linux/
// realloc_failure_keeps_original.cpp (idea): when the replacement block of
// a realloc cannot be had because the address space runs out (RLIMIT_AS
// capped 64 MiB above the current size, then a 512 MiB request: the
// failure happens inside the allocator, in mmap), the original block is
// untouched: its contents, its size, its allocation stack, and it is
// freed exactly once by the program's free. The LSan-only parts (malloc
// and free hooks, __sanitizer_get_ownership / get_allocated_size) are left
// out; malloc_usable_size stands in for the size. The cap stays in place
// until exit, as in the original, so the final check runs under it.
//   - 100 B: realloc fails, contents checked, then freed: gone;
//   - 200 B: realloc fails, then dropped: definitely lost at its malloc;
//   - 300 B: realloc fails, kept by a global: reachable at its malloc.
// TRUTH (= valgrind): definite 200/1, reachable 300/1.
// EXPECT: definite 200/1 indirect 0/0 possible 0/0 reachable 300/1
// EXPECT-RECORD: 200 bytes in 1 blocks are definitely lost | malloc | fail_then_drop | main
// EXPECT-RECORD: 300 bytes in 1 blocks are still reachable | malloc | fail_then_keep | main
// OPTIONS: --show-leak-kinds=all
// CFLAGS: -fno-builtin
// ORACLE: valgrind
#include "scenario.h"
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>

#define BIG ((size_t)512 << 20)

char *kept;

static NOINLINE void cap_address_space(void)
{
    char buf[128] = {0};
    int fd = open("/proc/self/statm", O_RDONLY);
    SCN_CHECK(fd >= 0);
    SCN_CHECK(read(fd, buf, sizeof buf - 1) > 0);
    close(fd);
    unsigned long pages = strtoul(buf, NULL, 10);
    SCN_CHECK(pages > 0);
    struct rlimit rl;
    SCN_CHECK(getrlimit(RLIMIT_AS, &rl) == 0);
    rl.rlim_cur = (rlim_t)pages * (rlim_t)getpagesize() + ((rlim_t)64 << 20);
    SCN_CHECK(setrlimit(RLIMIT_AS, &rl) == 0);
}

static NOINLINE char *fill(size_t n, char c)
{
    char *p = malloc(n);
    SCN_CHECK(p != NULL);
    memset(p, c, n);
    return p;
}

static NOINLINE void fails_intact(char *p, size_t n, char c)
{
    volatile size_t big = BIG;
    errno = 0;
    SCN_CHECK(realloc(p, big) == NULL);
    SCN_CHECK(errno == ENOMEM);
    SCN_CHECK(malloc_usable_size(p) >= n);
    for (size_t i = 0; i < n; i++)
        SCN_CHECK(p[i] == c);
}

static NOINLINE void fail_then_free(void)
{
    char *p = fill(100, 'a');
    fails_intact(p, 100, 'a');
    free(p);
}

static NOINLINE void fail_then_drop(void)
{
    char *p = malloc(200);
    SCN_CHECK(p != NULL);
    memset(p, 'b', 200);
    fails_intact(p, 200, 'b');
    launder_ptr(p);
}

static NOINLINE void fail_then_keep(void)
{
    kept = malloc(300);
    SCN_CHECK(kept != NULL);
    memset(kept, 'c', 300);
    fails_intact(kept, 300, 'c');
}

int main(void)
{
    cap_address_space();
    fail_then_free();
    fail_then_drop();
    fail_then_keep();
    scrub();
    say("original allocations survived realloc failure\n");
    return 0;
}
