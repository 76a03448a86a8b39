// Blocks allocated and freed inside a signal handler. The handler runs
// three times (raise, kill, pthread_kill, all synchronous): each time it
// stores a 50-byte block in a global array (reachable) and drops a 7-byte
// one (definitely lost); the first time it also frees the 1000-byte block
// main allocated.
// EXPECT: definite 21/3 indirect 0/0 possible 0/0 reachable 150/3
// ORACLE: valgrind
#include "scenario.h"
#include <pthread.h>
#include <signal.h>

/* volatile: changed by the handler behind the optimiser's back (-O2) */
static void *volatile pending;
static void *volatile kept[3];
static volatile int calls;

static NOINLINE void drop(void) { launder_ptr(malloc(7)); }

static void handler(int sig)
{
    (void)sig;
    if (pending) {
        free(pending);
        pending = NULL;
    }
    kept[calls] = malloc(50);
    drop();
    calls++;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    SCN_CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
    pending = malloc(1000);
    raise(SIGUSR1);
    kill(getpid(), SIGUSR1);
    pthread_kill(pthread_self(), SIGUSR1);
    SCN_CHECK(calls == 3 && pending == NULL);
    say("handler ran 3 times\n");
    scrub();
    return 0;
}
