// malloc(0) returns a unique block of size 0: dropped, it is definitely
// lost ("0 bytes in 1 blocks"); one held by a global is reachable.
// EXPECT: definite 0/1 indirect 0/0 possible 0/0 reachable 0/1
// EXPECT-RECORD: 0 bytes in 1 blocks are definitely lost | malloc | leak | main
// ORACLE: valgrind
#include "scenario.h"

void *kept;

static NOINLINE void leak(void)
{
    void *p = malloc(0);
    SCN_CHECK(p != NULL);
    launder_ptr(p);
}

int main(void)
{
    kept = malloc(0);
    leak();
    scrub();
    return 0;
}
