// The program closes fd 2 and opens /dev/null, which takes fd 2, before it
// exits: the report must still reach the original stderr (the runner
// captures it from there, not from a log file).
// EXPECT: definite 31/1 indirect 0/0 possible 0/0 reachable 0/0
// EXPECT-RECORD: 31 bytes in 1 blocks are definitely lost | malloc | leak | main
// ORACLE: valgrind
#include "scenario.h"
#include <fcntl.h>

static NOINLINE void leak(void) { launder_ptr(malloc(31)); }

int main(void)
{
    leak();
    SCN_CHECK(close(2) == 0);
    int fd = open("/dev/null", O_WRONLY);
    if (fd != 2)
        return 96;
    say("stderr closed\n");
    scrub();
    return 0;
}
