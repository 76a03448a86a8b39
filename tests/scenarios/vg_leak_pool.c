// Ported from Valgrind memcheck/tests/leak-pool.c (idea): a pool allocator
// that carves objects out of malloc'd superblocks (no client requests
// here: the superblocks are the heap blocks the tool sees).
//   - pool A: its header block is held by a global and points at the start
//     of its 4 KiB superblock: both reachable;
//   - pool B: only an object in the middle of its superblock is held by a
//     global (an interior pointer), its header is dropped: the superblock
//     is possibly lost, the header definitely lost;
//   - pool C: header and superblock dropped: header definite, superblock
//     indirect.
// TRUTH (= valgrind): definite 2 headers (2x32 B), indirect 4096/1,
// possible 4096/1, reachable 4096+32.
// EXPECT: definite 64/2 indirect 4096/1 possible 4096/1 reachable 4128/2
// ORACLE: valgrind
#include "scenario.h"

struct pool { char *super; size_t used, size; long pad; };
struct pool *pool_a;
void *obj_b;

static NOINLINE struct pool *pool_new(void)
{
    struct pool *p = malloc(sizeof *p);
    p->super = malloc(4096);
    memset(p->super, 0, 4096);
    p->used = 0;
    p->size = 4096;
    p->pad = 0;
    return p;
}

static NOINLINE void *pool_get(struct pool *p, size_t n)
{
    void *r = p->super + p->used;
    p->used += (n + 15) & ~(size_t)15;
    return r;
}

static NOINLINE void build(void)
{
    pool_a = pool_new();
    pool_get(pool_a, 100);
    struct pool *b = pool_new();
    pool_get(b, 200);
    obj_b = pool_get(b, 64);
    launder_ptr(b);
    struct pool *c = pool_new();
    pool_get(c, 10);
    launder_ptr(c);
}

int main(void)
{
    build();
    scrub();
    return 0;
}
