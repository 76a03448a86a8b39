// Issue 10 item 2 (realloc growth): the grown part of a realloc'd block
// holds whatever the memory it grew into held. Layout: a 16-byte block C,
// then a 2000-byte block A, then a guard block (so A does not merge with
// the top of the heap). A gets a pointer to B at word 10 and is freed (it
// goes to glibc's unsorted bin, beyond the tcache sizes); then C is grown
// by realloc to 2000 bytes -- glibc merges it with the free A in place --
// and the program keeps it but never writes past its first 16 bytes. B is
// dropped.
// TRUTH: B is definitely lost: the word that still holds its address was
// never written since the block was (re)allocated, so the program cannot
// use it (valgrind knows it is undefined). C and the guard are reachable.
// EXPECT: definite 48/1 indirect 0/0 possible 0/0 reachable 2016/2
// ORACLE: valgrind
#include "scenario.h"

void *kept, *guard;

static NOINLINE void build(void)
{
    char *c = malloc(16);
    memset(c, 1, 16);
    void **a = malloc(2000);
    memset(a, 0, 2000);
    guard = malloc(16);
    a[10] = malloc(48);
    launder_ptr(a[10]);
    free(launder_ptr(a));
    kept = realloc(c, 2000);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
