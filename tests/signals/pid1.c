/* pid1.c — a container entrypoint (PID 1) that is sent SIGTERM it does
 * not handle: the kernel drops it, the program goes on (issue 11 item 5).
 * A worker thread is started and joined after the signal. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *worker(void *arg) { free(malloc(10)); return arg; }

int main(void)
{
    printf("pid %d\n", (int)getpid());
    kill(getpid(), SIGTERM);
    kill(getpid(), SIGINT);
    kill(getpid(), SIGHUP);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    printf("still here\n");
    return 0;
}
