// A program that dlopen()s a library the tool used to link (issue 14):
// libz.so.1. Without the tool the loader maps a fresh copy and keeps four
// blocks for it (its link map with the full path, the name, the scope and
// version arrays), reachable from the loader's data until exit. The tool
// must not have loaded libz into the program's namespace (it loads libdw
// and its compressors only in a private one, src/dwlib.h), so the program
// gets its own copy, with those blocks, as under valgrind.
// TRUTH (= valgrind): still reachable 1,778 bytes in 4 blocks, nothing lost.
// EXPECT: definite 0/0 indirect 0/0 possible 0/0 reachable 1778/4
// ORACLE: valgrind
#include "scenario.h"
#include <dlfcn.h>

int main(void)
{
    void *h = dlopen("libz.so.1", RTLD_NOW);
    SCN_CHECK(h != NULL);
    const char *(*version)(void) = (const char *(*)(void))dlsym(h, "zlibVersion");
    SCN_CHECK(version != NULL);
    printf("zlib %s\n", version());
    scrub();
    return 0;
}
