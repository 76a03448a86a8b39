// std::vector:
//   - a global vector<int> is destroyed by exit's static destructors:
//     its buffer is freed;
//   - a global vector<Node *> is destroyed too, but the 10 nodes its
//     buffer pointed at are not: they are definitely lost (one record of
//     10 blocks, from one call site);
//   - a heap vector<int>(100) held by a global pointer: object (24) and
//     buffer (400) reachable;
//   - a heap vector<long>(50) whose pointer is dropped: the 24-byte object
//     definitely lost, its 400-byte buffer indirectly lost.
// EXPECT: definite 184/11 indirect 400/1 possible 0/0 reachable 424/2
// EXPECT-RECORD: 160 bytes in 10 blocks are definitely lost | operator new(unsigned long) | keep() | main
// EXPECT-RECORD: 424 (24 direct, 400 indirect) bytes in 1 blocks are definitely lost | operator new(unsigned long) | leak() | main
// ORACLE: valgrind
#include "scenario.h"
#include <vector>

struct Node { long a, b; };

std::vector<int> g_ints;
std::vector<Node *> g_nodes;
std::vector<int> *g_heap_vec;

static NOINLINE void keep()
{
    g_ints.reserve(100);
    for (int i = 0; i < 100; i++)
        g_ints.push_back(i);
    g_nodes.reserve(10);
    for (int i = 0; i < 10; i++)
        g_nodes.push_back(new Node{i, i});
    g_heap_vec = new std::vector<int>(100, 3);
    std::vector<double> tmp(1000, 1.5);
    tmp.push_back(2.5);
}

static NOINLINE void leak()
{
    launder_ptr(new std::vector<long>(50));
}

int main()
{
    keep();
    leak();
    scrub();
    return g_ints.size() == 100 ? 0 : 1;
}
