// Issue 10 item 5, checked against Valgrind's own behaviour (cf.
// memcheck/tests/leak-cases with --num-callers): with --num-callers=2 the
// bundled default suppressions must not widen to "fun:*alloc / ..." and
// swallow ordinary records: a possibly lost block, a reachable one and a
// definite leak, all from malloc, are shown and none is suppressed.
// TRUTH (= valgrind --num-callers=2): definite 30/1, possible 40/1,
// reachable 50/1, suppressed 0.
// OPTIONS: --num-callers=2 --show-leak-kinds=all
// EXPECT: definite 30/1 indirect 0/0 possible 40/1 reachable 50/1 suppressed 0/0
// ORACLE: valgrind --num-callers=2
#include "scenario.h"

char *interior;
void *kept;

static NOINLINE void build(void)
{
    launder_ptr(calloc(1, 30));
    interior = (char *)calloc(1, 40) + 8;
    kept = calloc(1, 50);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
