// A running thread holds the only pointer to a block in a callee-saved
// register (r12 on x86-64) while it spins; nothing in memory points at the
// block (the pointer's last memory copy, in make()'s dead frame, was
// scrubbed). Valgrind scans every thread's registers, so it is still
// reachable; a tool must read the other threads' registers (e.g. by
// stopping them) to agree. No ORACLE, because of the running thread's
// DTV (see live_thread_stack.c); on other architectures the pointer is
// kept in a global instead, with the same expected numbers.
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 272..800/1 reachable 100/1
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 372..900/2
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 100/1
#include "scenario.h"
#include <pthread.h>

volatile int ready;
__attribute__((used)) NOINLINE void *make(void) { return malloc(100); }
#if !defined(__x86_64__)
void *kept;
#endif

static void *worker(void *arg)
{
    (void)arg;
    /* A visible call makes this a non-leaf function: the compiler then
     * keeps the stack pointer 16-byte aligned and uses no red zone, which
     * the calls made from the assembly below rely on. */
    scrub_registers();
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
        "xor %%edi, %%edi\n\t"
        "xor %%r8d, %%r8d\n\t"
        "xor %%r9d, %%r9d\n\t"
        "xor %%r10d, %%r10d\n\t"
        "xor %%r11d, %%r11d\n\t"
        "movl $1, ready(%%rip)\n\t"
        "1: pause\n\t"
        "jmp 1b\n\t"
        ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "memory");
#else
    kept = make();
    scrub();
    ready = 1;
    for (;;)
        pause();
#endif
    return NULL;
}

int main(void)
{
    pthread_t t;
    SCN_CHECK(pthread_create(&t, NULL, worker, NULL) == 0);
    while (!ready)
        usleep(1000);
    scrub();
    return 0;
}
