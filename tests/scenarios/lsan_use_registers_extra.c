// Ported from LLVM compiler-rt/test/lsan/TestCases/use_registers_extra.cpp
// (idea): a running thread holds the only pointer to a block in a vector
// register (xmm0 on x86-64), not in a general-purpose one, while main
// exits. Every other register that could hold a copy (rax, rcx, rdx, rsi,
// rdi, r8..r11, xmm1..xmm15) is cleared in the same inline assembly, and
// the thread then spins on a flag without any call, so xmm0 keeps the
// pointer and nothing else does (the frames of the allocation are below
// the stack pointer minus the red zone: dead). LSan counts the extra
// registers of stopped threads as roots (use_registers=1; the LSan run
// with use_registers=0 expects the leak and has no counterpart here).
// TRUTH: reachable (1337 B): the thread can still use the pointer. No
// valgrind oracle: valgrind scans only the general-purpose registers
// (VG_(apply_to_GP_regs)) and says "definitely lost" (checked by hand:
// definite 1,337/1, possible 288/1); beside that, the running thread's DTV
// (see live_thread_stack.c) gives the three accepted shapes.
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 272..800/1 reachable 1337/1
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 1609..2137/2
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 1337/1
#include "scenario.h"
#include <pthread.h>

__attribute__((used)) volatile int lsan_ready, lsan_stop;
__attribute__((used)) NOINLINE void *alloc_it(void);

static void *spinner(void *arg)
{
    (void)arg;
#if defined(__x86_64__)
    __asm__ volatile(
        "mov %%rsp, %%rbx\n\t"         /* step over the red zone, */
        "sub $256, %%rsp\n\t"          /* align the stack for the call */
        "and $-16, %%rsp\n\t"
        "call alloc_it\n\t"
        "mov %%rbx, %%rsp\n\t"
        "movq %%rax, %%xmm0\n\t"
        "xor %%eax, %%eax\n\t"
        "xor %%ecx, %%ecx\n\t"
        "xor %%edx, %%edx\n\t"
        "xor %%esi, %%esi\n\t"
        "xor %%edi, %%edi\n\t"
        "xor %%r8d, %%r8d\n\t"
        "xor %%r9d, %%r9d\n\t"
        "xor %%r10d, %%r10d\n\t"
        "xor %%r11d, %%r11d\n\t"
        "pxor %%xmm1, %%xmm1\n\t"
        "pxor %%xmm2, %%xmm2\n\t"
        "pxor %%xmm3, %%xmm3\n\t"
        "pxor %%xmm4, %%xmm4\n\t"
        "pxor %%xmm5, %%xmm5\n\t"
        "pxor %%xmm6, %%xmm6\n\t"
        "pxor %%xmm7, %%xmm7\n\t"
        "pxor %%xmm8, %%xmm8\n\t"
        "pxor %%xmm9, %%xmm9\n\t"
        "pxor %%xmm10, %%xmm10\n\t"
        "pxor %%xmm11, %%xmm11\n\t"
        "pxor %%xmm12, %%xmm12\n\t"
        "pxor %%xmm13, %%xmm13\n\t"
        "pxor %%xmm14, %%xmm14\n\t"
        "pxor %%xmm15, %%xmm15\n\t"
        "movl $1, lsan_ready(%%rip)\n\t"
        "1: pause\n\t"
        "cmpl $0, lsan_stop(%%rip)\n\t"
        "je 1b\n\t"
        ::: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
            "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
            "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory", "cc");
#else
    static void *volatile keep;
    keep = alloc_it();
    lsan_ready = 1;
    while (!lsan_stop)
        ;
#endif
    return NULL;
}

NOINLINE void *alloc_it(void)
{
    void *p = malloc(1337);
    memset(p, 0, 1337);
    return p;
}

int main(void)
{
    pthread_t t;
    SCN_CHECK(pthread_create(&t, NULL, spinner, NULL) == 0);
    while (!lsan_ready)
        sched_yield();
    scrub();
    exit(0);
}
