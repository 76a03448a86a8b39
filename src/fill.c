/* fill.c — the --malloc-fill / --free-fill writes (see fill.h).
 *
 * The one case that is skipped: a zero fill of a block glibc served with
 * its own mmap (chunk size word flag IS_MMAPPED, 0x2; glibc malloc.c
 * "chunk representations"). Those pages come fresh from the kernel, zero
 * (mmap(2): MAP_ANONYMOUS "contents are initialized to zero"), and writing
 * them would commit memory a program that allocates large sparse arrays
 * never touches. Any other byte is written, as Valgrind writes it. */
#include "fill.h"
#include "interpose.h"
#include <string.h>

#define GLIBC_IS_MMAPPED 0x2

static bool fresh_from_kernel(const void *p)
{
    if (!lt_real.glibc_malloc)
        return false;
    size_t head = ((const size_t *)p)[-1];
    return (head & GLIBC_IS_MMAPPED) != 0;
}

void lt_fill_range(void *p, size_t from, size_t to)
{
    int byte = lt_opt.malloc_fill;
    if (byte < 0 || from >= to)
        return;
    if (byte == 0 && fresh_from_kernel(p))
        return;
    memset((char *)p + from, byte, to - from);
}

/* Another allocator than glibc's: its free memory cannot be told from its
 * live blocks' surroundings and is scanned as a root (roots.c excludes
 * only glibc's arenas), so with the default malloc fill a freed block is
 * zeroed too, unless --free-fill asks for another byte. */
void lt_fill_freed(void *p, size_t size)
{
    int byte = lt_opt.free_fill;
    if (byte < 0 && !lt_real.glibc_malloc && lt_opt.malloc_fill >= 0)
        byte = 0;
    if (byte >= 0 && size)
        memset(p, byte, size);
}
