// posix_spawn of /bin/true. As in vfork_exec: the parent reports its own
// blocks, and /bin/true, which inherits the preload (default
// --trace-children=yes), writes its own all-zero report.
// PROCESSES: 2
// EXPECT: definite 12/1 indirect 0/0 possible 0/0 reachable 24/1
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind --trace-children=yes
#include "scenario.h"
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;
void *kept;

static NOINLINE void work(void)
{
    launder_ptr(malloc(12));
    kept = malloc(24);
}

int main(void)
{
    work();
    scrub();
    char *argv[] = {"/bin/true", NULL};
    pid_t pid;
    SCN_CHECK(posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) == 0);
    int st = 0;
    SCN_CHECK(waitpid(pid, &st, 0) == pid);
    SCN_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    say("true ran\n");
    scrub();
    return 0;
}
