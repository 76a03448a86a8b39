// Ported from LLVM compiler-rt/test/lsan/TestCases/user_pointer.cpp
// (idea): pointers stored as plain integers (uintptr_t) in a global array
// are still pointers to the scan: 1024 small blocks held that way must not
// be reported. Here the integers sit in .bss (zero-initialised array) and
// in .data (an array with a non-zero initialiser), 512 of each.
// TRUTH (= valgrind): reachable 1024 x 8 B; nothing lost.
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 8192/1024
// ORACLE: valgrind
#include "scenario.h"

uintptr_t in_bss[512];
uintptr_t in_data[512] = {1};

static NOINLINE void fill(void)
{
    for (int i = 0; i < 512; i++) {
        in_bss[i] = (uintptr_t)malloc(sizeof(int *));
        in_data[i] = (uintptr_t)malloc(sizeof(int *));
        SCN_CHECK(in_bss[i] != 0 && in_data[i] != 0);
    }
}

int main(void)
{
    fill();
    scrub();
    return 0;
}
