// Ported from Valgrind memcheck/tests/leak-delta.c (idea): leak checks
// taken while the program runs, between leaks, must not disturb the
// program or the final check. Valgrind's client request is replaced by
// LSan's __lsan_do_recoverable_leak_check (weak: skipped without the tool,
// so valgrind sees the same program). Three rounds each leak a 1000-byte
// block, keep a 100-byte one in a global array, and free one that the
// previous round kept. TRUTH (= valgrind) at exit: 3 definite (3,000 B),
// 1 reachable (100 B, the last round's; the earlier ones were freed).
// EXPECT: definite 3000/3 indirect 0/0 possible 0/0 reachable 100/1
// ORACLE: valgrind
#include "scenario.h"

int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

void *keep[4];

static NOINLINE void round_(int i)
{
    void *p = malloc(1000);
    memset(p, i, 1000);
    launder_ptr(p);
    keep[i] = malloc(100);
    if (i > 0) {
        free(keep[i - 1]);
        keep[i - 1] = NULL;
    }
}

int main(void)
{
    for (int i = 0; i < 3; i++) {
        round_(i);
        scrub();
        if (__lsan_do_recoverable_leak_check)
            SCN_CHECK(__lsan_do_recoverable_leak_check() == 1);
    }
    scrub();
    return 0;
}
