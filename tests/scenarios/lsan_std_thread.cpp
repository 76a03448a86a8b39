// Issue 10 item 3, C++ form of compiler-rt's
// leak_check_before_thread_started.cpp: std::thread allocates its state
// object with new and hands it to pthread_create; until the new thread
// has taken it, the only copy is pthread_create's (the tool's pending
// one). A check made right after the constructor must find no leak. 20
// rounds: construct, check (0 leaks), release the thread, join. Then 4
// detached threads that block for good are started and main returns at
// once: their state objects (24 B each) are not leaks either, whether or
// not the threads have started.
// TRUTH: every check returns 0; nothing definitely lost at exit; the state
// objects, libstdc++'s emergency pool (72,704 B) and each running
// thread's DTV are reachable, or (the DTVs) possibly lost or suppressed --
// see live_thread_stack.c; hence ranges and no ORACLE.
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0..5000/0..4 reachable 96..90000/4..13
#include "scenario.h"
#include <thread>

extern "C" int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static int go[2], never[2];

static void body(int i)
{
    char c;
    if (i < 0)
        (void)!read(never[0], &c, 1);
    else
        SCN_CHECK(read(go[0], &c, 1) == 1);
}

int main()
{
    SCN_CHECK(pipe(go) == 0 && pipe(never) == 0);
    for (int i = 0; i < 20; i++) {
        std::thread t(body, i);
        if (__lsan_do_recoverable_leak_check)
            SCN_CHECK(__lsan_do_recoverable_leak_check() == 0);
        SCN_CHECK(write(go[1], "x", 1) == 1);
        t.join();
    }
    for (int i = 0; i < 4; i++)
        std::thread(body, -1).detach();     /* reads a pipe nobody writes */
    return 0;
}
