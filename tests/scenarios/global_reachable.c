// Blocks held by a global, by a static local and by a block that a global
// holds: all still reachable (not shown with the default kinds).
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 112/3
// EXPECT-LINE: still reachable: 112 bytes in 3 blocks
// ORACLE: valgrind
#include "scenario.h"

void *global_holder;
static NOINLINE void keep(void)
{
    /* volatile: a write-only static would be optimised away at -O2 */
    static void **volatile static_holder;
    global_holder = malloc(40);
    static_holder = malloc(24);
    static_holder[0] = malloc(48);
    launder_ptr(static_holder);
}

int main(void)
{
    keep();
    scrub();
    return 0;
}
