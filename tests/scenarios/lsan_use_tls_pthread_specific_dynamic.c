// Ported from LLVM compiler-rt/test/lsan/TestCases/
// use_tls_pthread_specific_dynamic.cpp (idea): a pthread_setspecific value
// under a key past the first 32 is stored in a second-level array that
// glibc allocates with calloc (32 entries of 16 bytes) and hangs from the
// thread descriptor: the value is reachable through that heap block.
// TRUTH (= valgrind): reachable 1337 B + glibc's 512-byte array.
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 1849/2
// ORACLE: valgrind
#include "scenario.h"
#include <pthread.h>

static NOINLINE void keep(void)
{
    pthread_key_t key;
    do
        SCN_CHECK(pthread_key_create(&key, NULL) == 0);
    while (key < 40);
    void *p = malloc(1337);
    memset(p, 0, 1337);
    SCN_CHECK(pthread_setspecific(key, p) == 0);
}

int main(void)
{
    keep();
    scrub();
    return 0;
}
