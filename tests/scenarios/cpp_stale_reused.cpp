// C++ flavour of stale_reused_chunk: a freed array held the only pointers
// to a block the program then leaks; operator new (plain, then aligned)
// hands the same chunk to an object whose constructor writes one member.
// The other words were never written by the program (Valgrind: undefined
// V-bits): the victims are definitely lost. Without the fill of fresh
// blocks (issue 10, item 2) they were "still reachable".
// CFLAGS: -std=c++17
// EXPECT: definite 80/2 indirect 0/0 possible 0/0 reachable 256/2
// EXPECT-RECORD: 40 bytes in 1 blocks are definitely lost | operator new[](unsigned long) | ... | plant(bool) | main
// ORACLE: valgrind
#include "scenario.h"
#include <new>

struct Node {
    long tag;
    char rest[120];
    Node() : tag(1) {}           // rest is left as the allocator gave it
};
struct alignas(64) Wide {
    long tag;
    char rest[120];
    Wide() : tag(2) {}
};

Node *kept_node;
Wide *kept_wide;

static NOINLINE char *make_victim() { return new char[40]; }

static NOINLINE void plant(bool aligned)
{
    void **holder = aligned ? (void **)::operator new(128, std::align_val_t(64))
                            : (void **)::operator new(128);
    char *victim = make_victim();
    for (int i = 0; i < 16; i++)
        holder[i] = victim;
    launder_ptr(victim);
    if (aligned)
        ::operator delete(launder_ptr(holder), std::align_val_t(64));
    else
        ::operator delete(launder_ptr(holder));
}

int main()
{
    plant(false);
    kept_node = new Node;
    plant(true);
    kept_wide = new Wide;
    scrub();
    return 0;
}
