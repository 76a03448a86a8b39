// Ported from LLVM compiler-rt/test/lsan/TestCases/
// leak_check_before_thread_started.cpp (LLVM bug 21621) as it is written
// there, issue 10 item 3: main creates detached threads, each given a
// malloc'd argument, and returns at once. A thread that has not yet
// entered its function holds its argument only in pthread_create's
// hands (for the tool: its pending copy); one that has, in its frame
// (each blocks reading a pipe that is never written). Either way the
// argument is not a leak.
// TRUTH: nothing definitely lost; the 8 arguments are reachable (plus
// each running thread's DTV, possibly lost for valgrind, reachable or
// suppressed for the tool -- see live_thread_stack.c; hence ranges and
// no ORACLE).
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0..9000/0..8 reachable 10696..20000/8..16
#include "scenario.h"
#include <pthread.h>

static int fds[2];

static void *func(void *arg)
{
    char c;
    (void)!read(fds[0], &c, 1);
    free(arg);
    return NULL;
}

int main(void)
{
    SCN_CHECK(pipe(fds) == 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < 8; i++) {
        pthread_t t;
        void *arg = malloc(1337);
        memset(arg, 0, 1337);
        SCN_CHECK(pthread_create(&t, &attr, func, arg) == 0);
    }
    return 0;
}
