// Ported from LLVM compiler-rt/test/lsan/TestCases/
// leak_check_before_thread_started.cpp (LLVM bug 21621), issue 10 item 3:
// a leak check made right after pthread_create, whose malloc'd argument
// is then held only by pthread_create's machinery (the tool's pending
// copy, or the new thread's stack/registers). The argument is not a leak
// at any moment. 20 rounds: create, check (must find 0 leaks), let the
// thread go, join; the thread frees its argument.
// TRUTH: every check returns 0; nothing left at exit. (No ORACLE:
// valgrind knows no LSan checks; at exit it would agree: no leaks.)
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 0/0
#include "scenario.h"
#include <pthread.h>

int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static int go[2];

static void *worker(void *arg)
{
    char c;
    SCN_CHECK(read(go[0], &c, 1) == 1);
    free(arg);
    return NULL;
}

int main(void)
{
    SCN_CHECK(pipe(go) == 0);
    for (int i = 0; i < 20; i++) {
        pthread_t t;
        void *arg = malloc(1337);
        memset(arg, 0, 1337);
        SCN_CHECK(pthread_create(&t, NULL, worker, arg) == 0);
        arg = NULL;
        if (__lsan_do_recoverable_leak_check)
            SCN_CHECK(__lsan_do_recoverable_leak_check() == 0);
        SCN_CHECK(write(go[1], "x", 1) == 1);
        SCN_CHECK(pthread_join(t, NULL) == 0);
    }
    scrub();
    return 0;
}
