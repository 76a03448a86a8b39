/* suppstrip_lib.c -- built stripped (-s) as libsuppstrip.so: the static
 * function has no symbol left, so its frame is "???" (in the library), the
 * exported one is named from the dynamic symbol table; --gen-suppressions
 * writes obj:PATH for the nameless frame. */
#include <stdlib.h>

void *volatile strip_sink;

static __attribute__((noinline)) void hidden_alloc(void)
{
    strip_sink = malloc(131);
    __asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void strip_leak(void)
{
    hidden_alloc();
    __asm__ volatile("" ::: "memory");
}
