// Ported from LLVM compiler-rt/test/lsan/TestCases/ignore_object.cpp
// (idea), with issue 10 item 6: __lsan_ignore_object takes any pointer
// into the block (LSan: "the pointer may point anywhere inside the
// object"). Three blocks are dropped after being ignored -- by their
// start, by an interior pointer, by a pointer to their last byte -- and
// one is dropped without: only that one is a leak. Ignored blocks count
// as reachable, and what they point to is reached through them (a
// 1340-byte child).
// TRUTH: definite 1336/1; reachable 1337+1338+1339+1340 B. (No ORACLE:
// valgrind knows no LSan annotations.)
// EXPECT: definite 1336/1 indirect 0/0 possible 0/0 reachable 5354/4
// OPTIONS: --show-leak-kinds=all
#include "scenario.h"

void __lsan_ignore_object(const void *p) __attribute__((weak));

static NOINLINE void build(void)
{
    char *a = calloc(1, 1337), *b = calloc(1, 1338), *c = calloc(1, 1339);
    if (__lsan_ignore_object) {
        __lsan_ignore_object(a);
        __lsan_ignore_object(b + 700);
        __lsan_ignore_object(c + 1338);
    }
    *(void **)b = calloc(1, 1340);
    launder_ptr(a);
    launder_ptr(b);
    launder_ptr(c);
    launder_ptr(calloc(1, 1336));
}

int main(void)
{
    build();
    scrub();
    return 0;
}
