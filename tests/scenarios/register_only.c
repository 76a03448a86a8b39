// At the exit() call the only pointer to a block is in a callee-saved
// register (r12 on x86-64): the registers of the exiting thread are roots,
// so the block is still reachable (valgrind scans the registers). A block
// dropped before: definitely lost. The call to exit is made from inline
// assembly so that no compiler-made stack copy of the pointer exists; the
// block's pointer was last stored in make()'s dead frame, which scrub_stack
// overwrites first. (On other architectures the pointer is kept in a
// global instead, with the same expected numbers.)
// EXPECT: definite 24/1 indirect 0/0 possible 0/0 reachable 200/1
// EXPECT-EXIT: 0
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void drop(void) { launder_ptr(malloc(24)); }
__attribute__((used)) NOINLINE void *make(void) { return malloc(200); }

#if !defined(__x86_64__)
void *kept;
#endif

int main(void)
{
    drop();
    scrub();
#if defined(__x86_64__)
    __asm__ volatile(
        "call make\n\t"
        "mov %%rax, %%r12\n\t"
        "xor %%eax, %%eax\n\t"
        "call scrub_stack\n\t"
        "xor %%eax, %%eax\n\t"
        "xor %%ecx, %%ecx\n\t"
        "xor %%edx, %%edx\n\t"
        "xor %%esi, %%esi\n\t"
        "xor %%r8d, %%r8d\n\t"
        "xor %%r9d, %%r9d\n\t"
        "xor %%r10d, %%r10d\n\t"
        "xor %%r11d, %%r11d\n\t"
        "xor %%edi, %%edi\n\t"
        "call exit@PLT\n\t"
        ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "memory");
#else
    kept = make();
    exit(0);
#endif
    return 0;
}
