// Pointers kept in thread-local variables of the main thread: reachable.
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 104/2
// ORACLE: valgrind
#include "scenario.h"

/* volatile: write-only thread-locals would be optimised away at -O2 */
static __thread void *volatile tls_holder;
__thread void *volatile tls_holder2;

static NOINLINE void keep(void)
{
    tls_holder = malloc(48);
    tls_holder2 = malloc(56);
    launder_ptr(tls_holder);
}

int main(void)
{
    keep();
    scrub();
    return 0;
}
