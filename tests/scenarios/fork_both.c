// fork: parent and child each write their own report with their own PID.
// Before the fork the parent keeps 100 bytes in a global (reachable in
// both) and drops 10 (definitely lost in both). The child leaks its own
// 20-byte block and returns from main; the parent waits for it.
// PROCESSES: 2
// EXPECT: definite 10/1 indirect 0/0 possible 0/0 reachable 100/1
// EXPECT: definite 30/2 indirect 0/0 possible 0/0 reachable 100/1
// EXPECT-RECORD: 20 bytes in 1 blocks are definitely lost | malloc | child_leak | main
// ORACLE: valgrind
#include "scenario.h"
#include <sys/wait.h>

void *kept;
static NOINLINE void before(void)
{
    kept = malloc(100);
    launder_ptr(malloc(10));
}

static NOINLINE void child_leak(void) { launder_ptr(malloc(20)); }

int main(void)
{
    before();
    scrub();
    pid_t pid = fork();
    SCN_CHECK(pid >= 0);
    if (pid == 0) {
        child_leak();
        say("child done\n");
        scrub();
        return 0;
    }
    int st = 0;
    SCN_CHECK(waitpid(pid, &st, 0) == pid);
    SCN_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    say("parent done\n");
    scrub();
    return 0;
}
