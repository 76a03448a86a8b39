/* Compiled and run by gcc.sh under the shim (the compiler's children and
 * the program inherit the preload). Leaks 100 bytes, definitely. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static char *keep;
int main(void)
{
    char *lost = malloc(100);
    strcpy(lost, "lost");
    keep = malloc(40);
    strcpy(keep, "kept");
    printf("%s %s\n", lost, keep);
    lost = NULL;
    return 5;
}
