// free() must not change errno (POSIX.1-2024), nor may a successful
// malloc/calloc/realloc/posix_memalign: the tool's bookkeeping (table
// growth, stack capture, the unwinder's probes) runs inside each call.
// Small, mmap'd (4 MiB) and aligned blocks; free(NULL). Everything is
// freed.
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 0/0
#include "scenario.h"
#include <errno.h>

int main(void)
{
    for (int i = 0; i < 3000; i++) {
        errno = 12345;
        void *p = malloc((size_t)i * 37 % 300000 + 1);
        SCN_CHECK(p && errno == 12345);
        errno = 4321;
        free(p);
        SCN_CHECK(errno == 4321);
    }
    errno = 77;
    void *big = malloc(4 << 20);
    SCN_CHECK(big && errno == 77);
    big = realloc(big, 8 << 20);
    SCN_CHECK(big && errno == 77);
    free(big);
    SCN_CHECK(errno == 77);
    errno = 78;
    free(NULL);
    SCN_CHECK(errno == 78);
    void *q = calloc(3, 4), *a = NULL;
    SCN_CHECK(q && errno == 78);
    SCN_CHECK(posix_memalign(&a, 256, 1000) == 0 && errno == 78);
    free(a);
    free(q);
    SCN_CHECK(errno == 78);
    scrub();
    return 0;
}
