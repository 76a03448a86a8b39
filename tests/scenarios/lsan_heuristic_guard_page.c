// Issue 10 item 4, in the manner of compiler-rt's swapcontext.cpp and
// guard-page.c: a fiber stack is a page-aligned heap block whose first
// page the program made PROT_NONE (its guard page). A global array holds
// four ordinary blocks and, after them, an interior pointer into the
// fiber stack (its top, where the fiber's frames live). Testing that
// interior pointer against the C++ heuristics reads the block's first
// words -- in the guard page. The fault must only mean "no heuristic":
// the four blocks stay reachable and the stack is possibly lost (only an
// interior pointer to it).
// TRUTH: reachable 4 x 100 B + the array (40 B); possibly lost the
// 64 KiB stack. (No ORACLE: valgrind's view of a heap block the program
// protected is not the program's; the truth is what the program holds.)
// EXPECT: definite 0/0 indirect 0/0 possible 65536/1 reachable 440/5
// OPTIONS: --show-leak-kinds=all
#include "scenario.h"
#include <sys/mman.h>

void **holder;

static NOINLINE void build(void)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    char *stack = aligned_alloc(pg, 65536);
    SCN_CHECK(stack != NULL);
    memset(stack, 0, 65536);
    SCN_CHECK(mprotect(stack, pg, PROT_NONE) == 0);
    holder = calloc(5, sizeof *holder);
    for (int i = 0; i < 4; i++)
        holder[i] = calloc(1, 100);
    holder[4] = stack + 65536 - 256;
}

int main(void)
{
    build();
    scrub();
    return 0;
}
