/* stopworld.c — a server-like process whose other threads a check must
 * stop without their noticing (issue 11 items 2 and 7).
 *
 * usage: stopworld MODE N
 *   check   main calls leaktrace_check() N times while threads sit in poll,
 *           select, epoll_wait and sigwaitinfo and two threads that block
 *           every signal hammer malloc and localtime; then it wakes them and
 *           each prints what its call returned (EINTR must never show).
 *   signal  the same, but the reports come from SIGUSR2 (--report-signal)
 *           sent from outside; main prints "ready" and runs an allocation
 *           loop until the file argv[3] exists. The waiting threads block
 *           SIGUSR2, as a server keeps such signals off its I/O threads: the
 *           kernel may hand a process signal to any thread that does not
 *           block it, and its handler makes poll() fail with EINTR
 *           (signal(7)); the stops of the checks themselves must not.
 *   exit    main calls exit(0) with all of them still running (the final
 *           check must neither crash nor wait, nor run __libc_freeres under
 *           a thread that could not be stopped).
 *   unshare main calls leaktrace_check() N times, then, single-threaded,
 *           unshare(CLONE_NEWUSER), and prints whether it worked.
 *   seccomp-eperm, seccomp-kill
 *           as check, under a seccomp filter that makes ptrace() fail with
 *           EPERM (Docker's default profile) or kills the process (here: the
 *           tool's helper task) that calls it. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static void deny_ptrace(unsigned action)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, action),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { sizeof f / sizeof f[0], f };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        exit(90);
}

unsigned long leaktrace_check(void) __attribute__((weak));
static int pfd[2];
static volatile int stop;
void *kept;

static void say(const char *what, int r, int err)
{
    printf("%s %s\n", what, r < 0 ? strerror(err) : "ok");
    fflush(stdout);
}

static int block_usr2;

static void keep_usr2_off(void)
{
    if (block_usr2) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR2);
        pthread_sigmask(SIG_BLOCK, &s, 0);
    }
}

static void *tpoll(void *a)
{
    (void)a;
    keep_usr2_off();
    struct pollfd p = { pfd[0], POLLIN, 0 };
    int r = poll(&p, 1, -1);
    say("poll", r, errno);
    return 0;
}

static void *tepoll(void *a)
{
    (void)a;
    keep_usr2_off();
    int e = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN };
    epoll_ctl(e, EPOLL_CTL_ADD, pfd[0], &ev);
    int r = epoll_wait(e, &ev, 1, -1);
    say("epoll_wait", r, errno);
    return 0;
}

static void *tselect(void *a)
{
    (void)a;
    keep_usr2_off();
    fd_set s;
    FD_ZERO(&s);
    FD_SET(pfd[0], &s);
    int r = select(pfd[0] + 1, &s, 0, 0, 0);
    say("select", r, errno);
    return 0;
}

static void *tsigwait(void *a)
{
    (void)a;
    sigset_t s;
    sigfillset(&s);
    pthread_sigmask(SIG_BLOCK, &s, 0);
    siginfo_t i;
    int r = sigwaitinfo(&s, &i);
    printf("sigwaitinfo %s\n", r == SIGUSR1 ? "SIGUSR1" : r < 0 ? strerror(errno) : "another signal");
    fflush(stdout);
    return 0;
}

static void *tblocked(void *a)
{
    (void)a;
    sigset_t s;
    sigfillset(&s);
    pthread_sigmask(SIG_BLOCK, &s, 0);
    while (!stop) {
        char *p = malloc(128);
        time_t t = time(0);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(p, 128, "%c %Z", &tm);
        free(p);
    }
    return 0;
}

static volatile sig_atomic_t reports;

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "check";
    int n = argc > 2 ? atoi(argv[2]) : 3;
    setenv("TZ", "Europe/Paris", 1);
    if (pipe(pfd) != 0)
        return 99;
    kept = malloc(24);
    block_usr2 = strcmp(mode, "signal") == 0;
    if (strcmp(mode, "seccomp-eperm") == 0)
        deny_ptrace(SECCOMP_RET_ERRNO | 1 /* EPERM */);
    if (strcmp(mode, "seccomp-kill") == 0)
        deny_ptrace(SECCOMP_RET_KILL_PROCESS);
    if (strcmp(mode, "unshare") == 0) {
        for (int i = 0; i < n; i++)
            if (leaktrace_check)
                leaktrace_check();
        int r = unshare(CLONE_NEWUSER);
        say("unshare", r, errno);
        return 0;
    }
    pthread_t t[6];
    pthread_create(&t[0], 0, tpoll, 0);
    pthread_create(&t[1], 0, tepoll, 0);
    pthread_create(&t[2], 0, tselect, 0);
    pthread_create(&t[3], 0, tsigwait, 0);
    pthread_create(&t[4], 0, tblocked, 0);
    pthread_create(&t[5], 0, tblocked, 0);
    struct timespec ts = { 0, 100 * 1000 * 1000 };
    nanosleep(&ts, 0);
    if (strcmp(mode, "exit") == 0) {
        printf("exiting\n");
        exit(0);
    }
    if (strcmp(mode, "signal") == 0) {
        /* the report signal comes from outside; main keeps allocating */
        printf("ready\n");
        fflush(stdout);
        char buf[8];
        /* the test writes one byte on stdin... no: it tells us by a file */
        (void)buf;
        while (access(argv[3], F_OK) != 0)
            free(malloc(64));
    } else {
        for (int i = 0; i < n; i++)
            if (leaktrace_check)
                leaktrace_check();
    }
    nanosleep(&ts, 0);
    if (write(pfd[1], "x", 1) != 1)
        return 98;
    pthread_kill(t[3], SIGUSR1);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], 0);
    stop = 1;
    pthread_join(t[4], 0);
    pthread_join(t[5], 0);
    return 0;
}
