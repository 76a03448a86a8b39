// Ported from LLVM compiler-rt/test/lsan/TestCases/fork.cpp and
// fork_and_leak.cpp (idea): after fork both processes are checked at
// their own exit. The parent leaks 1337 B before the fork (so both have
// it), the child then leaks 1338 B more and keeps 100 B in a global; the
// parent waits for the child.
// TRUTH (= valgrind, one report per process): parent definite 1337/1;
// child definite 2675/2, reachable 100/1.
// EXPECT: definite 1337/1 indirect 0/0 possible 0/0 reachable 0/0
// EXPECT: definite 2675/2 indirect 0/0 possible 0/0 reachable 100/1
// ORACLE: valgrind --trace-children=yes
#include "scenario.h"
#include <sys/wait.h>

void *kept;

static NOINLINE void drop(size_t n)
{
    void *p = launder_ptr(malloc(n));
    memset(p, 0, n);
}

int main(void)
{
    drop(1337);
    pid_t pid = fork();
    SCN_CHECK(pid >= 0);
    if (pid == 0) {
        drop(1338);
        kept = malloc(100);
        scrub();
        return 0;
    }
    int st;
    SCN_CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    scrub();
    return 0;
}
