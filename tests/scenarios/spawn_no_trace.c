// posix_spawn of /bin/true with --trace-children=no (Valgrind's default):
// the spawned program is not checked, so only the parent reports.
// OPTIONS: --trace-children=no
// PROCESSES: 1
// EXPECT: definite 13/1 indirect 0/0 possible 0/0 reachable 26/1
// ORACLE: valgrind --trace-children=no
#include "scenario.h"
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;
void *kept;

static NOINLINE void work(void)
{
    launder_ptr(malloc(13));
    kept = malloc(26);
}

int main(void)
{
    work();
    scrub();
    char *argv[] = {"/bin/true", NULL};
    pid_t pid;
    SCN_CHECK(posix_spawnp(&pid, "true", NULL, NULL, argv, environ) == 0);
    int st = 0;
    SCN_CHECK(waitpid(pid, &st, 0) == pid);
    SCN_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    say("true ran\n");
    scrub();
    return 0;
}
