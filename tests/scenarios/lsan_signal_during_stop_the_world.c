// Ported from LLVM compiler-rt/test/lsan/TestCases/Linux/
// signal_during_stop_the_world.cpp (idea): a check that stops the world
// while signals rain on the process. A forked child sends SIGCHLD and
// SIGPROF to the parent in a tight loop; the parent has a SIGPROF handler
// installed without SA_RESTART, so every blocking system call of the
// checking thread (the tool's waits for its ptrace helper) can return
// EINTR. LSan once crashed there (no EINTR handling in StopTheWorld).
// The parent keeps a thread blocked in read() (signals blocked in it, so
// they all land on main) holding 500 B in a live local, drops 77 B, calls
// __lsan_do_leak_check in the storm, then SIGKILLs the child (no report
// from it), reaps it and says DONE. The tool writes the one report of the
// explicit check and none at exit (lsan_do_leak_check_override.cpp).
// TRUTH: definite 77/1, reachable 500/1, plus the blocked thread's DTV.
// valgrind (the LSan call is a weak symbol, absent there: its report is
// the one at exit) agrees on the blocks (checked by hand: definite 77/1,
// possible 288/1, reachable 500/1); no valgrind oracle because of the
// DTV (see live_thread_stack.c), hence the three accepted shapes.
// EXPECT-ANY: definite 77/1 indirect 0/0 possible 272..800/1 reachable 500/1
// EXPECT-ANY: definite 77/1 indirect 0/0 possible 0/0 reachable 772..1300/2
// EXPECT-ANY: definite 77/1 indirect 0/0 possible 0/0 reachable 500/1
// EXPECT-RECORD: 77 bytes in 1 blocks are definitely lost | malloc | drop | main
// CFLAGS: -fno-builtin
#include "scenario.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

void __lsan_do_leak_check(void) __attribute__((weak));

static int fds[2];
static volatile int ready;
static volatile sig_atomic_t hits;

static void on_prof(int sig)
{
    (void)sig;
    hits++;
}

static void *holder(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    void *local = malloc(500);
    memset(local, 0, 500);
    __asm__ volatile("" : : "r"(&local) : "memory");
    ready = 1;
    char c;
    (void)!read(fds[0], &c, 1);                    /* never written */
    __asm__ volatile("" : : "r"(&local) : "memory");
    return NULL;
}

static NOINLINE void drop(void)
{
    void *p = malloc(77);
    memset(p, 0, 77);
    launder_ptr(p);
}

/* Sleeps the whole time even when handlers interrupt it (by a deadline:
 * restarting nanosleep with the remaining time livelocks in the storm). */
static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
    long end = now_ms() + ms;
    while (now_ms() < end) {
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
}

static NOINLINE pid_t start_storm(void)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    SCN_CHECK(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getppid() != parent)
            _exit(0);
        for (;;) {
            kill(parent, SIGCHLD);
            kill(parent, SIGPROF);
        }
    }
    return pid;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_prof;                       /* no SA_RESTART */
    SCN_CHECK(sigaction(SIGPROF, &sa, NULL) == 0);
    SCN_CHECK(pipe(fds) == 0);
    pthread_t t;
    SCN_CHECK(pthread_create(&t, NULL, holder, NULL) == 0);
    while (!ready)
        sched_yield();
    drop();
    pid_t pid = start_storm();
    while (hits < 100)
        sched_yield();                             /* the storm is on */
    scrub();
    if (__lsan_do_leak_check)
        __lsan_do_leak_check();
    SCN_CHECK(kill(pid, SIGKILL) == 0);
    int st;
    pid_t r;
    while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    SCN_CHECK(r == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    sleep_ms(200);                                 /* a helper left running would crash now */
    say("DONE\n");
    scrub();
    return 0;
}
