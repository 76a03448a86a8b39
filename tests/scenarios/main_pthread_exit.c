// main() ends with pthread_exit(); the thread it started stores a
// 200-byte block in a global and calls exit(). The global is a root as
// always: the block is still reachable, nothing is definitely lost.
// Valgrind: reachable 200/1, possible 272/1 (the exiting thread's DTV).
// No ORACLE: that DTV may be counted as possibly lost or as reachable,
// and glibc's libgcc_s (dlopened for main's pthread_exit unwinding) may
// be left to the loader's blocks. The tool reported the global's block
// and the loader's link map of libgcc_s as definitely lost, every frame
// of every record printed as "???" (the loaded objects and their data
// were not seen once the main thread had exited).
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 272..800/1 reachable 200..2300/1..6
// EXPECT-ANY: definite 0/0 indirect 0/0 possible 0/0 reachable 200..3100/1..7
#include "scenario.h"
#include <pthread.h>

void *global_keep;

static void *worker(void *arg)
{
    (void)arg;
    usleep(100000);
    global_keep = malloc(200);
    scrub();
    exit(0);
}

int main(void)
{
    pthread_t t;
    SCN_CHECK(pthread_create(&t, NULL, worker, NULL) == 0);
    pthread_exit(NULL);
}
