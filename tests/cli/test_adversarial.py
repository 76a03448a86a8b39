#!/usr/bin/env python3
"""Programs the tool must not change, each compared with its plain run.

1. fork_in_handler: a SIGALRM timer whose handler forks (fork is
   async-signal-safe in POSIX.1-2008) while the main thread loops on
   malloc/free; the child only _exits. Plainly it finishes in well under a
   second; under the tool a fork from a handler that interrupted the tool
   took a bounded spin on the table stripe this thread holds
   (src/table.c lock_all, ~3 ms), longer than the timer period, so the
   main thread never ran again (a livelock, and SIGTERM stayed deferred).
   The period is 1.5 times what a fork and wait cost in the process
   before the timer starts, at least 1 ms, and children are not checked
   (--child-silent-after-fork=yes): with a fixed 1 ms and checked
   children, a loaded machine where a checked child costs 1.6 ms (plain
   0.7) starved the program with no spin at all (20/20 hung on a fresh
   machine); with twice the cost of a checked fork, the spin (~2 ms here)
   fitted in the period and the old code passed. Checked by mutation
   (fork_quiet as before the fix): 20/20 hung. 20 runs (a race with a
   timer), 20 s each at most.
2. own_rlimit_as: the program lowers its own RLIMIT_AS to 1 GiB after
   start-up and then allocates 100 MiB in 4 KiB blocks and 50 MiB at once.
   Plainly every allocation succeeds; the tool's 64 GiB PROT_NONE arena
   reservation (src/arena.c, made while RLIMIT_AS was unlimited) counts
   against the new limit and the program's own mallocs failed."""
import os, subprocess, sys, tempfile

from harness import arg_parser, check, clean_env, describe_status, finish, run_grouped

ap = arg_parser(__doc__)
args = ap.parse_args()
lib = os.path.abspath(args.lib)
work = tempfile.mkdtemp(prefix="lt-adv-")

PROGS = {
    "fork_in_handler": r'''
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
static volatile int forks;
static void h(int s)
{
    (void)s;
    pid_t p = fork();
    if (p == 0)
        _exit(9);
    if (p > 0) {
        int st;
        waitpid(p, &st, 0);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 9)
            forks++;
    }
}
/* One and a half times what a fork and wait cost here, at least 1 ms: a
 * handler may take as long as any fork takes in this process (a loaded
 * machine), but not a spin of milliseconds on top of it. */
static long period_us(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 10; i++) {
        pid_t p = fork();
        if (p == 0)
            _exit(9);
        if (p > 0)
            waitpid(p, 0, 0);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    long us = ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000) / 10;
    return 3 * us / 2 > 1000 ? 3 * us / 2 : 1000;
}
int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, 0);
    long us = period_us();
    struct itimerval it = {{0, us}, {0, us}};
    setitimer(ITIMER_REAL, &it, 0);
    for (long i = 0; forks < 30; i++) {
        void *p = malloc(i % 1000 + 1);
        free(p);
    }
    struct itimerval z = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &z, 0);
    printf("30 forks from the handler\n");
    return 0;
}
''',
    "own_rlimit_as": r'''
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
static void *ps[25600];
int main(void)
{
    struct rlimit r = {(rlim_t)1 << 30, (rlim_t)1 << 30};
    if (setrlimit(RLIMIT_AS, &r))
        return 2;
    int n = 0;
    for (; n < 25600; n++) {
        if (!(ps[n] = malloc(4096)))
            break;
        memset(ps[n], 1, 64);
    }
    printf("4 KiB blocks: %d of 25600 (errno %d)\n", n, n < 25600 ? errno : 0);
    void *big = malloc(50 << 20);
    printf("50 MiB block: %s\n", big ? "ok" : "NULL");
    free(big);
    for (int i = 0; i < n; i++)
        free(ps[i]);
    return 0;
}
''',
}

exes = {}
for name, src in PROGS.items():
    c = os.path.join(work, name + ".c")
    with open(c, "w") as f:
        f.write(src)
    exes[name] = os.path.join(work, name)
    subprocess.run(["cc", "-O1", "-g", "-o", exes[name], c], check=True)

env0 = clean_env()
envt = dict(env0, LD_PRELOAD=lib)


def run(exe, env, timeout=20):
    r = run_grouped([exe], env, timeout, cwd=work)
    return r


def outcome(r):
    rc, out, hung = r[0], r[1], r[4]
    return ("hung (killed after 20 s)" if hung else describe_status(rc), out.decode())


# fork_in_handler's children are not checked: what it tests is the fork
# itself, and a checked child's cost only adds to the period.
OPTIONS = {"fork_in_handler": "--child-silent-after-fork=yes"}
for name, runs in (("fork_in_handler", 20), ("own_rlimit_as", 3)):
    plain = outcome(run(exes[name], env0))
    bad = []
    for i in range(runs):
        got = outcome(run(exes[name], dict(envt, LEAKTRACE_OPTIONS=OPTIONS.get(name, ""))))
        if got != plain:
            bad.append("%s %r" % got)
    check(not bad, "%s: status and stdout as without the tool (%s %r); %d/%d differ: %s"
          % (name, plain[0], plain[1], len(bad), runs, "; ".join(bad[:2])))

sys.exit(finish())
