// Ported from LLVM compiler-rt/test/lsan/TestCases/use_registers.cpp
// (idea): a running thread holds the only pointer to a block in a
// register while main exits. Unlike thread_register_only.c the register
// is a caller-saved one (r10 on x86-64), loaded in inline assembly while
// the thread spins on a flag that is never set: for a thread interrupted
// asynchronously every register is live (issue 10 item 1: "for
// interrupted threads all registers").
// TRUTH (= valgrind, which scans every thread's registers): reachable
// (1337 B). No ORACLE because of the running thread's DTV (see
// live_thread_stack.c), hence the three accepted shapes.
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 272..800/1 reachable 1337/1
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 1609..2200/2
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
        "sub $128, %%rsp\n\t"          /* align the stack for the call */
        "and $-16, %%rsp\n\t"
        "call alloc_it\n\t"
        "mov %%rbx, %%rsp\n\t"
        "mov %%rax, %%r10\n\t"
        "xor %%eax, %%eax\n\t"
        "movl $1, lsan_ready(%%rip)\n\t"
        "1: pause\n\t"
        "cmpl $0, lsan_stop(%%rip)\n\t"
        "je 1b\n\t"
        ::: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
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
