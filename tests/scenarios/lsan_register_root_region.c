// Ported from LLVM compiler-rt/test/lsan/TestCases/
// register_root_region.cpp (idea): a region registered with
// __lsan_register_root_region is a root while registered. Two 64-byte
// holder blocks, both dropped, each hold the only pointer to a child
// block; holder A is registered as a root region, holder B is registered
// and unregistered again.
// TRUTH: A's child (1337 B) reachable through the region; the holders
// (2 x 64 B) definitely lost; B's child (1338 B) indirectly lost.
// (Without an oracle: valgrind knows no LSan root regions and would call
// A's child indirectly lost too.)
// EXPECT: definite 128/2 indirect 1338/1 possible 0/0 reachable 1337/1
// OPTIONS: --show-leak-kinds=all
#include "scenario.h"

void __lsan_register_root_region(const void *p, size_t size) __attribute__((weak));
void __lsan_unregister_root_region(const void *p, size_t size) __attribute__((weak));

static NOINLINE void build(void)
{
    void **a = calloc(1, 64), **b = calloc(1, 64);
    a[0] = calloc(1, 1337);
    b[0] = calloc(1, 1338);
    if (__lsan_register_root_region) {
        __lsan_register_root_region(a, 64);
        __lsan_register_root_region(b, 64);
        __lsan_unregister_root_region(b, 64);
    }
    launder_ptr(a);
    launder_ptr(b);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
