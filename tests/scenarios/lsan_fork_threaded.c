// Ported from LLVM compiler-rt/test/lsan/TestCases/Linux/fork_threaded.cpp
// (idea): after fork() without exec, the child's check is started by a
// thread other than its main thread (that thread calls exit()), so the
// tool must know the child's main thread (a new tid) and its stack and
// TLS. main's __thread variable holds 1337 B from before the fork, so in
// both processes it is reachable through the main thread's static TLS.
// In the child, main then holds 222 B in a live local while it waits in
// pthread_join and drops 33 B; the thread exits the child with status 3,
// and the parent returns the child's status.
// TRUTH: parent reachable 1337/1 (= valgrind); child definite 33/1,
// reachable 1337 + 222 B, plus the exiting thread's DTV. valgrind agrees
// on the child's blocks (checked by hand: definite 33/1, possible 288/1,
// reachable 1,559/2); no ORACLE because of that DTV (see
// exit_from_thread.c), hence the three shapes for the child.
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 1337/1
// EXPECT-ANY: definite 33/1 indirect 0/0 possible 272..800/1 reachable 1559/2
// EXPECT-ANY: definite 33/1 indirect 0/0 possible 0/0 reachable 1831..2359/3
// EXPECT-ANY: definite 33/1 indirect 0/0 possible 0/0 reachable 1559/2
// EXPECT-RECORD: 33 bytes in 1 blocks are definitely lost | malloc | drop | child
// EXPECT-EXIT: 3
// CFLAGS: -fno-builtin
#include "scenario.h"
#include <pthread.h>
#include <sys/wait.h>

static __thread void *volatile tls_var;

static NOINLINE void drop(void)
{
    void *p = malloc(33);
    memset(p, 0, 33);
    launder_ptr(p);
}

/* The thread exits only once main has scrubbed its stack: otherwise, on a
 * loaded machine, the check stopped main inside scrub_stack, whose 64 KiB
 * pad was still live and still held the stale p+3 an earlier call left
 * deep in the stack ("possibly lost" 33 B, ~1 run in 300; LEAKTRACE_WHY=33
 * showed the word 63 KB above main's stopped stack pointer). */
static int scrubbed[2];

static void *exiter(void *arg)
{
    (void)arg;
    char c;
    SCN_CHECK(read(scrubbed[0], &c, 1) == 1);
    scrub();
    exit(3);
}

static NOINLINE void child(void)
{
    void *volatile held = malloc(222);
    memset(held, 0, 222);
    drop();
    pthread_t t;
    SCN_CHECK(pipe(scrubbed) == 0);
    SCN_CHECK(pthread_create(&t, NULL, exiter, NULL) == 0);
    scrub();
    SCN_CHECK(write(scrubbed[1], "x", 1) == 1);
    pthread_join(t, NULL);
    SCN_CHECK(!"the thread's exit() returned");
    (void)held;
}

static NOINLINE void set_tls(void)
{
    tls_var = malloc(1337);
    memset(tls_var, 0, 1337);
}

int main(void)
{
    set_tls();
    pid_t pid = fork();
    SCN_CHECK(pid >= 0);
    if (pid == 0)
        child();
    int st;
    SCN_CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
    scrub();
    return WEXITSTATUS(st);
}
