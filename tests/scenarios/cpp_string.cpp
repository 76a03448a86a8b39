// std::string (the C++11 ABI: a 32-byte object whose buffer pointer points
// at the start of a heap buffer of capacity + 1 bytes):
//   - a global std::string is destroyed by exit's static destructors
//     before the check: its buffer is freed, nothing is left;
//   - a std::string built in static storage that has no destructor call
//     keeps its 51-byte buffer reachable;
//   - a heap std::string held by a global pointer: object (32) and its
//     61-byte buffer reachable;
//   - a heap std::string whose pointer is dropped: the object is definitely
//     lost, its 41-byte buffer indirectly lost.
// Short strings live inside the object (no heap block).
// EXPECT: definite 32/1 indirect 41/1 possible 0/0 reachable 144/3
// EXPECT-RECORD: 73 (32 direct, 41 indirect) bytes in 1 blocks are definitely lost | operator new(unsigned long) | leak() | main
// ORACLE: valgrind
#include "scenario.h"
#include <new>
#include <string>

std::string g_str;
std::string g_short;
alignas(std::string) static unsigned char g_storage[sizeof(std::string)];
std::string *g_heap_str;

static NOINLINE void keep()
{
    g_str = std::string(50, 'g');
    g_short = "short";
    new (g_storage) std::string(50, 's');
    g_heap_str = new std::string(60, 'h');
    std::string tmp(200, 't');
    tmp += "freed when tmp goes";
}

static NOINLINE void leak()
{
    launder_ptr(new std::string(40, 'x'));
}

int main()
{
    keep();
    leak();
    scrub();
    return g_str.size() == 50 ? 0 : 1;
}
