/* stacks.c — the tool on small stacks (issue 11 item 3).
 *
 * usage: stacks MODE
 *   minthread  a thread with a PTHREAD_STACK_MIN stack allocates and frees;
 *              main then exits 0.
 *   coroutine  exit(4) called on a 64 KiB makecontext stack.
 *   altterm    an 8 KiB sigaltstack (as Rust's runtime sets up), SIGTERM
 *              left at its default, raised: report, death by SIGTERM.
 *   handled    SIGTERM handled on an 8 KiB sigaltstack by a handler that
 *              calls exit(6).
 *   altcrash   a SIGSEGV handler on an 8 KiB sigaltstack calls _exit(2)
 *              after a NULL dereference.
 *   overflow   a thread recurses until its stack overflows: the report is
 *              written (the thread gets an alternate signal stack from the
 *              tool) and the process dies of SIGSEGV. */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

void *kept;
__attribute__((noinline)) static void leak_site(void) { char *p = malloc(1001); memset(p, 3, 1001); p = NULL; }

static void *small(void *arg)
{
    for (int i = 0; i < 100; i++) {
        void *p = malloc((size_t)i * 8 + 1);
        free(p);
    }
    kept = malloc(77);
    return arg;
}

static ucontext_t main_uc, co_uc;
static void co_body(void) { leak_site(); exit(4); }

static char altstack[8192] __attribute__((aligned(16)));
static void use_altstack(void)
{
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
}

static void on_term(int sig) { (void)sig; exit(6); }
static void on_segv(int sig) { (void)sig; _exit(2); }

__attribute__((noinline)) static int recurse(volatile char *p, int depth)
{
    volatile char buf[512];
    buf[0] = (char)depth;
    buf[511] = p ? p[0] : 0;
    return recurse(buf, depth + 1) + buf[5];
}
static void *overflower(void *arg) { (void)arg; return (void *)(long)recurse(NULL, 0); }

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "minthread";
    kept = malloc(40);
    leak_site();
    if (strcmp(mode, "minthread") == 0) {
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN);
        pthread_t t;
        if (pthread_create(&t, &a, small, NULL) != 0)
            return 90;
        pthread_join(t, NULL);
        return 0;
    }
    if (strcmp(mode, "coroutine") == 0) {
        size_t size = 64 << 10;
        char *stk = malloc(size);
        getcontext(&co_uc);
        co_uc.uc_stack.ss_sp = stk;
        co_uc.uc_stack.ss_size = size;
        co_uc.uc_link = &main_uc;
        makecontext(&co_uc, co_body, 0);
        swapcontext(&main_uc, &co_uc);
        return 91;
    }
    if (strcmp(mode, "altterm") == 0) {
        use_altstack();
        raise(SIGTERM);
        return 92;
    }
    if (strcmp(mode, "handled") == 0) {
        use_altstack();
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_term;
        sa.sa_flags = SA_ONSTACK;
        sigaction(SIGTERM, &sa, NULL);
        raise(SIGTERM);
        return 93;
    }
    if (strcmp(mode, "altcrash") == 0) {
        use_altstack();
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_segv;
        sa.sa_flags = SA_ONSTACK;
        sigaction(SIGSEGV, &sa, NULL);
        *(volatile int *)(long)argc /* 2: a bad address */ = 1;
        return 94;
    }
    if (strcmp(mode, "overflow") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, overflower, NULL);
        pthread_join(t, NULL);
        return 95;
    }
    return 99;
}
