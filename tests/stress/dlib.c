/* dlib.c — a library that allocates: in its constructor (4091 bytes, freed
 * by its destructor), and on request (lib_alloc). Loaded and unloaded in a
 * loop by dlopen_threads.c. */
#include <stdlib.h>
#include <string.h>

static void *ctor_block;
static char *names[8];

__attribute__((constructor)) static void lib_init(void)
{
    ctor_block = malloc(4091);
    memset(ctor_block, 2, 4091);
    for (int i = 0; i < 8; i++)
        names[i] = strdup("a name the library keeps");
}

__attribute__((destructor)) static void lib_fini(void)
{
    free(ctor_block);
    for (int i = 0; i < 8; i++)
        free(names[i]);
}

void *lib_alloc(size_t n)
{
    void *p = malloc(n);
    memset(p, 3, n);
    return p;
}
