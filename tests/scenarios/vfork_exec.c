// vfork + execve of /bin/true. The parent reports its own blocks. The
// preload is inherited by the exec'd program (the tool's default is
// --trace-children=yes), which writes a report of its own: /bin/true
// allocates nothing, so that report is all zero ("All heap blocks were
// freed"). The oracle runs valgrind with --trace-children=yes to match.
// PROCESSES: 2
// EXPECT: definite 11/1 indirect 0/0 possible 0/0 reachable 22/1
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind --trace-children=yes
#include "scenario.h"
#include <sys/wait.h>

extern char **environ;
void *kept;

static NOINLINE void work(void)
{
    launder_ptr(malloc(11));
    kept = malloc(22);
}

int main(void)
{
    work();
    scrub();
    char *argv[] = {"/bin/true", NULL};
    pid_t pid = vfork();
    SCN_CHECK(pid >= 0);
    if (pid == 0) {
        execve("/bin/true", argv, environ);
        _exit(127);
    }
    int st = 0;
    SCN_CHECK(waitpid(pid, &st, 0) == pid);
    SCN_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    say("true ran\n");
    scrub();
    return 0;
}
