// Ported from Valgrind memcheck/tests/pointer-trace.c (idea): the leak
// scan meets words that look like pointers into memory that is not there
// or not readable, and memory the program made unreadable.
//   - a global array holds junk "pointers": into an unmapped hole, into a
//     PROT_NONE mapping, a non-canonical address, -1: nothing to find, and
//     the scan must not fault;
//   - block X's only pointer sits in a page the program made PROT_NONE:
//     not a root (valgrind scans readable memory only; the program cannot
//     read it without changing the protection) -- definitely lost;
//   - block Y's only pointer sits in a page made read-only: memcheck
//     scans only mappings that are both readable and writable (it skips
//     code and read-only data that way), so Y is definitely lost too,
//     though the program could still read the pointer. We follow
//     memcheck's rule.
// TRUTH (= valgrind): definite 40/1 + 50/1.
// EXPECT: definite 90/2 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"
#include <sys/mman.h>

void *junk[4];

static NOINLINE void build(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SCN_CHECK(m != MAP_FAILED);
    SCN_CHECK(munmap(m + pg, pg) == 0);                     /* a hole */
    junk[0] = m + pg + 8;
    junk[1] = m + 2 * pg + 16;                              /* PROT_NONE below */
    junk[2] = (void *)0x8000000000001000ul;                 /* non-canonical */
    junk[3] = (void *)-1l;
    *(void **)(m + 2 * pg) = malloc(40);                    /* X */
    SCN_CHECK(mprotect(m + 2 * pg, pg, PROT_NONE) == 0);
    *(void **)(m + 3 * pg) = malloc(50);                    /* Y */
    SCN_CHECK(mprotect(m + 3 * pg, pg, PROT_READ) == 0);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
