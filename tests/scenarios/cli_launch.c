// Run through the `leaktrace` command instead of a bare LD_PRELOAD:
// `leaktrace --error-exitcode=9 --show-leak-kinds=all -- PROG`. A possibly
// lost block is an error by default; the reachable one is shown (all kinds)
// but is no error.
// LAUNCH: cli
// OPTIONS: --error-exitcode=9 --show-leak-kinds=all
// EXPECT: definite 0/0 indirect 0/0 possible 64/1 reachable 16/1
// EXPECT-EXIT: 9
// PLAIN-EXIT: 0
// EXPECT-RECORD: 16 bytes in 1 blocks are still reachable in loss record 1 of 2 | malloc | keep | main
// EXPECT-RECORD: 64 bytes in 1 blocks are possibly lost in loss record 2 of 2 | malloc | keep | main
// ORACLE: valgrind --error-exitcode=9
#include "scenario.h"

void *kept;
char *inside;

static NOINLINE void keep(void)
{
    kept = malloc(16);
    inside = (char *)malloc(64) + 8;
}

int main(void)
{
    keep();
    scrub();
    return 0;
}
