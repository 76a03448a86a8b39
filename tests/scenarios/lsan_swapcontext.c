// Ported from LLVM compiler-rt/test/lsan/TestCases/swapcontext.cpp
// (idea): a coroutine runs on a malloc'd stack (makecontext), allocates
// a block, keeps its only pointer in a local, and swaps back to main
// before finishing. The coroutine stack block is held by a global, so
// the suspended frame's local is reached through it.
// A block the coroutine dropped in a callee (1338 B) is reachable too:
// its pointer stays in the dead part of the coroutine stack, and a heap
// block is scanned whole (memcheck's rule -- no stack-pointer bound inside
// a heap block).
// TRUTH (= valgrind): the stack (64 KiB) and both blocks reachable.
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 68211/3
// ORACLE: valgrind
#include "scenario.h"
#include <ucontext.h>

static ucontext_t main_ctx, co_ctx;
char *co_stack;

static NOINLINE void drop(void)
{
    void *p = launder_ptr(malloc(1338));
    memset(p, 0, 1338);
}

static void co(void)
{
    void *local = malloc(1337);
    memset(local, 0, 1337);
    __asm__ volatile("" : : "r"(&local) : "memory");
    drop();
    swapcontext(&co_ctx, &main_ctx);
    __asm__ volatile("" : : "r"(&local) : "memory");
}

int main(void)
{
    co_stack = malloc(65536);
    SCN_CHECK(getcontext(&co_ctx) == 0);
    co_ctx.uc_stack.ss_sp = co_stack;
    co_ctx.uc_stack.ss_size = 65536;
    co_ctx.uc_link = &main_ctx;
    makecontext(&co_ctx, co, 0);
    SCN_CHECK(swapcontext(&main_ctx, &co_ctx) == 0);
    scrub();
    return 0;
}
