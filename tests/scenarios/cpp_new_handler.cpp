// C++ allocation failure as ISO C++ [new.delete.single] says: operator new
// calls the installed new_handler and tries again, in a loop; with none it
// throws std::bad_alloc; the nothrow forms return nullptr (after running the
// handler loop too). A request of 2 TiB fails at once: it must throw at
// once, not be served from anywhere else (issue 11, item 10). A handler
// that frees a reserve makes the retry succeed: that block is the
// program's, tracked, and deleted. Valgrind cannot be the oracle here (its
// replacement operators abort instead of calling the handler); the program
// checks itself and its stdout is compared with the plain run.
// One new int[10] is dropped: definitely lost.
// CFLAGS: -std=c++17
// EXPECT: definite 40/1 indirect 0/0 possible 0/0 reachable 0/0
// EXPECT-RECORD: 40 bytes in 1 blocks are definitely lost | operator new[](unsigned long) | leak() | main
#include "scenario.h"
#include <new>
#include <sys/resource.h>

static const size_t HUGE = (size_t)2 << 40;      // 2 TiB
static int calls;
static char *reserve;

static void give_up_after_three()
{
    if (++calls == 3)
        std::set_new_handler(nullptr);
}

struct handler_threw {};
static void throwing_handler()
{
    ++calls;
    throw handler_threw();
}

static void free_reserve()
{
    ++calls;
    delete[] reserve;
    reserve = nullptr;
    std::set_new_handler(nullptr);
}

static NOINLINE void leak()
{
    launder_ptr(new int[10]);
}

template <class F> static void expect_bad_alloc(const char *what, F f)
{
    calls = 0;
    try {
        void *p = f();
        printf("%s: returned %s\n", what, p ? "memory" : "nullptr");
    } catch (const std::bad_alloc &) {
        printf("%s: bad_alloc after %d handler calls\n", what, calls);
    }
}

int main()
{
    std::set_new_handler(give_up_after_three);
    expect_bad_alloc("new", [] { return ::operator new(HUGE); });
    std::set_new_handler(give_up_after_three);
    expect_bad_alloc("new[]", [] { return (void *)new char[HUGE]; });
    std::set_new_handler(give_up_after_three);
    expect_bad_alloc("aligned new", [] { return ::operator new(HUGE, std::align_val_t(64)); });
    expect_bad_alloc("new, no handler", [] { return ::operator new(HUGE); });
    expect_bad_alloc("new[], no handler", [] { return ::operator new[](HUGE); });
    expect_bad_alloc("aligned new[], no handler", [] { return ::operator new[](HUGE, std::align_val_t(128)); });

    calls = 0;
    void *p = ::operator new(HUGE, std::nothrow);
    printf("nothrow new, no handler: %s\n", p ? "memory" : "nullptr");
    std::set_new_handler(give_up_after_three);
    p = ::operator new[](HUGE, std::nothrow);
    printf("nothrow new[]: %s after %d handler calls\n", p ? "memory" : "nullptr", calls);
    calls = 0;
    std::set_new_handler(give_up_after_three);
    p = ::operator new(HUGE, std::align_val_t(64), std::nothrow);
    printf("aligned nothrow new: %s after %d handler calls\n", p ? "memory" : "nullptr", calls);

    calls = 0;
    std::set_new_handler(throwing_handler);
    try {
        p = ::operator new(HUGE);
        printf("throwing handler: returned\n");
    } catch (const handler_threw &) {
        printf("throwing handler: its exception after %d call\n", calls);
    }
    calls = 0;
    p = ::operator new(HUGE, std::nothrow);     // the handler's exception is caught: nullptr
    printf("throwing handler, nothrow: %s after %d call\n", p ? "memory" : "nullptr", calls);
    std::set_new_handler(nullptr);

    // A handler that frees memory: under an address-space limit, a block that
    // fits only without the reserve.
    struct rlimit rl;
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    SCN_CHECK(f && fscanf(f, "%lu", &pages) == 1);
    fclose(f);
    reserve = (char *)launder_ptr(new char[48 << 20]);
    reserve[0] = 1;
    rl.rlim_cur = rl.rlim_max = pages * 4096 + (48u << 20) + (32u << 20);
    SCN_CHECK(setrlimit(RLIMIT_AS, &rl) == 0);
    calls = 0;
    std::set_new_handler(free_reserve);
    char *big = (char *)launder_ptr(new char[64 << 20]);   // not elided (clang -O2)
    big[0] = 2;
    printf("retry after the handler freed a reserve: memory after %d call\n", calls);
    delete[] big;

    leak();
    scrub();
    return 0;
}
