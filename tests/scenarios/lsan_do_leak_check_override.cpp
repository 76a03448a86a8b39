// Ported from LLVM compiler-rt/test/lsan/TestCases/
// do_leak_check_override.cpp (idea): a program that calls
// __lsan_do_leak_check itself (HeapChecker's "normal" mode: before global
// destructors run) gets that one report and none at exit. A global object
// holds a block that its destructor frees: at the time of the check it is
// still reachable; a dropped block is definitely lost. Calling
// __lsan_do_leak_check a second time does nothing.
// TRUTH of the one report: definite 1337/1, reachable 1338/1. (Without
// an oracle: valgrind checks after the destructor, when 1338 B are gone.)
// Built with clang, the program also loads libstdc++ (no --as-needed),
// whose 72,704-byte emergency exception pool is reachable too: a range.
// EXPECT: definite 1337/1 indirect 0/0 possible 0/0 reachable 1338..74042/1..2
// EXPECT-LINE: 1,338 bytes in 1 blocks are still reachable
// OPTIONS: --show-leak-kinds=all
#include "scenario.h"

extern "C" void __lsan_do_leak_check(void) __attribute__((weak));

struct Holder {
    void *p;
    Holder() : p(malloc(1338)) { memset(p, 0, 1338); }
    ~Holder() { free(p); }
};
Holder holder;

static NOINLINE void drop()
{
    void *p = launder_ptr(malloc(1337));
    memset(p, 0, 1337);
}

int main()
{
    drop();
    scrub();
    if (__lsan_do_leak_check) {
        __lsan_do_leak_check();
        __lsan_do_leak_check();
    }
    return 0;
}
