// The program installs signal handlers before it allocates anything (in a
// constructor and first thing in main) and uses them; then leaks a block.
// EXPECT: definite 13/1 indirect 0/0 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"
#include <signal.h>

static volatile int usr1, usr2;
static void on_usr1(int s) { (void)s; usr1++; }
static void on_usr2(int s) { (void)s; usr2++; }

__attribute__((constructor)) static void early(void) { signal(SIGUSR1, on_usr1); }

static NOINLINE void leak(void) { launder_ptr(malloc(13)); }

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    SCN_CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
    raise(SIGUSR1);
    raise(SIGUSR2);
    SCN_CHECK(usr1 == 1 && usr2 == 1);
    leak();
    raise(SIGUSR1);
    SCN_CHECK(usr1 == 2);
    say("signals delivered\n");
    scrub();
    return 0;
}
