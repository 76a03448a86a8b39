// Ported from Valgrind memcheck/tests/sbfragment.c (idea): a fragmented
// heap -- 1,000 blocks of growing sizes, every other one freed, the rest
// held by an array that is then dropped.
// TRUTH (= valgrind): the array is definitely lost (8,000 B) and the 500
// blocks it holds are indirectly lost (sizes 16+2i for odd i: 508,000 B).
// EXPECT: definite 8000/1 indirect 508000/500 possible 0/0 reachable 0/0
// ORACLE: valgrind
#include "scenario.h"

static NOINLINE void build(void)
{
    void **arr = malloc(1000 * sizeof *arr);
    for (int i = 0; i < 1000; i++) {
        arr[i] = malloc((size_t)(16 + 2 * i));
        memset(arr[i], 0, (size_t)(16 + 2 * i));
    }
    for (int i = 0; i < 1000; i += 2) {
        free(arr[i]);
        arr[i] = NULL;
    }
    launder_ptr(arr);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
