// Issue 10 item 4, in the manner of compiler-rt's swapcontext.cpp and
// guard-page.c: a fiber stack is a page-aligned heap block whose first
// page the program made PROT_NONE (its guard page). A global array (a
// root range) holds first an interior pointer into the fiber stack (its
// top, where the fiber's frames live), then four ordinary blocks.
// Testing that interior pointer against the C++ heuristics reads the
// block's first words -- in the guard page (the word at the pointer looks
// like a pointer, so the multiple-inheritance test reads the block's
// first word). The fault must only mean "no
// heuristic" for that pointer: the rest of the root range is scanned,
// the four blocks stay reachable, and the stack is possibly lost (only
// an interior pointer to it).
// TRUTH: reachable 4 x 100 B; possibly lost the 64 KiB stack. (No ORACLE:
// valgrind's view of a heap block the program protected is not the
// program's; the truth is what the program holds.)
// EXPECT: definite 0/0 indirect 0/0 possible 65536/1 reachable 400/4
// OPTIONS: --show-leak-kinds=all
#include "scenario.h"
#include <sys/mman.h>

void *holder[5];

static NOINLINE void build(void)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    char *stack = aligned_alloc(pg, 65536);
    SCN_CHECK(stack != NULL);
    memset(stack, 0, 65536);
    SCN_CHECK(mprotect(stack, pg, PROT_NONE) == 0);
    holder[0] = stack + 65536 - 256;
    /* A fiber's frames hold addresses (return addresses, saved pointers):
     * a word >= 4096 at the pointer sends the multiple-inheritance
     * heuristic on to read the block's first word, in the guard page. */
    *(void **)holder[0] = (void *)&holder;
    for (int i = 1; i < 5; i++)
        holder[i] = calloc(1, 100);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
