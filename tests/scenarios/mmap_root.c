// A pointer kept in an anonymous private mapping that the program made
// itself (as a language runtime's own heap would): still reachable.
// A pointer kept in a mapping that was unmapped again: definitely lost.
// EXPECT: definite 32/1 indirect 0/0 possible 0/0 reachable 64/1
// ORACLE: valgrind
#include "scenario.h"
#include <sys/mman.h>

void **region;
static NOINLINE void keep(void)
{
    region = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SCN_CHECK(region != MAP_FAILED);
    region[100] = malloc(64);
}

static NOINLINE void drop(void)
{
    void **gone = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SCN_CHECK(gone != MAP_FAILED);
    gone[7] = malloc(32);
    SCN_CHECK(munmap(launder_ptr(gone), 1 << 16) == 0);
}

int main(void)
{
    keep();
    drop();
    scrub();
    return 0;
}
