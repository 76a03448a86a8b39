// tests/unwind/exceptions.cpp — C++ exceptions thrown through allocating
// frames (the unwind-cache equality test): operator new at varying depths,
// __cxa_allocate_exception's malloc, catch and rethrow, then leaks.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

void *volatile sink;
static bool leak_now;

__attribute__((noinline)) static void thrower(int d)
{
    std::vector<int> *v = new std::vector<int>(8 + d);
    if (leak_now) sink = v; else delete v;
    if (d == 0) throw std::runtime_error("bottom of " + std::to_string(d));
    thrower(d - 1);
    __asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void rethrower(int d)
{
    try { thrower(d); } catch (const std::exception &e) { sink = new char[24]; if (!leak_now) delete[] (char *)sink; throw; }
}

// The same site again and again right after an exception unwound through
// the stack below it: the cache must see the rewritten words.
__attribute__((noinline)) static void after_throw(int k)
{
    std::string *s = new std::string(40 + k, 'x');
    if (leak_now) sink = s; else delete s;
}

int main()
{
    for (int r = 0; r < 2; r++) {
        leak_now = r == 1;
        for (int i = 0; i < (leak_now ? 3 : 400); i++) {
            try { rethrower(i % 12); } catch (const std::runtime_error &) {
                for (volatile int k = 0; k < 3; k++) after_throw(k);
            }
            for (volatile int k = 0; k < 3; k++) after_throw(k);
        }
    }
    std::printf("exceptions: done\n");
    return 0;
}
