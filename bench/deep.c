/* bench/deep.c — 30-frame recursion, built -O2 without frame pointers.
 * main -> rec(29) -> ... -> rec(0) -> leaf -> malloc: one planted definite
 * leak of 4321 bytes whose stack has 30 rec frames between leaf and main.
 * A tool that recovers the whole stack shows leaf, 30 x rec, main.
 */
#include <stdio.h>
#include <stdlib.h>

void *volatile sink;

__attribute__((noinline)) void leaf(void)
{
    sink = malloc(4321);
    sink = 0;
}

__attribute__((noinline)) void rec(int n)
{
    if (n) rec(n - 1);
    else leaf();
    __asm__ volatile("" ::: "memory");   /* no tail call: every frame stays */
}

int main(void)
{
    rec(29);
    printf("deep: done\n");
    return 0;
}
