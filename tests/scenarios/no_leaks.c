// Everything allocated is freed: the report says so instead of a LEAK
// SUMMARY.
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 0/0
// EXPECT-LINE: All heap blocks were freed -- no leaks are possible
// EXPECT-LINE: in use at exit: 0 bytes in 0 blocks
// ORACLE: valgrind
#include "scenario.h"

int main(void)
{
    void *p[100];
    for (int i = 0; i < 100; i++)
        p[i] = malloc((size_t)i + 1);
    for (int i = 0; i < 100; i++)
        p[i] = realloc(p[i], 2 * (size_t)i + 8);
    for (int i = 0; i < 100; i++)
        free(p[i]);
    free(calloc(10, 10));
    free(strdup("gone"));
    return 0;
}
