/* tests/unwind/shapes.c — stack shapes for the unwind-cache equality test
 * (tests/cli/test_unwind_cache.py): each part allocates many times from
 * repeating and from varying stacks, so the cache of the previous stack
 * (src/unwcache.c) is both hit and invalidated, and leaks one block per
 * site so the stacks show in the report.  Built at several -O levels, with
 * and without frame pointers, with -mstackrealign (DRAP frames).
 *   shapes PART...   parts: same recurse vla realign signal longjmp ucontext threads */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>

#define NI __attribute__((noinline))
#define KEEP() __asm__ volatile("" ::: "memory")
void *volatile sink;
static volatile int leak_now;
static volatile int signals_on;   /* SIGALRM allocates: keep it out of malloc (glibc's is not async-signal-safe) */

NI static void alloc_here(size_t n)
{
    sigset_t alrm, old;
    if (signals_on) {
        sigemptyset(&alrm);
        sigaddset(&alrm, SIGALRM);
        sigprocmask(SIG_BLOCK, &alrm, &old);
    }
    void *p = malloc(n);
    if (leak_now) sink = p, sink = 0;                 /* a leak: its stack is reported */
    else free(p);
    if (signals_on)
        sigprocmask(SIG_SETMASK, &old, 0);
}

/* same: one site, many times (the cache's best case) */
NI static void same(void) { for (int i = 0; i < 2000; i++) alloc_here(16 + i % 64); KEEP(); }

/* recurse: allocations at every depth going down and up */
NI static void rec(int d)
{
    alloc_here(24);
    if (d > 0) rec(d - 1);
    alloc_here(40);
    KEEP();
}

/* vla: two chains reaching the same leaf through a variable-size frame, so
 * the leaf's (pc, sp) recur under different outer frames */
NI static void leaf(void) { alloc_here(56); KEEP(); }
NI static void vla(int n) { char v[n]; memset(v, 1, (size_t)n); sink = v; leaf(); KEEP(); }
NI static void chain_a(int n) { vla(n); KEEP(); }
NI static void pad(int n) { char v[n + 32]; memset(v, 2, (size_t)n + 32); sink = v; vla(n); KEEP(); }
NI static void chain_b(int n) { pad(n); KEEP(); }
NI static void vla_part(void)
{
    for (int r = 0; r < 3; r++)
        for (int n = 16; n < 512; n += 8)
            for (int m = 0; m < 96; m += 8) {
                chain_a(n);
                chain_b(m);
                for (volatile int k = 0; k < 3; k++) chain_a(n);   /* one call site: hits */
            }
}

/* realign: over-aligned locals make gcc realign the stack */
NI static void realigned(int i)
{
    char buf[64] __attribute__((aligned(64)));
    memset(buf, i, sizeof buf);
    sink = buf;
    alloc_here(72 + (size_t)(i & 7));
    KEEP();
}
NI static void realign_part(void) { for (int i = 0; i < 500; i++) realigned(i); }

/* signal: a handler that allocates, interrupting allocations */
static void on_alarm(int s) { (void)s; alloc_here(88); }
NI static void signal_part(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, 0);
    signals_on = 1;
    struct itimerval it = { { 0, 200 }, { 0, 200 } };
    setitimer(ITIMER_REAL, &it, 0);
    for (int i = 0; i < 300; i++) { same(); if (i % 100 == 0) rec(3); }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, 0);
    raise(SIGALRM);                                   /* one certain handler allocation */
    signals_on = 0;
}

/* longjmp: out of allocating frames, back in at other depths */
static jmp_buf jb;
NI static void jump_down(int d) { alloc_here(104); if (d) jump_down(d - 1); else longjmp(jb, 1); KEEP(); }
NI static void longjmp_part(void)
{
    for (volatile int i = 0; i < 300; i++)
        if (!setjmp(jb)) jump_down(i % 9);
    alloc_here(112);
}

/* ucontext: coroutines on heap stacks, switching while allocating */
static ucontext_t main_uc, co_uc;
NI static void co_body(void) { for (;;) { alloc_here(120); rec(2); swapcontext(&co_uc, &main_uc); } }
NI static void ucontext_part(void)
{
    static char stack[256 * 1024];
    getcontext(&co_uc);
    co_uc.uc_stack.ss_sp = stack;
    co_uc.uc_stack.ss_size = sizeof stack;
    co_uc.uc_link = 0;
    makecontext(&co_uc, co_body, 0);
    for (int i = 0; i < 300; i++) { swapcontext(&main_uc, &co_uc); alloc_here(128); }
}

/* threads: the above on four threads at once */
static void *thread_main(void *a) { (void)a; same(); rec(12); vla_part(); realign_part(); return 0; }
NI static void threads_part(void)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], 0, thread_main, 0);
    for (int i = 0; i < 4; i++) pthread_join(t[i], 0);
}

static void run(const char *p)
{
    if (!strcmp(p, "same")) same();
    else if (!strcmp(p, "recurse")) { for (int i = 0; i < 50; i++) rec(i % 40); }
    else if (!strcmp(p, "vla")) vla_part();
    else if (!strcmp(p, "realign")) realign_part();
    else if (!strcmp(p, "signal")) signal_part();
    else if (!strcmp(p, "longjmp")) longjmp_part();
    else if (!strcmp(p, "ucontext")) ucontext_part();
    else if (!strcmp(p, "threads")) threads_part();
    else { fprintf(stderr, "shapes: unknown part %s\n", p); exit(2); }
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) run(argv[i]);
    leak_now = 1;                                     /* once more, leaking: the report shows the stacks */
    for (int i = 1; i < argc; i++) if (strcmp(argv[i], "signal") && strcmp(argv[i], "ucontext")) run(argv[i]);
    printf("shapes: done\n");
    return 0;
}
