/* suppobj_lib.c -- built as libsuppobj.so: leaks from a shared library, so
 * that obj: patterns (and LSan object patterns) have a frame to match. */
#include <stdlib.h>

void *lib_kept;              /* still reachable */
char *lib_inside;            /* interior pointer: possibly lost */
void *volatile lib_sink;

__attribute__((noinline)) void lib_leak(void)
{
    lib_sink = malloc(111);  /* definitely lost once main clears lib_sink */
}

__attribute__((noinline)) void lib_keep(void)
{
    lib_kept = malloc(112);
    lib_inside = (char *)malloc(113) + 9;
}
