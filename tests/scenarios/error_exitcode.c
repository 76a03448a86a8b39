// --error-exitcode=42: a definite leak makes the exit status 42 (the plain
// program exits with 0). Reachable blocks are no error.
// OPTIONS: --error-exitcode=42
// EXPECT: definite 19/1 indirect 0/0 possible 0/0 reachable 8/1
// EXPECT-EXIT: 42
// PLAIN-EXIT: 0
// EXPECT-LINE: ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)
// ORACLE: valgrind --error-exitcode=42
#include "scenario.h"

void *kept;
static NOINLINE void leak(void) { launder_ptr(malloc(19)); }

int main(void)
{
    kept = malloc(8);
    leak();
    scrub();
    return 0;
}
