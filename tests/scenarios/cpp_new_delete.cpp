// C++ operator new / new[] (plain, nothrow and aligned): what is deleted
// is gone, what is dropped is definitely lost, what a global holds is
// reachable. Frame 0 of each record is the operator's name. The aligned
// type is 368 bytes of data padded to its 64-byte alignment: 384.
// EXPECT: definite 516/4 indirect 0/0 possible 0/0 reachable 12/1
// EXPECT-RECORD: 4 bytes in 1 blocks are definitely lost in loss record 1 of 5 | operator new(unsigned long) | leak() | main
// EXPECT-RECORD: 28 bytes in 1 blocks are definitely lost in loss record 3 of 5 | operator new[](unsigned long, std::nothrow_t const&) | leak() | main
// EXPECT-RECORD: 100 bytes in 1 blocks are definitely lost in loss record 4 of 5 | operator new[](unsigned long) | leak() | main
// EXPECT-RECORD: 384 bytes in 1 blocks are definitely lost in loss record 5 of 5 | operator new(unsigned long, std::align_val_t) | leak() | main
// CFLAGS: -std=c++17
// ORACLE: valgrind
#include "scenario.h"
#include <new>

struct alignas(64) Aligned { char bytes[368]; };

int *g_kept;

static NOINLINE void leak()
{
    launder_ptr(new int(5));
    launder_ptr(new char[100]);
    launder_ptr(new (std::nothrow) int[7]);
    Aligned *a = new Aligned;
    SCN_CHECK(sizeof(Aligned) == 384);
    SCN_CHECK((reinterpret_cast<uintptr_t>(a) & 63) == 0);
    launder_ptr(a);
}

static NOINLINE void churn()
{
    for (int i = 0; i < 100; i++) {
        int *p = new int(i);
        char *q = new char[i + 1];
        Aligned *a = new Aligned;
        int *r = new (std::nothrow) int[i + 1];
        delete p;
        delete[] q;
        delete a;
        delete[] r;
    }
    g_kept = new int[3];
}

int main()
{
    churn();
    leak();
    scrub();
    return 0;
}
