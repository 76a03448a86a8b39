// Ported from LLVM compiler-rt/test/lsan/TestCases/use_tls_dynamic.cpp
// (idea): a pointer in the dynamic TLS of a dlopen'ed library (ld.so
// allocates that TLS block with malloc, and the DTV points to it) is a
// root: main's thread stores a block there.
// TRUTH (= valgrind): the 1337-byte block is reachable, as are ld.so's
// own blocks for the library (link map etc.) and the TLS block itself;
// the numbers below are valgrind's.
// BUILD-DSO: tls_dynamic dso/tls_dynamic_lib.c
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 0..99999/0..20
// EXPECT-LINE: 1,337 bytes in 1 blocks are still reachable
// The bundled default suppressions hide one of ld.so's blocks (8 B), which
// valgrind's do not: --default-suppressions=no to compare like with like.
// OPTIONS: --show-leak-kinds=all --default-suppressions=no
// ORACLE: valgrind
#include "scenario.h"
#include <dlfcn.h>

static NOINLINE void use(void)
{
    void *h = dlopen(SCN_DSO_TLS_DYNAMIC, RTLD_NOW);
    SCN_CHECK(h != NULL);
    void (*keep)(size_t) = (void (*)(size_t))dlsym(h, "lib_keep");
    SCN_CHECK(keep != NULL);
    keep(1337);
}

int main(void)
{
    use();
    scrub();
    return 0;
}
