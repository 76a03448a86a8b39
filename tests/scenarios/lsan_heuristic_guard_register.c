// Issue 10 item 4, register form: at the exit() call the only pointer
// into a fiber stack (a page-aligned heap block whose first page is
// PROT_NONE) is an interior one in a callee-saved register (r12, set in
// inline assembly as in register_only.c). The heuristics' read of the
// block's first words faults; that must mean "no heuristic", not a dead
// process.
// TRUTH: the stack is possibly lost (64 KiB); a block dropped before is
// definitely lost (24 B); the process exits with status 0. (No ORACLE:
// valgrind's view of a protected heap block is not the program's.) On
// other architectures the pointer is kept in a global, same numbers.
// EXPECT: definite 24/1 indirect 0/0 possible 65536/1 reachable 0/0
// EXPECT-EXIT: 0
#include "scenario.h"
#include <sys/mman.h>

static NOINLINE void drop(void) { launder_ptr(malloc(24)); }

__attribute__((used)) NOINLINE char *make(void)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    char *stack = aligned_alloc(pg, 65536);
    SCN_CHECK(stack != NULL);
    memset(stack, 0, 65536);
    SCN_CHECK(mprotect(stack, pg, PROT_NONE) == 0);
    /* a pointer-like word at the target, as a fiber's frames hold: the
     * multiple-inheritance heuristic then reads the block's first word */
    *(void **)(stack + 65536 - 256) = (void *)&scn_sink;
    return stack + 65536 - 256;
}

#if !defined(__x86_64__)
char *kept;
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
