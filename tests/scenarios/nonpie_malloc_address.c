// A non-PIE program that takes malloc's address (a table of allocator
// functions, as Python does): the linker gives the executable a canonical
// PLT entry, an undefined "malloc" whose value is the stub, and dlsym
// answers with it. The program does not define malloc: its blocks must be
// tracked (they were not: "malloc is defined by the program itself", no
// report of the leak; Debian's python3 is such a program).
// TRUTH (= valgrind): 24 bytes definitely lost; 40 reachable through the table user.
// EXPECT: definite 24/1 indirect 0/0 possible 0/0 reachable 40/1
// EXPECT-RECORD: 24 bytes in 1 blocks are definitely lost in loss record 1 of 2 | malloc | * | main
// CFLAGS: -fno-pie -no-pie -fno-optimize-sibling-calls
// ORACLE: valgrind
#include "scenario.h"

struct allocator { void *(*alloc)(size_t); void (*release)(void *); };
static struct allocator *volatile table_user;
void *volatile kept;

static NOINLINE void leak(const struct allocator *a)
{
    launder_ptr(a->alloc(24));
}

int main(void)
{
    static struct allocator sys;
    sys.alloc = malloc;           /* in code: an absolute address, so a PLT entry is canonical */
    sys.release = free;
    table_user = &sys;
    kept = table_user->alloc(40);
    leak(table_user);
    void *p = table_user->alloc(8);
    table_user->release(p);
    scrub();
    return 0;
}
