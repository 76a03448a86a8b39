// Ported from LLVM compiler-rt/test/lsan/TestCases/
// use_tls_pthread_specific_static.cpp (idea): a value stored with
// pthread_setspecific under one of the first 32 keys lives inside glibc's
// thread descriptor (static TLS area): a root.
// TRUTH (= valgrind): reachable (1337 B).
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 1337/1
// ORACLE: valgrind
#include "scenario.h"
#include <pthread.h>

static NOINLINE void keep(void)
{
    pthread_key_t key;
    SCN_CHECK(pthread_key_create(&key, NULL) == 0);
    SCN_CHECK(key < 32);
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
