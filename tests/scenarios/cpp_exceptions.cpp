// Exceptions thrown and caught: the runtime frees their objects. A block
// allocated just before a throw and never freed is definitely lost (its
// only pointer was in a frame the unwinder popped). A caught exception kept
// alive by a heap std::exception_ptr (8 bytes, reachable from a global)
// stays allocated, but the exception_ptr points at the thrown object, past
// the runtime's header (an interior pointer): the 144-byte exception block
// is possibly lost, and so is the 72-byte copy-on-write message string that
// only it points at. Valgrind also lists that string under "of which
// reachable via heuristic: stdstring" (its pointer is start + 3 words)
// although the block's kind is possible, because its holder is.
// EXPECT: definite 40/1 indirect 0/0 possible 216/2 reachable 8/1
// EXPECT-RECORD: 40 bytes in 1 blocks are definitely lost | operator new[](unsigned long) | leak_then_throw() | *
// EXPECT-RECORD: 144 bytes in 1 blocks are possibly lost in loss record 4 of 4 | malloc | __cxa_allocate_exception | thrower(int)
// EXPECT-LINE: stdstring: 72 bytes in 1 blocks
// ORACLE: valgrind
#include "scenario.h"
#include <exception>
#include <stdexcept>
#include <string>

std::exception_ptr *g_saved;

static NOINLINE void thrower(int depth)
{
    if (depth == 0)
        throw std::runtime_error(std::string("a long message that does not fit the SSO buffer"));
    thrower(depth - 1);
}

static NOINLINE void leak_then_throw()
{
    int *p = new int[10];
    launder_ptr(p);
    throw 42;
}

int main()
{
    int caught = 0;
    for (int i = 0; i < 20; i++) {
        try {
            thrower(i % 5);
        } catch (const std::runtime_error &e) {
            caught += std::string(e.what()).size() > 20;
        }
    }
    try {
        leak_then_throw();
    } catch (int v) {
        caught += v == 42;
    }
    try {
        thrower(2);
    } catch (...) {
        g_saved = new std::exception_ptr(std::current_exception());
    }
    SCN_CHECK(caught == 21);
    SCN_CHECK(*g_saved != nullptr);
    scrub();
    return 0;
}
