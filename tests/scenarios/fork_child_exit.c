// fork: the child leaks and ends with _exit(7); both processes report.
// The reports go to --log-file=DIR/lt.%p.log (the runner's LOG-FILE mode):
// one file per process.
// LOG-FILE
// PROCESSES: 2
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 64/1
// EXPECT: definite 48/1 indirect 0/0 possible 0/0 reachable 64/1
// ORACLE: valgrind
#include "scenario.h"
#include <sys/wait.h>

void *kept;

static NOINLINE void child_leak(void) { launder_ptr(malloc(48)); }

int main(void)
{
    kept = malloc(64);
    scrub();
    pid_t pid = fork();
    SCN_CHECK(pid >= 0);
    if (pid == 0) {
        child_leak();
        scrub();
        _exit(7);
    }
    int st = 0;
    SCN_CHECK(waitpid(pid, &st, 0) == pid);
    SCN_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
    say("child exited with 7\n");
    scrub();
    return 0;
}
